//! The embedded on-disk backend: redb, one file at `<home>/data/state.redb`.

use std::cell::RefCell;
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use redb::{
    ReadOnlyTable, ReadableDatabase, ReadableTable, TableDefinition, TableError, TableHandle,
};

use super::guarded::Guarded;
use super::{Backend, KeyRange, KvPair, StoreError, TableOp, TableRead, TableWrite};

type Bytes = &'static [u8];

/// redb's page cache for the state file. Its default (1 GiB) would make a
/// node's memory grow with the state up to that size; a quarter of it keeps
/// an upgrade of a mainnet-size state within a few hundred MiB (the working
/// set of a block is far smaller).
pub const STATE_CACHE_BYTES: usize = 256 << 20;

/// redb's page cache for a read-only open (export, verify, status,
/// queries): these read each page about once, in key order, so a small
/// cache costs little time and keeps an export's memory flat.
pub const READ_ONLY_CACHE_BYTES: usize = 64 << 20;

fn builder() -> redb::Builder {
    builder_with_cache(STATE_CACHE_BYTES)
}

fn builder_with_cache(bytes: usize) -> redb::Builder {
    let mut builder = redb::Database::builder();
    builder.set_cache_size(bytes);
    builder
}

fn definition(table: &str) -> TableDefinition<'_, Bytes, Bytes> {
    TableDefinition::new(table)
}

/// State in one redb file. Every write transaction commits with
/// `Durability::Immediate` and quick repair, so a SIGKILL loses at most the
/// block being written and restart is fast.
pub struct RedbBackend {
    db: redb::Database,
    path: PathBuf,
}

impl RedbBackend {
    /// Creates the file (it must not exist yet).
    ///
    /// # Errors
    ///
    /// [`StoreError::StateFile`] if it exists or cannot be created.
    pub fn create(path: &Path) -> Result<Self, StoreError> {
        if path.exists() {
            return Err(StoreError::StateFile {
                path: path.to_owned(),
                reason: "it already exists; refusing to overwrite an existing chain".into(),
            });
        }
        let db = builder()
            .create(path)
            .map_err(|e| state_file_error(path, &e))?;
        Ok(RedbBackend {
            db,
            path: path.to_owned(),
        })
    }

    /// Opens an existing file, repairing it after an unclean shutdown.
    ///
    /// # Errors
    ///
    /// [`StoreError::InUse`] if another process holds it;
    /// [`StoreError::StateFile`] if it is missing, truncated or corrupt.
    pub fn open(path: &Path) -> Result<Self, StoreError> {
        if !path.is_file() {
            return Err(StoreError::StateFile {
                path: path.to_owned(),
                reason: "no such file".into(),
            });
        }
        let db = builder()
            .open(path)
            .map_err(|e| state_file_error(path, &e))?;
        Ok(RedbBackend {
            db,
            path: path.to_owned(),
        })
    }

    /// A read-only view of an existing file that changes nothing on disk, so
    /// its metadata can be checked before the file is opened for writing.
    /// `None` when the file needs crash recovery first (after a SIGKILL),
    /// which only a read-write open performs.
    ///
    /// # Errors
    ///
    /// [`StoreError::StateFile`] if it is missing, locked, truncated or corrupt.
    pub fn inspect(path: &Path) -> Result<Option<Box<dyn TableRead>>, StoreError> {
        if !path.is_file() {
            return Err(StoreError::StateFile {
                path: path.to_owned(),
                reason: "no such file".into(),
            });
        }
        let db = match builder().open_read_only(path) {
            Ok(db) => db,
            Err(redb::DatabaseError::RepairAborted) => return Ok(None),
            Err(e) => return Err(state_file_error(path, &e)),
        };
        let txn = begin_read(&db)?;
        Ok(Some(read_view(txn, Some(db), path)))
    }

    /// The file's path.
    pub fn path(&self) -> &Path {
        &self.path
    }
}

/// A state file opened without write access: reads only, and the file is
/// left byte-identical. For commands that inspect a node.
pub struct RedbReadOnlyBackend {
    db: redb::ReadOnlyDatabase,
    path: PathBuf,
}

