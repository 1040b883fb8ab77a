//! [`Item`]: one typed value under a fixed key.

use std::fmt;
use std::marker::PhantomData;

use super::access::{ReadStore, WriteStore};
use super::codec::{Codec, Json, decode_value, encode_value, missing};
use crate::module::ModuleError;

/// A single value of type `T` stored under a fixed key with codec `C`: a
/// module's params, a counter, a schema stamp.
///
/// It holds no state, only the key, so it is declared as a `const` next to
/// the module and used with whatever store handle the code has:
///
/// ```
/// use upgrade_runtime::ModuleError;
/// use upgrade_runtime::store::ModuleStore;
/// use upgrade_runtime::typed::Item;
///
/// const COUNTER: Item<u64> = Item::new(b"counter");
///
/// fn bump(store: &mut ModuleStore<'_>) -> Result<u64, ModuleError> {
///     let next = COUNTER.may_load(store)?.unwrap_or(0) + 1;
///     COUNTER.save(store, &next)?;
///     Ok(next)
/// }
/// ```
pub struct Item<T, C = Json> {
    key: &'static [u8],
    marker: PhantomData<fn() -> (T, C)>,
}

impl<T, C> Item<T, C> {
    /// An item stored under `key`.
    pub const fn new(key: &'static [u8]) -> Self {
        Item {
            key,
            marker: PhantomData,
        }
    }

    /// The raw key the value is stored under.
    pub const fn key(&self) -> &'static [u8] {
        self.key
    }
}

impl<T, C: Codec<T>> Item<T, C> {
    /// The stored value.
    ///
    /// # Errors
    ///
    /// [`ModuleError::Rejected`] if nothing is stored (use
    /// [`Item::may_load`] when absence is normal),
    /// [`ModuleError::CorruptState`] if the bytes do not decode, or a failed
    /// read.
    pub fn load<S: ReadStore + ?Sized>(&self, store: &S) -> Result<T, ModuleError> {
        let reader = store.reader();
        self.may_load(store)?
            .ok_or_else(|| missing(reader.name(), self.key))
    }

    /// The stored value, or `None` if nothing is stored.
    ///
    /// # Errors
    ///
    /// [`ModuleError::CorruptState`] if the bytes do not decode, or a failed
    /// read.
    pub fn may_load<S: ReadStore + ?Sized>(&self, store: &S) -> Result<Option<T>, ModuleError> {
        let reader = store.reader();
        match reader.get(self.key)? {
            Some(bytes) => decode_value::<T, C>(reader.name(), self.key, &bytes).map(Some),
            None => Ok(None),
        }
    }

    /// Whether a value is stored (without decoding it).
    ///
    /// # Errors
    ///
    /// A failed read.
    pub fn exists<S: ReadStore + ?Sized>(&self, store: &S) -> Result<bool, ModuleError> {
        Ok(store.reader().has(self.key)?)
    }

    /// Stores `value`.
    ///
    /// # Errors
    ///
    /// [`ModuleError::Rejected`] if the codec cannot encode `value`.
    pub fn save<S: WriteStore + ?Sized>(
        &self,
        store: &mut S,
        value: &T,
    ) -> Result<(), ModuleError> {
        let bytes = encode_value::<T, C>(store.reader().name(), self.key, value)?;
        store.set_raw(self.key.to_vec(), bytes);
        Ok(())
    }

    /// Deletes the value (a no-op if absent).
    pub fn remove<S: WriteStore + ?Sized>(&self, store: &mut S) {
        store.delete_raw(self.key.to_vec());
    }

    /// Loads the value, applies `f` and saves and returns the result; when
    /// `f` fails nothing is written. Like [`Item::load`], a missing value is
    /// an error.
    ///
    /// # Errors
    ///
    /// As [`Item::load`] and [`Item::save`], or `f`'s error.
    pub fn update<S, E, F>(&self, store: &mut S, f: F) -> Result<T, E>
    where
        S: WriteStore + ?Sized,
        E: From<ModuleError>,
        F: FnOnce(T) -> Result<T, E>,
    {
        let value = f(self.load(store)?)?;
        self.save(store, &value)?;
        Ok(value)
    }
}

impl<T, C> Clone for Item<T, C> {
    fn clone(&self) -> Self {
        *self
    }
}

impl<T, C> Copy for Item<T, C> {}

impl<T, C> fmt::Debug for Item<T, C> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Item")
            .field("key", &String::from_utf8_lossy(self.key))
            .finish()
    }
}
