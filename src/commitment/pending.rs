//! The lattice of a state not yet committed: a change set over committed
//! state (a pending block, a dry run) or over nothing (genesis, a restored
//! snapshot). The commit path itself updates the lattice as it writes.

use super::LatticeHash;
use crate::store::{ChangeSet, StateRead, StoreError};

impl LatticeHash {
    /// The lattice of a state made only of `changes`' sets (deletes of
    /// keys that never existed change nothing).
    #[must_use]
    pub fn of_sets(changes: &ChangeSet) -> Self {
        let mut lattice = Self::new();
        for (store, writes) in changes.stores() {
            for (key, value) in writes {
                if let Some(value) = value {
                    lattice.insert(store, key, value);
                }
            }
        }
        lattice
    }

    /// This lattice, which is `committed`'s, with `changes` applied over it:
    /// what the state would hash to once they are committed.
    ///
    /// # Errors
    ///
    /// A failed read of a committed value that `changes` replaces.
    pub fn with_changes<S: StateRead + ?Sized>(
        &self,
        committed: &S,
        changes: &ChangeSet,
    ) -> Result<Self, StoreError> {
        let mut lattice = self.clone();
        for (store, writes) in changes.stores() {
            for (key, new) in writes {
                let old = committed.get(store, key)?;
                lattice.update(store, key, old.as_deref(), new.as_deref());
            }
        }
        Ok(lattice)
    }
}