impl RedbReadOnlyBackend {
    /// Opens an existing file read-only. A file left by a crash (SIGKILL,
    /// power loss) is first recovered by a read-write open, as `start` would:
    /// recovery restores the last commit and changes no logical state.
    ///
    /// # Errors
    ///
    /// [`StoreError::StateFile`] if it is missing, locked, truncated or corrupt.
    pub fn open(path: &Path) -> Result<Self, StoreError> {
        if !path.is_file() {
            return Err(StoreError::StateFile {
                path: path.to_owned(),
                reason: "no such file".into(),
            });
        }
        let read_only = || builder_with_cache(READ_ONLY_CACHE_BYTES).open_read_only(path);
        let db = match read_only() {
            Ok(db) => db,
            Err(redb::DatabaseError::RepairAborted) => {
                drop(RedbBackend::open(path)?);
                read_only().map_err(|e| state_file_error(path, &e))?
            }
            Err(other) => return Err(state_file_error(path, &other)),
        };
        Ok(RedbReadOnlyBackend {
            db,
            path: path.to_owned(),
        })
    }
}

impl Backend for RedbReadOnlyBackend {
    fn begin_read(&self) -> Result<Box<dyn TableRead>, StoreError> {
        Ok(read_view(begin_read(&self.db)?, None, &self.path))
    }

    fn begin_write(&self) -> Result<Box<dyn TableWrite>, StoreError> {
        Err(StoreError::StateFile {
            path: self.path.clone(),
            reason: "it was opened read-only; this command does not write".into(),
        })
    }
}

fn state_file_error(path: &Path, err: &redb::DatabaseError) -> StoreError {
    let reason = match err {
        redb::DatabaseError::DatabaseAlreadyOpen => {
            return StoreError::InUse {
                path: path.to_owned(),
            };
        }
        redb::DatabaseError::Storage(redb::StorageError::Corrupted(what)) => {
            format!("it is corrupt or truncated ({what}); restore it from a backup")
        }
        other => format!("{other}"),
    };
    StoreError::StateFile {
        path: path.to_owned(),
        reason,
    }
}

fn begin_read(db: &impl ReadableDatabase) -> Result<redb::ReadTransaction, StoreError> {
    db.begin_read()
        .map_err(|e| StoreError::backend("starting a read transaction", e))
}

/// A read view over `txn`; `keep` holds a read-only database open for as
/// long as the view lives.
fn read_view(
    txn: redb::ReadTransaction,
    keep: Option<redb::ReadOnlyDatabase>,
    path: &Path,
) -> Box<dyn TableRead> {
    let view = RedbRead {
        tables: RefCell::new(BTreeMap::new()),
        txn,
        _read_only: keep,
    };
    Box::new(Guarded::new(view, path))
}

struct RedbRead {
    tables: RefCell<BTreeMap<String, Option<ReadOnlyTable<Bytes, Bytes>>>>,
    txn: redb::ReadTransaction,
    /// Keeps a read-only database open for as long as the view lives
    /// (declared last: dropped after the transaction).
    _read_only: Option<redb::ReadOnlyDatabase>,
}

impl RedbRead {
    fn with_table<T>(
        &self,
        table: &str,
        f: impl FnOnce(&ReadOnlyTable<Bytes, Bytes>) -> Result<T, redb::StorageError>,
        missing: T,
    ) -> Result<T, StoreError> {
        let mut tables = self.tables.borrow_mut();
        if !tables.contains_key(table) {
            let opened = match self.txn.open_table(definition(table)) {
                Ok(t) => Some(t),
                Err(TableError::TableDoesNotExist(_)) => None,
                Err(e) => return Err(StoreError::backend("opening a table for reading", e)),
            };
            tables.insert(table.to_owned(), opened);
        }
        match tables.get(table) {
            Some(Some(t)) => f(t).map_err(|e| StoreError::backend("reading the state file", e)),
            _ => Ok(missing),
        }
    }
}

fn collect_range<'a>(
    iter: impl Iterator<
        Item = Result<
            (redb::AccessGuard<'a, Bytes>, redb::AccessGuard<'a, Bytes>),
            redb::StorageError,
        >,
    >,
    limit: usize,
) -> Result<Vec<KvPair>, redb::StorageError> {
    iter.take(limit)
        .map(|r| r.map(|(k, v)| (k.value().to_vec(), v.value().to_vec())))
        .collect()
}

fn table_names(tables: impl Iterator<Item = redb::UntypedTableHandle>) -> Vec<String> {
    let mut names: Vec<String> = tables.map(|t| t.name().to_owned()).collect();
    names.sort();
    names
}

