//! What a block's pending delta reads through to.

use crate::commitment::LatticeHash;
use crate::store::{KeyRange, KvIter, Snapshot, StateRead, StoreError, WriteSession};

/// The state under a block's delta: the last commit, or, for a block that
/// applies an upgrade, the write session the upgrade streamed into (so its
/// millions of writes are in the transaction, not in memory).
pub enum BlockBase {
    /// The last commit, read-only.
    Committed(Snapshot),
    /// A write session over the last commit.
    Writing(Box<WriteSession>),
}

impl BlockBase {
    /// The lattice of this base, given the last commit's.
    pub(crate) fn lattice(&self, committed: &LatticeHash) -> Result<LatticeHash, StoreError> {
        match self {
            BlockBase::Committed(_) => Ok(committed.clone()),
            BlockBase::Writing(session) => session.lattice(),
        }
    }
}

impl StateRead for BlockBase {
    fn get(&self, store: &str, key: &[u8]) -> Result<Option<Vec<u8>>, StoreError> {
        match self {
            BlockBase::Committed(s) => s.get(store, key),
            BlockBase::Writing(s) => s.get(store, key),
        }
    }

    fn range(&self, store: &str, range: KeyRange) -> Result<KvIter<'_>, StoreError> {
        match self {
            BlockBase::Committed(s) => s.range(store, range),
            BlockBase::Writing(s) => s.range(store, range),
        }
    }
}
