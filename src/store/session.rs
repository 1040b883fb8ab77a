//! A write session: a block's writes streamed into the backend's write
//! transaction as they are made, in bounded sorted batches, instead of
//! piling up in memory until commit.
//!
//! An upgrade that re-keys every account writes millions of keys in one
//! block. In a [`super::StateDelta`] they would all sit in memory; here at
//! most one buffer of them does (`buffer_limit` bytes), the rest is already
//! in the transaction, which redb keeps on disk. Nothing is visible to
//! readers or durable before [`super::Storage::commit_session`], and
//! dropping the session discards everything, so a block stays atomic.
//!
//! Nested all-or-nothing scopes (an upgrade, each module's migration) are
//! [`WriteSession::open_scope`] / [`WriteSession::close_scope`]: a scope
//! saves the lattice and journals the old value of every key a batch
//! overwrites while it is open ([`super::journal`]), so rolling it back
//! restores the transaction, the lattice and the counters exactly.

use std::collections::BTreeMap;
use std::time::{Duration, Instant};

use super::journal::{JournalMark, UndoJournal};
use super::router::{LayoutState, MigrationCounters, RoutedReader, route_writes};
use super::{
    ChangeSet, KeyRange, KvIter, MIGRATION_STORE, Placement, StateRead, StateWrite, StoreError,
    TableOp, TableRead, TableWrite, V1_TABLE, merge_overlay,
};
use crate::commitment::{LatticeHash, LatticeWorker, StoreLattices};

/// Bytes of pending writes (keys, values and bookkeeping) kept in memory
/// before they are written into the transaction.
pub const DEFAULT_WRITE_BUFFER: usize = 32 << 20;

/// Ops written, journaled and handed to the lattice worker at a time.
const CHUNK: usize = 8192;

/// Rough per-entry cost of a buffered write beyond its bytes (map node,
/// vector headers).
const ENTRY_OVERHEAD: usize = 96;

/// A nested scope of a session, as returned by [`WriteSession::open_scope`].
#[derive(Debug, PartialEq, Eq)]
pub struct ScopeMark(usize);

struct SavedScope {
    journal: JournalMark,
    lattice: Settled,
    counters: MigrationCounters,
    touched: BTreeMap<String, u64>,
}

/// The lattices of the state as of the last settled batch: the whole
/// state's, and each store's when the state file tracks them.
#[derive(Clone, Debug)]
pub(super) struct Settled {
    pub(super) total: LatticeHash,
    pub(super) stores: Option<StoreLattices>,
}

impl Settled {
    fn plus(&self, sum: &StoreLattices) -> Settled {
        let mut total = self.total.clone();
        total.combine(&sum.total());
        let stores = self.stores.clone().map(|mut stores| {
            stores.combine(sum);
            stores
        });
        Settled { total, stores }
    }
}

/// What a session did: for benchmarks and logs.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct SessionStats {
    /// Physical writes made (a key written in two batches counts twice).
    pub writes: u64,
    /// Batches written into the transaction.
    pub batches: u64,
    /// Time the lattice worker spent updating the lattice hash (on its own
    /// thread, alongside the writes).
    pub lattice_time: Duration,
    /// Time the writing thread waited for the lattice worker.
    pub lattice_wait: Duration,
    /// Time spent writing batches into the transaction.
    pub write_time: Duration,
}

/// A block's writes going straight into one backend write transaction.
pub struct WriteSession {
    pub(super) txn: Box<dyn TableWrite>,
    pub(super) layout: LayoutState,
    pub(super) lattice: Settled,
    pub(super) counters: MigrationCounters,
    buffer: ChangeSet,
    buffered: usize,
    buffer_limit: usize,
    scopes: Vec<SavedScope>,
    journal: UndoJournal,
    failed: Option<String>,
    pub(super) stats: SessionStats,
    touched: BTreeMap<String, u64>,
    worker: LatticeWorker<Vec<Written>>,
    /// Whether a rolled-back scope is undone in place (journaled), or
    /// poisons the session, which its owner then drops.
    undo: bool,
}

