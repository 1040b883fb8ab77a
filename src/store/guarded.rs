//! Panics inside the database engine become errors. redb trusts the pages it
//! reads; a file corrupted on disk can make it hit an `unreachable!`. A node
//! must then refuse with the file named, not crash.

use std::panic::{AssertUnwindSafe, catch_unwind};
use std::path::{Path, PathBuf};

use super::{KeyRange, KvPair, StoreError, TableOp, TableRead, TableWrite};

/// A backend view whose every call is guarded.
pub(crate) struct Guarded<T> {
    inner: T,
    path: PathBuf,
}

impl<T> Guarded<T> {
    pub(crate) fn new(inner: T, path: &Path) -> Self {
        Guarded {
            inner,
            path: path.to_owned(),
        }
    }
}

/// The message a panic carried, for an error that reports it.
pub(crate) fn panic_detail(payload: &(dyn std::any::Any + Send)) -> String {
    payload
        .downcast_ref::<&str>()
        .map(|s| (*s).to_owned())
        .or_else(|| payload.downcast_ref::<String>().cloned())
        .unwrap_or_else(|| "no detail".to_owned())
}

fn guard<R>(path: &Path, f: impl FnOnce() -> Result<R, StoreError>) -> Result<R, StoreError> {
    match catch_unwind(AssertUnwindSafe(f)) {
        Ok(result) => result,
        Err(payload) => {
            let detail = panic_detail(payload.as_ref());
            Err(StoreError::StateFile {
                path: path.to_owned(),
                reason: format!(
                    "it is corrupt: the database engine failed while reading it ({detail}); restore it from a backup or initialise a new home"
                ),
            })
        }
    }
}

impl<T: TableRead> TableRead for Guarded<T> {
    fn get(&self, table: &str, key: &[u8]) -> Result<Option<Vec<u8>>, StoreError> {
        guard(&self.path, || self.inner.get(table, key))
    }

    fn range(
        &self,
        table: &str,
        range: &KeyRange,
        limit: usize,
    ) -> Result<Vec<KvPair>, StoreError> {
        guard(&self.path, || self.inner.range(table, range, limit))
    }

    fn tables(&self) -> Result<Vec<String>, StoreError> {
        guard(&self.path, || self.inner.tables())
    }
}

impl<T: TableWrite> TableWrite for Guarded<T> {
    fn write_batch(
        &mut self,
        table: &str,
        ops: &[TableOp],
    ) -> Result<Vec<Option<Vec<u8>>>, StoreError> {
        guard(&self.path, || self.inner.write_batch(table, ops))
    }

    fn delete_range(&mut self, table: &str, range: &KeyRange) -> Result<u64, StoreError> {
        guard(&self.path, || self.inner.delete_range(table, range))
    }

    fn delete_table(&mut self, table: &str) -> Result<(), StoreError> {
        guard(&self.path, || self.inner.delete_table(table))
    }

    fn commit(self: Box<Self>) -> Result<(), StoreError> {
        let Guarded { inner, path } = *self;
        guard(&path, || Box::new(inner).commit())
    }
}
