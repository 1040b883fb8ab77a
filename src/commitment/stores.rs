//! The lattice of each store, beside the whole state's.
//!
//! The app hash commits to the sum of every store's lattice; keeping each
//! store's part too (node-local, outside the hash) lets verification say
//! which store's bytes changed on disk, not only that some did.

use std::collections::BTreeMap;

use super::LatticeHash;

/// Store name -> the lattice of that store's triples.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct StoreLattices(BTreeMap<String, LatticeHash>);

impl StoreLattices {
    /// No store yet.
    pub fn new() -> Self {
        Self::default()
    }

    /// Records that `key` of `store` went from `old` to `new`.
    pub fn update(&mut self, store: &str, key: &[u8], old: Option<&[u8]>, new: Option<&[u8]>) {
        match self.0.get_mut(store) {
            Some(lattice) => lattice.update(store, key, old, new),
            None => {
                let mut lattice = LatticeHash::new();
                lattice.update(store, key, old, new);
                self.0.insert(store.to_owned(), lattice);
            }
        }
    }

    /// Adds `part` to `store`'s lattice.
    pub fn add(&mut self, store: &str, part: &LatticeHash) {
        match self.0.get_mut(store) {
            Some(lattice) => lattice.combine(part),
            None => {
                self.0.insert(store.to_owned(), part.clone());
            }
        }
    }

    /// Adds `other` store by store.
    pub fn combine(&mut self, other: &StoreLattices) {
        for (store, lattice) in &other.0 {
            self.add(store, lattice);
        }
    }

    /// The whole state's lattice: the sum of every store's.
    pub fn total(&self) -> LatticeHash {
        let mut total = LatticeHash::new();
        for lattice in self.0.values() {
            total.combine(lattice);
        }
        total
    }

    /// One store's lattice (the empty lattice for a store never written).
    pub fn get(&self, store: &str) -> LatticeHash {
        self.0.get(store).cloned().unwrap_or_default()
    }

    /// Sets one store's lattice.
    pub fn insert(&mut self, store: String, lattice: LatticeHash) {
        self.0.insert(store, lattice);
    }

    /// Every store and its lattice, in store-name order.
    pub fn iter(&self) -> impl Iterator<Item = (&str, &LatticeHash)> {
        self.0.iter().map(|(s, l)| (s.as_str(), l))
    }
}
