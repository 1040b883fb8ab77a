//! [`Map`]: typed values under typed keys, with ordered iteration.

use std::fmt;
use std::marker::PhantomData;
use std::ops::{Bound, RangeBounds};

use super::access::{ReadStore, WriteStore};
use super::codec::{Codec, Json, decode_value, encode_value, missing};
use super::key::{MapKey, first_component};
use crate::module::ModuleError;
use crate::store::{KeyRange, KvIter, prefix_successor};

/// Ties a map's types to it without owning any: covariant (so a `const`
/// map with `&'static str` keys accepts shorter-lived keys), `Send`, `Sync`.
type Marker<K, V, C> = PhantomData<fn() -> (K, V, C)>;

/// Values of type `V` under keys of type `K`, stored as
/// `namespace || key bytes` with codec `C`.
///
/// Like [`Item`](super::Item) it holds only its namespace, so it is a
/// `const`. Namespaces of one store must not be prefixes of each other, or
/// iterations would see each other's entries.
///
/// ```
/// use upgrade_runtime::ModuleError;
/// use upgrade_runtime::store::ModuleReader;
/// use upgrade_runtime::typed::Map;
///
/// /// (address, denom) -> amount
/// const BALANCES: Map<(&str, &str), u64> = Map::new(b"balances/");
///
/// fn coins_of(reader: &ModuleReader<'_>, addr: &str) -> Result<Vec<(String, u64)>, ModuleError> {
///     BALANCES.prefix(reader, addr).collect()
/// }
/// ```
pub struct Map<K, V, C = Json> {
    namespace: &'static [u8],
    marker: Marker<K, V, C>,
}

impl<K, V, C> Map<K, V, C> {
    /// A map stored under `namespace`.
    pub const fn new(namespace: &'static [u8]) -> Self {
        Map {
            namespace,
            marker: PhantomData,
        }
    }

    /// The byte prefix of every key of the map.
    pub const fn namespace(&self) -> &'static [u8] {
        self.namespace
    }
}

impl<K: MapKey, V, C> Map<K, V, C> {
    /// The raw store key of `key`.
    pub fn key_bytes(&self, key: &K) -> Vec<u8> {
        let mut out = self.namespace.to_vec();
        key.append_key(&mut out);
        out
    }

    /// The key whose raw store key is `raw`: the inverse of
    /// [`Map::key_bytes`], for code that walks the store directly.
    ///
    /// # Errors
    ///
    /// `raw` is outside the namespace or is not a valid `K` encoding.
    pub fn decode_key(&self, raw: &[u8]) -> Result<K::Owned, super::CodecError> {
        let rest = raw
            .strip_prefix(self.namespace)
            .ok_or_else(|| super::CodecError::new("key is outside the map's namespace"))?;
        K::decode_key(rest)
    }

    /// Whether a value is stored under `key` (without decoding it).
    ///
    /// # Errors
    ///
    /// A failed read.
    pub fn has<S: ReadStore + ?Sized>(&self, store: &S, key: K) -> Result<bool, ModuleError> {
        Ok(store.reader().has(&self.key_bytes(&key))?)
    }

    /// Deletes the value under `key` (a no-op if absent).
    pub fn remove<S: WriteStore + ?Sized>(&self, store: &mut S, key: K) {
        store.delete_raw(self.key_bytes(&key));
    }
}

impl<K: MapKey, V, C: Codec<V>> Map<K, V, C> {
    /// The value under `key`.
    ///
    /// # Errors
    ///
    /// [`ModuleError::Rejected`] if nothing is stored (use
    /// [`Map::may_load`] when absence is normal),
    /// [`ModuleError::CorruptState`] if the bytes do not decode, or a failed
    /// read.
    pub fn load<S: ReadStore + ?Sized>(&self, store: &S, key: K) -> Result<V, ModuleError> {
        let raw = self.key_bytes(&key);
        load_raw::<V, C>(&store.reader(), &raw)?.ok_or_else(|| missing(store.reader().name(), &raw))
    }

    /// The value under `key`, or `None`.
    ///
    /// # Errors
    ///
    /// [`ModuleError::CorruptState`] if the bytes do not decode, or a failed
    /// read.
    pub fn may_load<S: ReadStore + ?Sized>(
        &self,
        store: &S,
        key: K,
    ) -> Result<Option<V>, ModuleError> {
        load_raw::<V, C>(&store.reader(), &self.key_bytes(&key))
    }

    /// Stores `value` under `key`.
    ///
    /// # Errors
    ///
    /// [`ModuleError::Rejected`] if the codec cannot encode `value`.
    pub fn save<S: WriteStore + ?Sized>(
        &self,
        store: &mut S,
        key: K,
        value: &V,
    ) -> Result<(), ModuleError> {
        let raw = self.key_bytes(&key);
        let bytes = encode_value::<V, C>(store.reader().name(), &raw, value)?;
        store.set_raw(raw, bytes);
        Ok(())
    }

