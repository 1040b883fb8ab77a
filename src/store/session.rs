//! A write session: a block's writes streamed into the backend's write
//! transaction as they are made, in bounded sorted batches, instead of
//! piling up in memory until commit.
//!
//! An upgrade that re-keys every account writes millions of keys in one
//! block. In a [`super::StateDelta`] they would all sit in memory; here at
//! most one buffer of them does (`buffer_limit` bytes; two while writing
//! behind, one being written and one filling), the rest is already in the
//! transaction, which redb keeps on disk. Nothing is visible to
//! readers or durable before [`super::Storage::commit_session`], and
//! dropping the session discards everything, so a block stays atomic.
//!
//! Nested all-or-nothing scopes (an upgrade, each module's migration) are
//! [`WriteSession::open_scope`] / [`WriteSession::close_scope`]: a scope
//! saves the lattice and journals the old value of every key a batch
//! overwrites while it is open ([`super::journal`]), so rolling it back
//! restores the transaction, the lattice and the counters exactly.
//!
//! A session its owner drops whole on any failure (an upgrade block,
//! InitChain) keeps no journal and writes its full buffers behind, on a
//! second thread ([`super::write_behind`]).

use std::collections::BTreeMap;
use std::time::{Duration, Instant};

use super::batch_writer::BatchWriter;
use super::router::{LayoutState, MigrationCounters, RoutedReader};
use super::write_behind::{Behind, WriterSlot};

mod scopes;

use super::{
    ChangeSet, KeyRange, KvIter, MIGRATION_STORE, StateRead, StateWrite, StoreError, TableRead,
    TableWrite, merge_overlay,
};
use crate::commitment::{LatticeHash, StoreLattices};
use scopes::SavedScope;
pub use scopes::ScopeMark;

/// Bytes of pending writes (keys, values and bookkeeping) kept in memory
/// before they are written into the transaction.
pub const DEFAULT_WRITE_BUFFER: usize = 32 << 20;

/// Rough per-entry cost of a buffered write beyond its bytes (map node,
/// vector headers).
const ENTRY_OVERHEAD: usize = 96;

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

