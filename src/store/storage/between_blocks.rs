//! A lazy migration's batch moved between blocks: in a transaction of its
//! own, on a second thread, started as soon as a block has committed and
//! finished before the next block's transaction begins.
//!
//! Moving 10,000 keys costs redb about 13 ms of work inside a transaction
//! plus its pages at commit; inside the block's commit that is ~1.5x the
//! commit of a 1,000-write block. A node has time between blocks (the next
//! block's execution, CometBFT's consensus rounds), so the move can happen
//! there instead. It is node-local: it changes where keys are, not which
//! (store, key, value) triples exist, so the app hash is the same either
//! way. Reads stay right with a boundary one batch behind, since a key
//! lives in exactly one table at every commit and v2 is read first. A
//! crash before the batch commits loses only the batch; the next block
//! moves it again.

use std::sync::Arc;
use std::thread::JoinHandle;

use super::Storage;
use crate::store::guarded::panic_detail;
use crate::store::lazy_migration::{BatchReport, move_batch, persist};
use crate::store::router::{LayoutState, MigrationCounters};
use crate::store::{Backend, Boundary, StoreError};

/// What a batch moved between blocks leaves.
pub(super) struct Moved {
    layout: LayoutState,
    counters: MigrationCounters,
    report: BatchReport,
}

/// A batch being moved on its own thread, after the commit of a height.
pub(super) struct PendingBatch(JoinHandle<Result<Moved, StoreError>>, u64);

impl Storage {
    /// Moves each lazy-migration batch between blocks instead of inside
    /// the commit (see this module): a commit starts its batch and returns;
    /// the next write waits for it. [`Storage::settle_batch`] waits on
    /// demand, e.g. before reporting the migration's progress.
    pub fn move_batches_between_blocks(&mut self, on: bool) {
        self.between_blocks = on;
    }

    /// Starts moving `batch` keys after `boundary`, as of the commit of
    /// `height`, on a thread of its own.
    pub(super) fn start_batch(&mut self, boundary: Boundary, batch: u64, height: u64) {
        let backend: Arc<dyn Backend> = Arc::clone(&self.backend);
        let mut counters = self.counters;
        let spawned = std::thread::Builder::new()
            .name("migration-batch".into())
            .spawn(move || {
                let mut txn = backend.begin_write()?;
                let (layout, report) =
                    move_batch(txn.as_mut(), &boundary, batch, &mut counters, height)?;
                persist(txn.as_mut(), &layout, &counters)?;
                txn.commit()?;
                Ok(Moved {
                    layout,
                    counters,
                    report,
                })
            });
        match spawned {
            Ok(handle) => self.pending = Some(PendingBatch(handle, height)),
            // This batch is skipped; the next block starts another.
            Err(e) => tracing::warn!(
                height,
                error = %e,
                "cannot start the thread of a lazy migration batch; the next block moves it"
            ),
        }
    }

    /// Waits for a batch being moved between blocks and returns what it
    /// did (`None`: none was being moved), e.g. before reporting progress.
    /// A batch taken here is not reported again by the next commit.
    ///
    /// # Errors
    ///
    /// The batch failed (nothing of it was committed: the state file holds
    /// the boundary before it), or its thread panicked.
    pub fn settle_batch(&mut self) -> Result<Option<BatchReport>, StoreError> {
        let Some(PendingBatch(handle, height)) = self.pending.take() else {
            return Ok(None);
        };
        let failed = |reason: String| {
            StoreError::backend(
                "moving a lazy migration batch between blocks",
                format!(
                    "the batch after height {height}: {reason}; nothing of it was committed (the state file keeps the boundary before it), so restarting the node moves it again"
                ),
            )
        };
        let moved = match handle.join() {
            Ok(Ok(moved)) => moved,
            Ok(Err(e)) => return Err(failed(e.to_string())),
            Err(payload) => {
                let detail = panic_detail(payload.as_ref());
                return Err(failed(format!("its thread panicked: {detail}")));
            }
        };
        self.layout = moved.layout;
        self.counters = moved.counters;
        Ok(Some(moved.report))
    }

    /// As [`Storage::settle_batch`], keeping the report for the next
    /// commit's [`Storage::last_batch`].
    pub(super) fn settle_for_next_commit(&mut self) -> Result<(), StoreError> {
        if let Some(report) = self.settle_batch()? {
            self.settled = Some(report);
        }
        Ok(())
    }
}

impl Drop for Storage {
    /// A batch being moved finishes (or fails, harmlessly) before the state
    /// file is closed.
    fn drop(&mut self) {
        if let Some(PendingBatch(handle, _)) = self.pending.take() {
            let _ = handle.join();
        }
    }
}
