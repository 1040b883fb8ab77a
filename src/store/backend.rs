//! Backends: transactional sets of named byte tables.
//!
//! A backend knows nothing of stores, layouts or hashes; [`super::Storage`]
//! maps logical state onto its tables.

use super::{KeyRange, KvPair, StoreError};

/// One write to a physical table: `None` deletes.
pub type TableOp = (Vec<u8>, Option<Vec<u8>>);

/// Reads from a consistent view of the tables.
///
/// `Send`: a node's pending block, built over a read view, moves between
/// the threads of its ABCI connections.
pub trait TableRead: Send {
    /// The value of `key` in `table` (a missing table reads as empty).
    ///
    /// # Errors
    ///
    /// A backend failure.
    fn get(&self, table: &str, key: &[u8]) -> Result<Option<Vec<u8>>, StoreError>;

    /// At most `limit` pairs of `table` inside `range`, in key order.
    ///
    /// # Errors
    ///
    /// A backend failure.
    fn range(&self, table: &str, range: &KeyRange, limit: usize)
    -> Result<Vec<KvPair>, StoreError>;

    /// The names of every table, in name order (for verification).
    ///
    /// # Errors
    ///
    /// A backend failure.
    fn tables(&self) -> Result<Vec<String>, StoreError>;
}

/// A write transaction: reads see its own writes; nothing is visible to
/// readers until [`TableWrite::commit`], and dropping it discards everything.
pub trait TableWrite: TableRead {
    /// Applies `ops` to `table` in order and returns each key's previous value.
    /// Borrowed, so the caller keeps the new values (the app hash needs them)
    /// without copying them.
    ///
    /// # Errors
    ///
    /// A backend failure; the transaction must then be dropped.
    fn write_batch(
        &mut self,
        table: &str,
        ops: &[TableOp],
    ) -> Result<Vec<Option<Vec<u8>>>, StoreError>;

    /// Removes every key of `table` inside `range` and returns how many.
    /// The default reads the keys and removes them one by one; a backend
    /// with a range removal does it in one pass.
    ///
    /// # Errors
    ///
    /// A backend failure; the transaction must then be dropped.
    fn delete_range(&mut self, table: &str, range: &KeyRange) -> Result<u64, StoreError> {
        let keys: Vec<TableOp> = self
            .range(table, range, usize::MAX)?
            .into_iter()
            .map(|(key, _)| (key, None))
            .collect();
        self.write_batch(table, &keys)?;
        Ok(keys.len() as u64)
    }

    /// Removes `table` and everything in it.
    ///
    /// # Errors
    ///
    /// A backend failure.
    fn delete_table(&mut self, table: &str) -> Result<(), StoreError>;

    /// Makes every write durable and visible, atomically.
    ///
    /// # Errors
    ///
    /// A backend failure, in which case nothing was committed.
    fn commit(self: Box<Self>) -> Result<(), StoreError>;
}

/// A place to keep tables.
pub trait Backend: Send + Sync {
    /// A read view of the last commit.
    ///
    /// # Errors
    ///
    /// A backend failure.
    fn begin_read(&self) -> Result<Box<dyn TableRead>, StoreError>;

    /// A write transaction. One at a time. It owns what it needs, so a
    /// block being written can move between threads and outlive the borrow.
    ///
    /// # Errors
    ///
    /// A backend failure.
    fn begin_write(&self) -> Result<Box<dyn TableWrite>, StoreError>;

    /// A directory for scratch files of a large write (its undo journal),
    /// on the state's own disk; `None`: the system's temporary directory.
    fn scratch_dir(&self) -> Option<&std::path::Path> {
        None
    }
}
