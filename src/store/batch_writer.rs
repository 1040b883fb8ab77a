//! What writes a session's flushed batches into the block's write
//! transaction: each store's writes routed to the layout that holds them,
//! written a chunk at a time, the old values journaled while a scope may
//! roll back, and every chunk handed to the lattice worker.
//!
//! It owns everything a batch touches, so that it can move to another
//! thread and write one batch there while the block goes on
//! ([`super::write_behind`]).

use std::collections::BTreeMap;
use std::time::{Duration, Instant};

use super::journal::UndoJournal;
use super::router::{LayoutState, route_writes};
use super::{ChangeSet, Placement, StoreError, TableOp, TableWrite, V1_TABLE};
use crate::commitment::{LatticeWorker, StoreLattices};

/// Ops written, journaled and handed to the lattice worker at a time.
const CHUNK: usize = 8192;

/// The block's write transaction and the bookkeeping of what was written
/// into it.
pub(super) struct BatchWriter {
    pub(super) txn: Box<dyn TableWrite>,
    pub(super) journal: UndoJournal,
    pub(super) worker: LatticeWorker<Vec<Written>>,
    /// Physical writes per store (a key written in two batches counts twice).
    pub(super) touched: BTreeMap<String, u64>,
    /// Keys removed from the v1 table of a running lazy migration, not yet
    /// counted off the session's counters.
    pub(super) v1_removed: u64,
    pub(super) writes: u64,
    pub(super) batches: u64,
    pub(super) write_time: Duration,
}

impl BatchWriter {
    /// A writer over `txn` whose lattice worker holds at most `budget`
    /// bytes of batches waiting.
    pub(super) fn new(
        txn: Box<dyn TableWrite>,
        scratch_dir: Option<&std::path::Path>,
        budget: usize,
    ) -> Result<Self, StoreError> {
        Ok(BatchWriter {
            txn,
            journal: UndoJournal::new(scratch_dir),
            worker: LatticeWorker::spawn(fold_batch, batch_bytes, budget)?,
            touched: BTreeMap::new(),
            v1_removed: 0,
            writes: 0,
            batches: 0,
            write_time: Duration::ZERO,
        })
    }

    /// Writes `changes`, store by store in key order, where `layout` puts
    /// each key; `journal`: record the values they replace.
    pub(super) fn write(
        &mut self,
        changes: ChangeSet,
        layout: &LayoutState,
        journal: bool,
    ) -> Result<(), StoreError> {
        let started = Instant::now();
        for (store, writes) in changes.into_stores() {
            for (place, ops) in route_writes(self.txn.as_ref(), layout, &store, writes)? {
                let mut ops = ops.into_iter().peekable();
                while ops.peek().is_some() {
                    let chunk: Vec<TableOp> = ops.by_ref().take(CHUNK).collect();
                    self.write_chunk(&store, &place, chunk, layout, journal)?;
                }
            }
        }
        self.batches += 1;
        self.write_time += started.elapsed();
        tracing::debug!(
            batch = self.batches,
            writes = self.writes,
            "write session batch written"
        );
        Ok(())
    }

    /// Writes at most [`CHUNK`] ops of one table, journals what they
    /// replaced, and hands them to the lattice worker: the old values in
    /// flight are bounded by a chunk, whatever their size.
    fn write_chunk(
        &mut self,
        store: &str,
        place: &Placement,
        ops: Vec<TableOp>,
        layout: &LayoutState,
        journal: bool,
    ) -> Result<(), StoreError> {
        let olds = self.txn.write_batch(&place.table, &ops)?;
        *self.touched.entry(store.to_owned()).or_default() += ops.len() as u64;
        // Only deletes from the v1 table shrink what is left to move.
        if place.table == V1_TABLE && matches!(layout, LayoutState::Migrating(_)) {
            let deleted = ops.iter().zip(&olds);
            let deleted = deleted.filter(|((_, new), old)| old.is_some() && new.is_none());
            self.v1_removed += deleted.count() as u64;
        }
        self.writes += ops.len() as u64;
        if journal {
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
pub(super) struct Written {
    store: String,
    place: Placement,
    ops: Vec<TableOp>,
    olds: Vec<Option<Vec<u8>>>,
}
