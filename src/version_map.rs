//! The version map: module name -> consensus version, persisted in the
//! `upgrade` store.

use std::fmt;

use indexmap::IndexMap;
use serde::{Deserialize, Serialize};

use crate::store::{StateRead, StateWrite, StoreError, UPGRADE_STORE};

/// Key prefix of version map entries in the `upgrade` store (Cosmos' layout).
pub const VERSION_MAP_PREFIX: u8 = 0x02;

/// Module name -> consensus version, always kept in canonical (byte-wise
/// sorted) order so that iterating, persisting and hashing it is deterministic.
#[derive(Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(from = "IndexMap<String, u64>", into = "IndexMap<String, u64>")]
pub struct VersionMap {
    entries: IndexMap<String, u64>,
}

impl From<IndexMap<String, u64>> for VersionMap {
    fn from(entries: IndexMap<String, u64>) -> Self {
        entries.into_iter().collect()
    }
}

impl From<VersionMap> for IndexMap<String, u64> {
    fn from(map: VersionMap) -> Self {
        map.entries
    }
}

impl FromIterator<(String, u64)> for VersionMap {
    fn from_iter<I: IntoIterator<Item = (String, u64)>>(iter: I) -> Self {
        let mut map = VersionMap::new();
        for (name, version) in iter {
            map.set(&name, version);
        }
        map
    }
}

impl fmt::Debug for VersionMap {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_map().entries(self.entries.iter()).finish()
    }
}

impl VersionMap {
    /// An empty map.
    pub fn new() -> Self {
        Self::default()
    }

    /// The version of `module`, if present.
    pub fn get(&self, module: &str) -> Option<u64> {
        self.entries.get(module).copied()
    }

    /// Sets `module` to `version`, keeping the canonical order.
    pub fn set(&mut self, module: &str, version: u64) {
        match self.entries.binary_search_keys(&module.to_owned()) {
            Ok(i) => self.entries[i] = version,
            Err(i) => {
                self.entries.shift_insert(i, module.to_owned(), version);
            }
        }
    }

    /// Removes `module`, returning its version.
    pub fn remove(&mut self, module: &str) -> Option<u64> {
        self.entries.shift_remove(module)
    }

    /// Entries in canonical order.
    pub fn iter(&self) -> impl Iterator<Item = (&str, u64)> {
        self.entries.iter().map(|(k, v)| (k.as_str(), *v))
    }

    /// Number of modules.
    pub fn len(&self) -> usize {
        self.entries.len()
    }

    /// Whether the map is empty.
    pub fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }

    /// Whether `module` is present.
    pub fn contains(&self, module: &str) -> bool {
        self.entries.contains_key(module)
    }

    /// Reads the map persisted in the `upgrade` store.
    ///
    /// # Errors
    ///
    /// A backend failure, or an entry whose value is not 8 bytes or whose name
    /// is not UTF-8 ([`StoreError::Corrupt`] naming the key).
    pub fn load<S: StateRead + ?Sized>(state: &S) -> Result<Self, StoreError> {
        let mut map = VersionMap::new();
        for item in state.prefix(UPGRADE_STORE, &[VERSION_MAP_PREFIX])? {
            let (key, value) = item?;
            let name = std::str::from_utf8(&key[1..]).map_err(|_| StoreError::Corrupt {
                what: format!("version map key 0x{}", hex::encode(&key)),
                reason: "module name is not UTF-8".into(),
            })?;
            let version = <[u8; 8]>::try_from(value.as_slice())
                .map(u64::from_be_bytes)
                .map_err(|_| StoreError::Corrupt {
                    what: format!("version map entry of module {name:?}"),
                    reason: format!("expected 8 bytes, found {}", value.len()),
                })?;
            map.set(name, version);
        }
        Ok(map)
    }

    /// Replaces the persisted map with this one (removing modules no longer
    /// present), writing entries in canonical order.
    ///
    /// # Errors
    ///
    /// A backend failure while reading the old entries.
    pub fn store<S: StateWrite + ?Sized>(&self, state: &mut S) -> Result<(), StoreError> {
        let old: Vec<Vec<u8>> = state
            .prefix(UPGRADE_STORE, &[VERSION_MAP_PREFIX])?
            .map(|r| r.map(|(k, _)| k))
            .collect::<Result<_, _>>()?;
        for key in old {
            let name = String::from_utf8_lossy(&key[1..]).into_owned();
            if !self.contains(&name) {
                state.delete(UPGRADE_STORE, key);
            }
        }
        for (name, version) in self.iter() {
            state.set(
                UPGRADE_STORE,
                entry_key(name),
                version.to_be_bytes().to_vec(),
            );
        }
        Ok(())
    }
}

fn entry_key(module: &str) -> Vec<u8> {
    [&[VERSION_MAP_PREFIX], module.as_bytes()].concat()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::store::{Layout, StateDelta, Storage};

    #[test]
    fn keeps_canonical_order_whatever_the_insert_order() {
        let a: VersionMap = [("staking", 2), ("auth", 1), ("bank", 3)]
            .into_iter()
            .map(|(k, v)| (k.to_owned(), v))
            .collect();
        let names: Vec<_> = a.iter().map(|(n, _)| n).collect();
        assert_eq!(names, ["auth", "bank", "staking"]);
    }

    #[test]
    fn persists_in_the_cosmos_key_layout_and_drops_removed_modules() {
        let storage = Storage::in_memory(Layout::V1).unwrap();
        let mut delta = StateDelta::new(storage.snapshot().unwrap());
        let mut map = VersionMap::new();
        map.set("bank", 2);
        map.set("crisis", 1);
        map.store(&mut delta).unwrap();
        assert_eq!(
            delta.get(UPGRADE_STORE, b"\x02bank").unwrap(),
            Some(2u64.to_be_bytes().to_vec())
        );
        map.remove("crisis");
        map.store(&mut delta).unwrap();
        assert_eq!(VersionMap::load(&delta).unwrap(), map);
        assert!(!delta.has(UPGRADE_STORE, b"\x02crisis").unwrap());
    }
}
