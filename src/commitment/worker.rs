//! Lattice upkeep off the writing thread. A write session hands each flushed
//! batch (keys with their old and new values) to a worker thread and goes
//! on executing the upgrade; the worker folds the batch into a running
//! lattice sum. Lane sums commute, so the result is exactly the sequential
//! one however the two threads interleave; the session reads the sum only
//! where it needs it (a scope boundary, the app hash, the commit).

use std::sync::mpsc::{Receiver, Sender, channel};
use std::sync::{Arc, Condvar, Mutex};
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

use super::StoreLattices;
use crate::store::StoreError;

/// Bytes of batches handed to the worker and not folded yet, and its
/// wake-up: the writer waits when a budget is spent, so a writer that
/// outruns the worker never queues more than that in memory, while up to
/// the budget the two threads overlap.
#[derive(Default)]
struct InFlight {
    bytes: Mutex<usize>,
    folded: Condvar,
}

impl InFlight {
    fn lock(&self) -> std::sync::MutexGuard<'_, usize> {
        self.bytes.lock().unwrap_or_else(|e| e.into_inner())
    }
}

enum Msg<T> {
    Add(T, usize),
    Sum,
    Reset,
}

/// A thread summing the lattice of batches of type `T`.
pub struct LatticeWorker<T: Send + 'static> {
    jobs: Option<Sender<Msg<T>>>,
    sums: Receiver<(StoreLattices, Duration)>,
    handle: Option<JoinHandle<()>>,
    in_flight: Arc<InFlight>,
    budget: usize,
    weigh: fn(&T) -> usize,
}

fn gone() -> StoreError {
    StoreError::backend(
        "updating the lattice hash",
        "the lattice worker thread stopped",
    )
}

impl<T: Send + 'static> LatticeWorker<T> {
    /// Starts the worker; `apply` folds one batch into per-store lattices,
    /// `weigh` gives a batch's size in bytes, and at most `budget` bytes of
    /// batches wait for the worker at a time.
    ///
    /// # Errors
    ///
    /// The thread cannot be started.
    pub fn spawn(
        apply: fn(&T, &mut StoreLattices),
        weigh: fn(&T) -> usize,
        budget: usize,
    ) -> Result<Self, StoreError> {
        let (jobs, inbox) = channel::<Msg<T>>();
        let (reply, sums) = channel();
        let in_flight = Arc::new(InFlight::default());
        let folded = Arc::clone(&in_flight);
        let handle = std::thread::Builder::new()
            .name("lattice".into())
            .spawn(move || {
                let mut sum = StoreLattices::new();
                let mut busy = Duration::ZERO;
                for msg in inbox {
                    match msg {
                        Msg::Add(batch, bytes) => {
                            let started = Instant::now();
                            apply(&batch, &mut sum);
                            // Freeing the batch is part of the work moved
                            // off the writing thread.
                            drop(batch);
                            busy += started.elapsed();
                            *folded.lock() -= bytes;
                            folded.folded.notify_all();
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
            in_flight,
            budget,
            weigh,
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
        let bytes = (self.weigh)(&batch);
        let mut in_flight = self.in_flight.lock();
        // One batch always goes, however large: the budget bounds the queue.
        while *in_flight > 0 && *in_flight + bytes > self.budget {
            if self.handle.as_ref().is_none_or(JoinHandle::is_finished) {
                return Err(gone());
            }
            in_flight = self
                .in_flight
                .folded
                .wait_timeout(in_flight, Duration::from_millis(100))
                .map(|(guard, _)| guard)
                .unwrap_or_else(|e| e.into_inner().0);
        }
        *in_flight += bytes;
        drop(in_flight);
        self.send(Msg::Add(batch, bytes))
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
