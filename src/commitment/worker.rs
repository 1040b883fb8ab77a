//! Lattice upkeep off the writing thread. A write session hands each flushed
//! batch (keys with their old and new values) to a worker thread and goes
//! on executing the upgrade; the worker folds the batch into a running
//! lattice sum. Lane sums commute, so the result is exactly the sequential
//! one however the two threads interleave; the session reads the sum only
//! where it needs it (a scope boundary, the app hash, the commit).

use std::sync::mpsc::{Receiver, SyncSender, channel, sync_channel};
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

use super::StoreLattices;
use crate::store::StoreError;

/// Batches queued for the worker at most.
const QUEUE: usize = 2;

enum Msg<T> {
    Add(T),
    Sum,
    Reset,
}

/// A thread summing the lattice of batches of type `T`.
pub struct LatticeWorker<T: Send + 'static> {
    jobs: Option<SyncSender<Msg<T>>>,
    sums: Receiver<(StoreLattices, Duration)>,
    handle: Option<JoinHandle<()>>,
}

fn gone() -> StoreError {
    StoreError::backend(
        "updating the lattice hash",
        "the lattice worker thread stopped",
    )
}

impl<T: Send + 'static> LatticeWorker<T> {
    /// Starts the worker; `apply` folds one batch into per-store lattices.
    ///
    /// # Errors
    ///
    /// The thread cannot be started.
    pub fn spawn(apply: fn(&T, &mut StoreLattices)) -> Result<Self, StoreError> {
        // Bounded: a writer that outruns the worker waits instead of
        // queueing batches (and their old values) in memory.
        let (jobs, inbox) = sync_channel::<Msg<T>>(QUEUE);
        let (reply, sums) = channel();
        let handle = std::thread::Builder::new()
            .name("lattice".into())
            .spawn(move || {
                let mut sum = StoreLattices::new();
                let mut busy = Duration::ZERO;
                for msg in inbox {
                    match msg {
                        Msg::Add(batch) => {
                            let started = Instant::now();
                            apply(&batch, &mut sum);
                            // Freeing the batch is part of the work moved
                            // off the writing thread.
                            drop(batch);
                            busy += started.elapsed();
                        }
                        Msg::Sum => {
                            if reply.send((sum.clone(), busy)).is_err() {
                                return;
                            }
                        }
                        Msg::Reset => sum = StoreLattices::new(),
                    }
                }
            })
            .map_err(|e| StoreError::backend("starting the lattice worker thread", e))?;
        Ok(LatticeWorker {
            jobs: Some(jobs),
            sums,
            handle: Some(handle),
        })
    }

    fn send(&self, msg: Msg<T>) -> Result<(), StoreError> {
        self.jobs
            .as_ref()
            .ok_or_else(gone)?
            .send(msg)
            .map_err(|_| gone())
    }

    /// Queues a batch.
    ///
    /// # Errors
    ///
    /// The worker stopped (it panicked).
    pub fn add(&self, batch: T) -> Result<(), StoreError> {
        self.send(Msg::Add(batch))
    }

    /// The sum of every batch queued since the last reset, once the worker
    /// has folded them all in, and the time the worker has spent so far.
    ///
    /// # Errors
    ///
    /// The worker stopped (it panicked).
    pub fn sum(&self) -> Result<(StoreLattices, Duration), StoreError> {
        self.send(Msg::Sum)?;
        self.sums.recv().map_err(|_| gone())
    }

    /// Forgets every batch queued so far (a scope was rolled back).
    ///
    /// # Errors
    ///
    /// The worker stopped (it panicked).
    pub fn reset(&self) -> Result<(), StoreError> {
        self.send(Msg::Reset)
    }
}

impl<T: Send + 'static> Drop for LatticeWorker<T> {
    fn drop(&mut self) {
        self.jobs = None;
        if let Some(handle) = self.handle.take() {
            let _ = handle.join();
        }
    }
}