impl WriteSession {
    pub(super) fn new(
        txn: Box<dyn TableWrite>,
        layout: LayoutState,
        lattice: Settled,
        counters: MigrationCounters,
        scratch_dir: Option<&std::path::Path>,
        buffer_limit: usize,
    ) -> Result<Self, StoreError> {
        Ok(WriteSession {
            txn,
            layout,
            lattice,
            counters,
            buffer: ChangeSet::new(),
            buffered: 0,
            buffer_limit,
            scopes: Vec::new(),
            journal: UndoJournal::new(scratch_dir),
            failed: None,
            stats: SessionStats::default(),
            touched: BTreeMap::new(),
            worker: LatticeWorker::spawn(fold_batch, batch_bytes, buffer_limit.saturating_mul(2))?,
            undo: true,
        })
    }

    /// For an owner that drops the whole session whenever a scope rolls
    /// back (a block whose upgrade fails is never committed): scopes then
    /// keep no undo journal (an upgrade that rewrites every key would write
    /// every old value to it), and a rolled-back scope leaves the session
    /// refusing to commit instead of undoing it.
    pub fn discard_on_rollback(&mut self) {
        self.undo = false;
    }

    /// What the session did so far.
    pub fn stats(&self) -> SessionStats {
        self.stats
    }

    /// Writes per store so far (a key written in two batches counts twice).
    pub fn writes_per_store(&self) -> BTreeMap<String, u64> {
        let mut touched = self.touched.clone();
        for (store, writes) in self.buffer.stores() {
            *touched.entry(store.to_owned()).or_default() += writes.len() as u64;
        }
        touched
    }

    /// The lattice of the state as the session sees it now (committed state
    /// plus every write so far).
    ///
    /// # Errors
    ///
    /// A failed read, or an earlier write of the session failed.
    pub fn lattice(&self) -> Result<LatticeHash, StoreError> {
        self.check()?;
        let view = self.routed_view();
        let mut lattice = self.flushed_lattice()?;
        for (store, writes) in self.buffer.stores() {
            for (key, new) in writes {
                let old = view.get(store, key)?;
                lattice.update(store, key, old.as_deref(), new.as_deref());
            }
        }
        Ok(lattice)
    }

    /// The lattice of the committed state plus every flushed batch, once
    /// the worker has folded them in.
    pub(super) fn flushed_lattice(&self) -> Result<LatticeHash, StoreError> {
        let (sum, _) = self.worker.sum()?;
        Ok(self.lattice.plus(&sum).total)
    }

    /// The lattices (whole and per store) of the committed state plus every
    /// flushed batch, recording the wait and the worker's time in the stats.
    pub(super) fn settle_lattice(&mut self) -> Result<Settled, StoreError> {
        let started = Instant::now();
        let (sum, busy) = self.worker.sum()?;
        self.stats.lattice_wait += started.elapsed();
        self.stats.lattice_time = busy;
        Ok(self.lattice.plus(&sum))
    }

    /// Opens a nested scope: everything written until the matching
    /// [`WriteSession::close_scope`] can be rolled back as one.
    ///
    /// # Errors
    ///
    /// A backend failure writing the pending batch.
    pub fn open_scope(&mut self) -> Result<ScopeMark, StoreError> {
        if !self.undo {
            self.check()?;
            self.scopes.push(SavedScope {
                journal: self.journal.mark(),
                lattice: self.lattice.clone(),
                counters: self.counters,
                touched: BTreeMap::new(),
            });
            return Ok(ScopeMark(self.scopes.len() - 1));
        }
        self.flush()?;
        let lattice = match self.settle_lattice() {
            Ok(lattice) => lattice,
            Err(e) => return self.fail(e).map(|()| ScopeMark(0)),
        };
        self.scopes.push(SavedScope {
            journal: self.journal.mark(),
            lattice,
            counters: self.counters,
            touched: self.touched.clone(),
        });
        Ok(ScopeMark(self.scopes.len() - 1))
    }

