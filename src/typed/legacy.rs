//! The legacy pattern: reading a namespace with the value type or codec an
//! older consensus version wrote, and rewriting it in the current one.
//!
//! A migration declares nothing new: it views the current `Item`/`Map`
//! through [`Map::legacy`] (old value type) and/or [`Map::with_codec`] (old
//! codec) to read, and writes through the current definition, or lets
//! [`Map::migrate_from`] do both for every entry.

use super::access::WriteStore;
use super::codec::{Codec, decode_value, encode_value};
use super::item::Item;
use super::key::MapKey;
use super::map::Map;
use crate::module::ModuleError;
use crate::store::KeyRange;

impl<T, C> Item<T, C> {
    /// The same key read as `Old`, the type an older version stored.
    pub const fn legacy<Old>(&self) -> Item<Old, C> {
        Item::new(self.key())
    }

    /// The same key with codec `C2` (e.g. the codec an older version used).
    pub const fn with_codec<C2>(&self) -> Item<T, C2> {
        Item::new(self.key())
    }
}

impl<T, C: Codec<T>> Item<T, C> {
    /// Reads the value as `Old` with codec `OldC`, converts it with `f` and
    /// stores the result in this item's encoding. Returns whether a value
    /// was there; a missing value is left missing.
    ///
    /// # Errors
    ///
    /// [`ModuleError::CorruptState`] if the old bytes do not decode, `f`'s
    /// error, or an encoding failure. Nothing is written on error.
    pub fn migrate_from<Old, OldC, S, F>(&self, store: &mut S, f: F) -> Result<bool, ModuleError>
    where
        OldC: Codec<Old>,
        S: WriteStore + ?Sized,
        F: FnOnce(Old) -> Result<T, ModuleError>,
    {
        let old: Item<Old, OldC> = Item::new(self.key());
        match old.may_load(store)? {
            Some(value) => {
                self.save(store, &f(value)?)?;
                Ok(true)
            }
            None => Ok(false),
        }
    }
}

impl<K, V, C> Map<K, V, C> {
    /// The same namespace and keys read as `Old`, the value type an older
    /// version stored:
    ///
    /// ```
    /// # use serde::{Deserialize, Serialize};
    /// # use upgrade_runtime::ModuleError;
    /// # use upgrade_runtime::store::ModuleStore;
    /// # use upgrade_runtime::typed::Map;
    /// #[derive(Serialize, Deserialize)]
    /// struct AccountV1 { balance: String }
    /// #[derive(Serialize, Deserialize)]
    /// struct Account { balance: u64, nonce: u64 }
    ///
    /// const ACCOUNTS: Map<&str, Account> = Map::new(b"acct/");
    ///
    /// fn migrate_v1_to_v2(store: &mut ModuleStore<'_>) -> Result<(), ModuleError> {
    ///     // Read every old entry first: the store cannot change mid-iteration.
    ///     let old: Vec<(String, AccountV1)> =
    ///         ACCOUNTS.legacy::<AccountV1>().iter(store).collect::<Result<_, _>>()?;
    ///     for (addr, v1) in old {
    ///         let balance = v1.balance.parse().map_err(|_| {
    ///             ModuleError::Rejected(format!("bad balance for {addr}"))
    ///         })?;
    ///         ACCOUNTS.save(store, &addr, &Account { balance, nonce: 0 })?;
    ///     }
    ///     Ok(())
    /// }
    /// ```
    pub const fn legacy<Old>(&self) -> Map<K, Old, C> {
        Map::new(self.namespace())
    }

    /// The same namespace and keys with codec `C2` (e.g. the codec an older
    /// version used); combine with [`Map::legacy`] to change both.
    pub const fn with_codec<C2>(&self) -> Map<K, V, C2> {
        Map::new(self.namespace())
    }
}

impl<K: MapKey, V, C: Codec<V>> Map<K, V, C> {
    /// Rewrites every entry from value type `Old` encoded with `OldC` into
    /// this map's value type and codec, converting each with `f`; keys stay
    /// where they are. Returns how many entries were rewritten.
    ///
    /// ```
    /// # use upgrade_runtime::ModuleError;
    /// # use upgrade_runtime::store::ModuleStore;
    /// # use upgrade_runtime::typed::{Json, Map};
    /// const SUPPLY: Map<&str, u128> = Map::new(b"supply/");
    ///
    /// // v1 stored supplies as JSON strings ("12"); v2 as JSON numbers.
    /// fn migrate(store: &mut ModuleStore<'_>) -> Result<usize, ModuleError> {
    ///     SUPPLY.migrate_from::<String, Json, _, _>(store, |denom, old| {
    ///         old.parse()
    ///             .map_err(|_| ModuleError::Rejected(format!("bad supply of {denom}")))
    ///     })
    /// }
    /// ```
    ///
    /// # Errors
    ///
    /// [`ModuleError::CorruptState`] for an entry whose key or old value does
    /// not decode, `f`'s error, an encoding failure, or a failed read.
    /// Entries are decoded and converted before anything is written, so on
    /// error nothing is written.
    pub fn migrate_from<Old, OldC, S, F>(
        &self,
        store: &mut S,
        mut f: F,
    ) -> Result<usize, ModuleError>
    where
        OldC: Codec<Old>,
        S: WriteStore + ?Sized,
        F: FnMut(&K::Owned, Old) -> Result<V, ModuleError>,
    {
        let mut rewritten = Vec::new();
        {
            let reader = store.reader();
            for pair in reader.range(KeyRange::prefix(self.namespace()))? {
                let (raw, bytes) = pair?;
                let key = self.decode_key(&raw).map_err(|e| {
                    ModuleError::corrupt(reader.name(), &raw, format!("map key: {e}"))
                })?;
                let old = decode_value::<Old, OldC>(reader.name(), &raw, &bytes)?;
                let bytes = encode_value::<V, C>(reader.name(), &raw, &f(&key, old)?)?;
                rewritten.push((raw, bytes));
            }
        }
        let count = rewritten.len();
        for (raw, bytes) in rewritten {
            store.set_raw(raw, bytes);
        }
        Ok(count)
    }
}