impl TableRead for RedbRead {
    fn tables(&self) -> Result<Vec<String>, StoreError> {
        let tables = self
            .txn
            .list_tables()
            .map_err(|e| StoreError::backend("listing the tables of the state file", e))?;
        Ok(table_names(tables))
    }

    fn get(&self, table: &str, key: &[u8]) -> Result<Option<Vec<u8>>, StoreError> {
        self.with_table(table, |t| Ok(t.get(key)?.map(|g| g.value().to_vec())), None)
    }

    fn range(
        &self,
        table: &str,
        range: &KeyRange,
        limit: usize,
    ) -> Result<Vec<KvPair>, StoreError> {
        if range.is_empty() {
            return Ok(Vec::new());
        }
        self.with_table(
            table,
            |t| collect_range(t.range::<&[u8]>(range.as_bounds())?, limit),
            Vec::new(),
        )
    }
}

struct RedbWrite {
    txn: redb::WriteTransaction,
}

fn write_error(err: impl std::fmt::Display) -> StoreError {
    StoreError::backend("writing the state file", err)
}

impl TableRead for RedbWrite {
    fn tables(&self) -> Result<Vec<String>, StoreError> {
        Ok(table_names(self.txn.list_tables().map_err(write_error)?))
    }

    fn get(&self, table: &str, key: &[u8]) -> Result<Option<Vec<u8>>, StoreError> {
        let t = self
            .txn
            .open_table(definition(table))
            .map_err(write_error)?;
        let value = t.get(key).map_err(write_error)?;
        Ok(value.map(|g| g.value().to_vec()))
    }

    fn range(
        &self,
        table: &str,
        range: &KeyRange,
        limit: usize,
    ) -> Result<Vec<KvPair>, StoreError> {
        if range.is_empty() {
            return Ok(Vec::new());
        }
        let t = self
            .txn
            .open_table(definition(table))
            .map_err(write_error)?;
        let iter = t.range::<&[u8]>(range.as_bounds()).map_err(write_error)?;
        collect_range(iter, limit).map_err(write_error)
    }
}

impl TableWrite for RedbWrite {
    fn write_batch(
        &mut self,
        table: &str,
        ops: &[TableOp],
    ) -> Result<Vec<Option<Vec<u8>>>, StoreError> {
        let mut t = self
            .txn
            .open_table(definition(table))
            .map_err(write_error)?;
        let mut previous = Vec::with_capacity(ops.len());
        for (key, value) in ops {
            let old = match value {
                Some(value) => t.insert(key.as_slice(), value.as_slice()),
                None => t.remove(key.as_slice()),
            }
            .map_err(write_error)?;
            previous.push(old.map(|g| g.value().to_vec()));
        }
        Ok(previous)
    }

    /// One pass of redb's `retain_in` (a cursor that removes as it goes)
    /// instead of a lookup per key.
    fn delete_range(&mut self, table: &str, range: &KeyRange) -> Result<u64, StoreError> {
        if range.is_empty() {
            return Ok(0);
        }
        let mut t = self
            .txn
            .open_table(definition(table))
            .map_err(write_error)?;
        let mut removed = 0u64;
        t.retain_in::<&[u8], _>(range.as_bounds(), |_, _| {
            removed += 1;
            false
        })
        .map_err(write_error)?;
        Ok(removed)
    }

    fn delete_table(&mut self, table: &str) -> Result<(), StoreError> {
        self.txn
            .delete_table(definition(table))
            .map_err(write_error)?;
        Ok(())
    }

    fn commit(self: Box<Self>) -> Result<(), StoreError> {
        self.txn
            .commit()
            .map_err(|e| StoreError::backend("committing a block to the state file", e))
    }
}

impl Backend for RedbBackend {
    fn begin_read(&self) -> Result<Box<dyn TableRead>, StoreError> {
        Ok(read_view(begin_read(&self.db)?, None, &self.path))
    }

    fn begin_write(&self) -> Result<Box<dyn TableWrite>, StoreError> {
        let mut txn = self
            .db
            .begin_write()
            .map_err(|e| StoreError::backend("starting a write transaction", e))?;
        txn.set_quick_repair(true);
        Ok(Box::new(Guarded::new(RedbWrite { txn }, &self.path)))
    }

    fn scratch_dir(&self) -> Option<&Path> {
        self.path.parent()
    }
}