    /// Closes the innermost scope, keeping its writes or rolling them back.
    ///
    /// # Errors
    ///
    /// `mark` is not the innermost open scope, or a backend failure (the
    /// session then refuses to commit).
    pub fn close_scope(&mut self, mark: ScopeMark, keep: bool) -> Result<(), StoreError> {
        if mark.0 + 1 != self.scopes.len() {
            return self.fail(StoreError::backend(
                "closing a nested write scope",
                "scopes must close innermost first",
            ));
        }
        let Some(saved) = self.scopes.pop() else {
            return Ok(());
        };
        let result = if keep {
            if self.scopes.is_empty() {
                self.journal.clear()
            } else {
                Ok(())
            }
        } else if !self.undo {
            Err(StoreError::backend(
                "rolling back a write scope",
                "this session keeps no undo journal; it must be dropped, not committed",
            ))
        } else {
            self.buffer = ChangeSet::new();
            self.buffered = 0;
            self.lattice = saved.lattice;
            self.counters = saved.counters;
            self.touched = saved.touched;
            self.worker
                .reset()
                .and_then(|()| self.journal.undo_to(saved.journal, self.txn.as_mut()))
        };
        match result {
            Ok(()) => Ok(()),
            Err(e) => self.fail(e),
        }
    }

    /// Number of scopes still open.
    pub fn open_scopes(&self) -> usize {
        self.scopes.len()
    }

    fn fail(&mut self, err: StoreError) -> Result<(), StoreError> {
        if self.failed.is_none() {
            self.failed = Some(err.to_string());
        }
        Err(err)
    }

    pub(super) fn check(&self) -> Result<(), StoreError> {
        match &self.failed {
            Some(message) => Err(StoreError::backend(
                "continuing after a failed write of this block",
                message,
            )),
            None => Ok(()),
        }
    }

    fn routed_view(&self) -> RoutedReader<'_> {
        RoutedReader {
            reader: self.txn.as_ref() as &dyn TableRead,
            state: &self.layout,
        }
    }

    /// Writes the buffered changes into the transaction, in key order, and
    /// updates the lattice with each key's old and new value.
    ///
    /// # Errors
    ///
    /// A backend failure; the session then refuses to commit.
    pub fn flush(&mut self) -> Result<(), StoreError> {
        self.buffered = 0;
        let changes = std::mem::take(&mut self.buffer);
        self.write_set(changes)
    }

    /// Writes a change set already sorted in memory (a block's delta)
    /// straight into the transaction, after what is buffered, without
    /// copying it into the buffer first.
    ///
    /// # Errors
    ///
    /// As [`WriteSession::flush`].
    pub(super) fn write_set(&mut self, changes: ChangeSet) -> Result<(), StoreError> {
        self.check()?;
        if !self.buffer.is_empty() {
            self.flush()?;
        }
        if changes.is_empty() {
            return Ok(());
        }
        match self.write(changes) {
            Ok(()) => Ok(()),
            Err(e) => self.fail(e),
        }
    }

    fn write(&mut self, changes: ChangeSet) -> Result<(), StoreError> {
        let started = Instant::now();
        for (store, writes) in changes.into_stores() {
            for (place, ops) in route_writes(self.txn.as_ref(), &self.layout, &store, writes)? {
                let mut ops = ops.into_iter().peekable();
                while ops.peek().is_some() {
                    let chunk: Vec<TableOp> = ops.by_ref().take(CHUNK).collect();
                    self.write_chunk(&store, &place, chunk)?;
                }
            }
        }
        self.stats.batches += 1;
        self.stats.write_time += started.elapsed();
        tracing::debug!(
            batch = self.stats.batches,
            writes = self.stats.writes,
            "write session batch written"
        );
        Ok(())
    }

    /// Writes at most [`CHUNK`] ops of one table, journals what they
    /// replaced while a scope is open, and hands them to the lattice worker:
    /// the old values in flight are bounded by a chunk, whatever their size.
    fn write_chunk(
        &mut self,
        store: &str,
        place: &Placement,
        ops: Vec<TableOp>,
    ) -> Result<(), StoreError> {
        let olds = self.txn.write_batch(&place.table, &ops)?;
        *self.touched.entry(store.to_owned()).or_default() += ops.len() as u64;
        // Only deletes from the v1 table shrink what is left to move.
        if place.table == V1_TABLE && matches!(self.layout, LayoutState::Migrating(_)) {
            let deleted = ops.iter().zip(&olds);
            let deleted = deleted.filter(|((_, new), old)| old.is_some() && new.is_none());
            self.counters.left = self.counters.left.saturating_sub(deleted.count() as u64);
        }
        self.stats.writes += ops.len() as u64;
        if self.undo && !self.scopes.is_empty() {
            self.journal
                .record(&[(place.table.as_str(), &ops, &olds)])?;
        }
        // The lattice of this chunk is summed on the worker's thread while
        // this one goes on with the block.
        self.worker.add(vec![Written {
            store: store.to_owned(),
            place: place.clone(),
            ops,
            olds,
        }])
    }
}