/// A session ended for its commit ([`WriteSession::finish`]).
pub(super) struct Finished {
    pub(super) txn: Box<dyn TableWrite>,
    pub(super) layout: LayoutState,
    pub(super) counters: MigrationCounters,
    pub(super) lattices: Settled,
    pub(super) stats: SessionStats,
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
    writer: WriterSlot,
    pub(super) layout: LayoutState,
    pub(super) lattice: Settled,
    pub(super) counters: MigrationCounters,
    buffer: ChangeSet,
    buffered: usize,
    buffer_limit: usize,
    scopes: Vec<SavedScope>,
    failed: Option<String>,
    pub(super) stats: SessionStats,
    /// Whether a rolled-back scope is undone in place (journaled), or
    /// poisons the session, which its owner then drops.
    undo: bool,
    /// Set when full buffers are written on a second thread.
    behind: Option<Behind>,
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
        let writer = BatchWriter::new(txn, scratch_dir, buffer_limit.saturating_mul(2))?;
        Ok(WriteSession {
            writer: WriterSlot::new(writer),
            layout,
            lattice,
            counters,
            buffer: ChangeSet::new(),
            buffered: 0,
            buffer_limit,
            scopes: Vec::new(),
            failed: None,
            stats: SessionStats::default(),
            undo: true,
            behind: None,
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

    /// For a session that discards on rollback: a full buffer is written on
    /// a second thread while the block goes on (see
    /// [`super::write_behind`]); `snapshot` must read the last commit, the
    /// state this session's transaction started from.
    pub(super) fn write_behind(&mut self, snapshot: Box<dyn TableRead>) {
        self.discard_on_rollback();
        self.behind = Some(Behind::new(snapshot));
    }

    /// The batch writer, once any batch in flight is written (the v1 keys
    /// it removed are counted by the next [`WriteSession::flush`]).
    fn writer(&mut self) -> Result<&mut BatchWriter, StoreError> {
        self.writer.ready()
    }

    /// The block's write transaction, with every write so far in it. For
    /// the commit: what is written through it directly is not seen by the
    /// session's reads while writing behind.
    ///
    /// # Errors
    ///
    /// A backend failure writing the pending writes.
    pub(super) fn txn(&mut self) -> Result<&mut Box<dyn TableWrite>, StoreError> {
        self.flush()?;
        Ok(&mut self.writer()?.txn)
    }

    /// Ends the session for its commit: every write in the transaction,
    /// the lattices settled, and what the commit writes with them.
    ///
    /// # Errors
    ///
    /// As [`WriteSession::txn`].
    pub(super) fn finish(mut self) -> Result<Finished, StoreError> {
        self.flush()?;
        let lattices = self.settle_lattice()?;
        let stats = self.stats();
        let writer = *self.writer.take()?;
        Ok(Finished {
            txn: writer.txn,
            layout: self.layout,
            counters: self.counters,
            lattices,
            stats,
        })
    }

    /// What the session did so far.
    pub fn stats(&self) -> SessionStats {
        let mut stats = self.stats;
        self.writer.inspect(|w| {
            stats.writes = w.writes;
            stats.batches = w.batches;
            stats.write_time = w.write_time;
        });
        stats
    }

    /// Writes per store so far (a key written in two batches counts twice).
    pub fn writes_per_store(&self) -> BTreeMap<String, u64> {
        let mut touched = self
            .writer
            .inspect(|w| w.touched.clone())
            .unwrap_or_default();
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
    fn flushed_lattice(&self) -> Result<LatticeHash, StoreError> {
        let (sum, _) = self.writer.with(|w| w.worker.sum())?;
        Ok(self.lattice.plus(&sum).total)
    }

    /// The lattices (whole and per store) of the committed state plus every
    /// flushed batch, recording the wait and the worker's time in the stats.
    pub(super) fn settle_lattice(&mut self) -> Result<Settled, StoreError> {
        let started = Instant::now();
        let (sum, busy) = self.writer()?.worker.sum()?;
        self.stats.lattice_wait += started.elapsed();
        self.stats.lattice_time = busy;
        Ok(self.lattice.plus(&sum))
    }

    fn fail(&mut self, err: StoreError) -> Result<(), StoreError> {
        if self.failed.is_none() {
            self.failed = Some(err.to_string());
        }
        Err(err)
    }

    pub(super) fn check(&self) -> Result<(), StoreError> {
        // A batch written behind that failed, once waited for.
        let behind = || self.behind.as_ref().and(self.writer.failure());
        match self.failed.clone().or_else(behind) {
            Some(message) => Err(StoreError::backend(
                "continuing after a failed write of this block",
                message,
            )),
            None => Ok(()),
        }
    }

    /// Reads through the transaction (after any batch in flight).
    fn routed_view(&self) -> RoutedReader<'_> {
        self.view_of(&self.writer)
    }

    /// Reads of keys the block may have written go through the
    /// transaction; the others, while writing behind, to the snapshot.
    fn view_for(&self, written: impl FnOnce(&Behind) -> bool) -> RoutedReader<'_> {
        match &self.behind {
            Some(behind) if !written(behind) => self.view_of(behind.snapshot.as_ref()),
            _ => self.routed_view(),
        }
    }

    fn view_of<'a>(&'a self, reader: &'a dyn TableRead) -> RoutedReader<'a> {
        RoutedReader {
            reader,
            state: &self.layout,
        }
    }

    /// Writes the buffered changes into the transaction, in key order, and
    /// updates the lattice with each key's old and new value; waits for a
    /// batch written behind.
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
        if let Some(behind) = &mut self.behind {
            // Later reads of these keys must not go to the snapshot.
            for (store, writes) in changes.stores() {
                writes.keys().for_each(|key| behind.note(store, key));
            }
        }
        let result = self.write(changes);
        result.or_else(|e| self.fail(e))
    }

    /// Writes `changes` here, after any batch in flight, and counts the v1
    /// keys removed so far off the migration counters.
    fn write(&mut self, changes: ChangeSet) -> Result<(), StoreError> {
        let journal = self.undo && !self.scopes.is_empty();
        let writer = self.writer.ready()?;
        if !changes.is_empty() {
            writer.write(changes, &self.layout, journal)?;
        }
        let removed = std::mem::take(&mut writer.v1_removed);
        self.counters.left = self.counters.left.saturating_sub(removed);
        Ok(())
    }

    /// Writes the full buffer: on the writer thread while writing behind,
    /// else here.
    fn flush_full_buffer(&mut self) -> Result<(), StoreError> {
        if self.behind.is_none() {
            return self.flush();
        }
        self.check()?;
        self.buffered = 0;
        let changes = std::mem::take(&mut self.buffer);
        let result = self.writer.write_behind(changes, &self.layout);
        result.or_else(|e| self.fail(e))
    }
}

impl StateRead for WriteSession {
    fn get(&self, store: &str, key: &[u8]) -> Result<Option<Vec<u8>>, StoreError> {
        self.check()?;
        match self.buffer.get(store, key) {
            Some(pending) => Ok(pending.clone()),
            None => self
                .view_for(|b| b.may_have_written(store, key))
                .get(store, key),
        }
    }

    fn range(&self, store: &str, range: KeyRange) -> Result<KvIter<'_>, StoreError> {
        self.check()?;
        let base = self
            .view_for(|b| b.may_have_written_in(store, &range))
            .range(store, range.clone());
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
        if let Some(behind) = &mut self.behind {
            behind.note(store, &key);
        }
        self.buffer.put(store, key, value);
        if self.buffered >= self.buffer_limit {
            // A failure is kept: later reads and the commit report it.
            let _ = self.flush_full_buffer();
        }
    }
}
