//! A set of pending writes, grouped by store, in key order.

use std::collections::BTreeMap;

use super::StateWrite;

/// Pending writes: store -> key -> `Some(value)` to set or `None` to delete.
///
/// BTreeMaps make every walk over a change set ordered, so whatever is derived
/// from it (physical writes, the app hash) is deterministic.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct ChangeSet {
    stores: BTreeMap<String, BTreeMap<Vec<u8>, Option<Vec<u8>>>>,
}

impl ChangeSet {
    /// An empty change set.
    pub fn new() -> Self {
        Self::default()
    }

    /// Records a write, replacing any earlier one to the same key.
    pub fn put(&mut self, store: &str, key: Vec<u8>, value: Option<Vec<u8>>) {
        match self.stores.get_mut(store) {
            Some(map) => {
                map.insert(key, value);
            }
            None => {
                self.stores
                    .insert(store.to_owned(), BTreeMap::from([(key, value)]));
            }
        }
    }

    /// The pending write of `key` in `store`: `Some(None)` is a pending delete.
    pub fn get(&self, store: &str, key: &[u8]) -> Option<&Option<Vec<u8>>> {
        self.stores.get(store)?.get(key)
    }

    /// The pending writes of one store.
    pub fn store(&self, store: &str) -> Option<&BTreeMap<Vec<u8>, Option<Vec<u8>>>> {
        self.stores.get(store)
    }

    /// Every store with pending writes and its writes, in store-name order.
    pub fn stores(&self) -> impl Iterator<Item = (&str, &BTreeMap<Vec<u8>, Option<Vec<u8>>>)> {
        self.stores.iter().map(|(s, m)| (s.as_str(), m))
    }

    /// Consumes the set, store by store.
    pub fn into_stores(self) -> impl Iterator<Item = (String, BTreeMap<Vec<u8>, Option<Vec<u8>>>)> {
        self.stores.into_iter()
    }

    /// Number of pending writes.
    pub fn len(&self) -> usize {
        self.stores.values().map(BTreeMap::len).sum()
    }

    /// Whether nothing is pending.
    pub fn is_empty(&self) -> bool {
        self.stores.values().all(BTreeMap::is_empty)
    }

    /// Replays every write onto `target`.
    pub fn apply_to<W: StateWrite + ?Sized>(self, target: &mut W) {
        for (store, writes) in self.stores {
            for (key, value) in writes {
                match value {
                    Some(value) => target.set(&store, key, value),
                    None => target.delete(&store, key),
                }
            }
        }
    }
}