/// Folds one flushed batch into per-store lattices: each key's old value
/// out, its new value in.
fn fold_batch(batch: &Vec<Written>, lattice: &mut StoreLattices) {
    for w in batch {
        for ((physical, new), old) in w.ops.iter().zip(&w.olds) {
            let key = &physical[w.place.prefix.len()..];
            lattice.update(&w.store, key, old.as_deref(), new.as_deref());
        }
    }
}

/// The bytes a batch holds (keys, old and new values).
#[allow(clippy::ptr_arg)] // the worker's `fn(&T) -> usize` for T = Vec<Written>
fn batch_bytes(batch: &Vec<Written>) -> usize {
    let value = |v: &Option<Vec<u8>>| v.as_ref().map_or(0, Vec::len);
    batch
        .iter()
        .flat_map(|w| w.ops.iter().zip(&w.olds))
        .map(|((key, new), old)| key.len() + value(new) + value(old))
        .sum()
}

/// One table's part of a flushed batch.
struct Written {
    store: String,
    place: Placement,
    ops: Vec<TableOp>,
    olds: Vec<Option<Vec<u8>>>,
}

impl StateRead for WriteSession {
    fn get(&self, store: &str, key: &[u8]) -> Result<Option<Vec<u8>>, StoreError> {
        self.check()?;
        match self.buffer.get(store, key) {
            Some(pending) => Ok(pending.clone()),
            None => self.routed_view().get(store, key),
        }
    }

    fn range(&self, store: &str, range: KeyRange) -> Result<KvIter<'_>, StoreError> {
        self.check()?;
        let base = self.routed_view().range(store, range.clone());
        let Some(pending) = self.buffer.store(store).filter(|_| !range.is_empty()) else {
            return Ok(base);
        };
        let top = pending
            .range::<[u8], _>(range.as_bounds())
            .map(|(k, v)| Ok((k.clone(), v.clone())));
        Ok(merge_overlay(base, top))
    }
}

impl StateWrite for WriteSession {
    fn set(&mut self, store: &str, key: Vec<u8>, value: Vec<u8>) {
        self.put(store, key, Some(value));
    }

    fn delete(&mut self, store: &str, key: Vec<u8>) {
        self.put(store, key, None);
    }

    fn open_scope(&mut self) -> Option<Result<ScopeMark, StoreError>> {
        Some(WriteSession::open_scope(self))
    }

    fn close_scope(&mut self, mark: ScopeMark, keep: bool) -> Result<(), StoreError> {
        WriteSession::close_scope(self, mark, keep)
    }
}

impl WriteSession {
    fn put(&mut self, store: &str, key: Vec<u8>, value: Option<Vec<u8>>) {
        if self.failed.is_some() {
            return;
        }
        if store == MIGRATION_STORE {
            let _ = self.fail(StoreError::ReservedStore {
                module: "<block>".into(),
                store: MIGRATION_STORE.into(),
            });
            return;
        }
        self.buffered += key.len() + value.as_ref().map_or(0, Vec::len) + ENTRY_OVERHEAD;
        self.buffer.put(store, key, value);
        if self.buffered >= self.buffer_limit {
            // A failure is kept: later reads and the commit report it.
            let _ = self.flush();
        }
    }
}