    /// Applies `f` to the value under `key` (`None` if absent), saves and
    /// returns the result; when `f` fails nothing is written.
    ///
    /// # Errors
    ///
    /// As [`Map::may_load`] and [`Map::save`], or `f`'s error.
    pub fn update<S, E, F>(&self, store: &mut S, key: K, f: F) -> Result<V, E>
    where
        S: WriteStore + ?Sized,
        E: From<ModuleError>,
        F: FnOnce(Option<V>) -> Result<V, E>,
    {
        let raw = self.key_bytes(&key);
        let value = f(load_raw::<V, C>(&store.reader(), &raw)?)?;
        let bytes = encode_value::<V, C>(store.reader().name(), &raw, &value)?;
        store.set_raw(raw, bytes);
        Ok(value)
    }

    /// Every entry, in ascending key order. A failed read or an
    /// undecodable key or value is an `Err` item
    /// ([`ModuleError::CorruptState`] naming the key).
    pub fn iter<'a, S: ReadStore + ?Sized>(&self, store: &'a S) -> MapIter<'a, K, V, C> {
        self.range(store, ..)
    }

    /// The entries whose key lies in `bounds`, in ascending key order:
    /// `MAP.range(store, 2..10)`, `MAP.range(store, ..)`. Errors are items,
    /// as in [`Map::iter`].
    pub fn range<'a, S: ReadStore + ?Sized>(
        &self,
        store: &'a S,
        bounds: impl RangeBounds<K>,
    ) -> MapIter<'a, K, V, C> {
        let start = match bounds.start_bound() {
            Bound::Included(k) => Bound::Included(self.key_bytes(k)),
            Bound::Excluded(k) => Bound::Excluded(self.key_bytes(k)),
            Bound::Unbounded => Bound::Included(self.namespace.to_vec()),
        };
        let end = match bounds.end_bound() {
            Bound::Included(k) => Bound::Included(self.key_bytes(k)),
            Bound::Excluded(k) => Bound::Excluded(self.key_bytes(k)),
            Bound::Unbounded => match prefix_successor(self.namespace) {
                Some(end) => Bound::Excluded(end),
                None => Bound::Unbounded,
            },
        };
        MapIter::new(store, KeyRange { start, end }, self.namespace.len())
    }
}

impl<A: MapKey, B: MapKey, V, C: Codec<V>> Map<(A, B), V, C> {
    /// Every entry whose key's first component is `first`, as `(second
    /// component, value)` in ascending order of the second component.
    /// Errors are items, as in [`Map::iter`].
    pub fn prefix<'a, S: ReadStore + ?Sized>(
        &self,
        store: &'a S,
        first: A,
    ) -> MapIter<'a, B, V, C> {
        let mut prefix = self.namespace.to_vec();
        prefix.extend_from_slice(&first_component(&first));
        MapIter::new(store, KeyRange::prefix(&prefix), prefix.len())
    }
}

/// Reads and decodes the value under the raw key `raw`.
pub(crate) fn load_raw<V, C: Codec<V>>(
    reader: &crate::store::ModuleReader<'_>,
    raw: &[u8],
) -> Result<Option<V>, ModuleError> {
    match reader.get(raw)? {
        Some(bytes) => decode_value::<V, C>(reader.name(), raw, &bytes).map(Some),
        None => Ok(None),
    }
}

/// An ascending iteration over map entries, decoding keys (after a fixed
/// number of prefix bytes) as `K` and values with `C`. It borrows the store
/// handle, so the map cannot be written while it runs: collect first.
pub struct MapIter<'a, K, V, C> {
    inner: KvIter<'a>,
    store: String,
    skip: usize,
    marker: Marker<K, V, C>,
}

impl<'a, K, V, C> MapIter<'a, K, V, C> {
    fn new<S: ReadStore + ?Sized>(store: &'a S, range: KeyRange, skip: usize) -> Self {
        let reader = store.reader();
        MapIter {
            // A failure to start becomes the only item.
            inner: reader
                .range(range)
                .unwrap_or_else(|e| Box::new(std::iter::once(Err(e)))),
            store: reader.name().to_owned(),
            skip,
            marker: PhantomData,
        }
    }
}

impl<K: MapKey, V, C: Codec<V>> Iterator for MapIter<'_, K, V, C> {
    type Item = Result<(K::Owned, V), ModuleError>;

    fn next(&mut self) -> Option<Self::Item> {
        let (raw, bytes) = match self.inner.next()? {
            Ok(pair) => pair,
            Err(e) => return Some(Err(e.into())),
        };
        let key = raw
            .get(self.skip..)
            .ok_or_else(|| super::CodecError::new("key is shorter than the map prefix"))
            .and_then(K::decode_key)
            .map_err(|e| ModuleError::corrupt(&self.store, &raw, format!("map key: {e}")));
        Some(key.and_then(|key| {
            let value = decode_value::<V, C>(&self.store, &raw, &bytes)?;
            Ok((key, value))
        }))
    }
}

impl<K, V, C> Clone for Map<K, V, C> {
    fn clone(&self) -> Self {
        *self
    }
}

impl<K, V, C> Copy for Map<K, V, C> {}

impl<K, V, C> fmt::Debug for Map<K, V, C> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Map")
            .field("namespace", &String::from_utf8_lossy(self.namespace))
            .finish()
    }
}
