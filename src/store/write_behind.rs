//! Writing an upgrade block's batches behind it, on a second thread.
//!
//! An upgrade that re-keys every account spends about half its time in
//! the storage engine writing batches, and the other half reading the old
//! keys and working out the new ones. Each thread does one of them here:
//! when the session's buffer is full, the batch goes to a writer thread
//! while the migration goes on filling the next one.
//!
//! The write transaction can be used by one thread at a time, so the
//! session reads the state two ways:
//!
//! - keys the block has not written go to a read snapshot of the last
//!   commit, the state the transaction started from, without waiting;
//! - keys it may have written (inside the smallest range holding every
//!   key written so far, kept per store and per first two key bytes) are
//!   read from the transaction once the batch in flight is written.
//!
//! A migration reading a prefix of old keys in order and writing new ones
//! under other first bytes never waits. Both readings give the same bytes;
//! only the wait differs. At most one batch is in flight (the next waits
//! for it), written in the order they were made, so the transaction, the
//! lattice sum and the app hash are what writing them in line gives. Only
//! a session that keeps no undo journal writes behind, so a batch written
//! here is never journaled.

use std::collections::BTreeMap;
use std::ops::Bound;
use std::sync::{Mutex, MutexGuard};
use std::thread::JoinHandle;

use super::batch_writer::BatchWriter;
use super::guarded::panic_detail;
use super::router::LayoutState;
use super::{ChangeSet, KeyRange, KvPair, StoreError, TableRead};

type Written = (Box<BatchWriter>, Result<(), StoreError>);

/// A batch handed to the writer thread once it has started.
type Job = (Box<BatchWriter>, ChangeSet, LayoutState);

/// The batch writer: here, or away writing a batch.
struct SlotState {
    ready: Option<Box<BatchWriter>>,
    writing: Option<JoinHandle<Option<Written>>>,
    /// The first failure of a batch written behind, kept for every later
    /// caller: the session must not commit after it.
    failed: Option<String>,
}

/// The session's batch writer, which a batch written behind takes away
/// until it is done. Reading through it (it is a [`TableRead`]) waits for
/// that batch.
pub(super) struct WriterSlot {
    state: Mutex<SlotState>,
}

fn gone(message: &str) -> StoreError {
    StoreError::backend("writing the block's batches behind it", message)
}

impl SlotState {
    /// Waits for a batch in flight and returns the writer.
    fn settle(&mut self) -> Result<&mut BatchWriter, StoreError> {
        if let Some(handle) = self.writing.take() {
            match handle.join() {
                Ok(Some((writer, result))) => {
                    self.ready = Some(writer);
                    if let Err(e) = result {
                        self.failed = Some(e.to_string());
                        return Err(e);
                    }
                }
                Ok(None) => self.failed = Some("the writer thread got no batch".into()),
                Err(payload) => {
                    let detail = panic_detail(payload.as_ref());
                    self.failed = Some(format!("the writer thread panicked: {detail}"));
                }
            }
        }
        if let Some(message) = &self.failed {
            return Err(gone(message));
        }
        match self.ready.as_deref_mut() {
            Some(writer) => Ok(writer),
            None => Err(gone("the batch writer is gone")),
        }
    }
}

impl WriterSlot {
    pub(super) fn new(writer: BatchWriter) -> Self {
        WriterSlot {
            state: Mutex::new(SlotState {
                ready: Some(Box::new(writer)),
                writing: None,
                failed: None,
            }),
        }
    }

    fn lock(&self) -> MutexGuard<'_, SlotState> {
        self.state.lock().unwrap_or_else(|e| e.into_inner())
    }

    fn state_mut(&mut self) -> &mut SlotState {
        self.state.get_mut().unwrap_or_else(|e| e.into_inner())
    }

    /// The writer, once any batch in flight is written.
    ///
    /// # Errors
    ///
    /// That batch, or an earlier one, failed.
    pub(super) fn ready(&mut self) -> Result<&mut BatchWriter, StoreError> {
        self.state_mut().settle()
    }

    /// Takes the writer away for good, once any batch in flight is written.
    ///
    /// # Errors
    ///
    /// As [`WriterSlot::ready`].
    pub(super) fn take(&mut self) -> Result<Box<BatchWriter>, StoreError> {
        let state = self.state_mut();
        state.settle()?;
        state
            .ready
            .take()
            .ok_or_else(|| gone("the batch writer is gone"))
    }

    /// Runs `f` on the writer from a shared borrow, once any batch in
    /// flight is written.
    ///
    /// # Errors
    ///
    /// As [`WriterSlot::ready`], or `f`'s.
    pub(super) fn with<T>(
        &self,
        f: impl FnOnce(&BatchWriter) -> Result<T, StoreError>,
    ) -> Result<T, StoreError> {
        let mut state = self.lock();
        f(state.settle()?)
    }

    /// Runs `f` on the writer once any batch in flight is written, also
    /// after a failure (for counts and stats); `None` if it is gone.
    pub(super) fn inspect<T>(&self, f: impl FnOnce(&BatchWriter) -> T) -> Option<T> {
        let mut state = self.lock();
        let _ = state.settle();
        state.ready.as_deref().map(f)
    }

    /// The first failure of a batch written behind, if one has been
    /// waited for.
    pub(super) fn failure(&self) -> Option<String> {
        self.lock().failed.clone()
    }

    /// Writes `changes` on a writer thread (after any batch in flight) and
    /// returns at once; a failure surfaces at the next wait. Where no
    /// thread can be started, the batch is written here instead.
    ///
    /// # Errors
    ///
    /// The batch before failed, or (written here) this one.
    pub(super) fn write_behind(
        &mut self,
        changes: ChangeSet,
        layout: &LayoutState,
    ) -> Result<(), StoreError> {
        let state = self.state_mut();
        state.settle()?;
        let Some(writer) = state.ready.take() else {
            return Err(gone("the batch writer is gone"));
        };
        // The writer goes to the thread only once it runs, so a thread
        // that cannot start leaves it here.
        let (send, receive) = std::sync::mpsc::sync_channel::<Job>(1);
        let spawned = std::thread::Builder::new()
            .name("write-behind".into())
            .spawn(move || {
                let (mut writer, changes, layout) = receive.recv().ok()?;
                let result = writer.write(changes, &layout, false);
                Some((writer, result))
            });
        let job = (writer, changes, layout.clone());
        let unsent = match spawned {
            Ok(handle) => match send.send(job) {
                Ok(()) => {
                    state.writing = Some(handle);
                    return Ok(());
                }
                Err(unsent) => unsent.0,
            },
            Err(_) => job,
        };
        let (mut writer, changes, layout) = unsent;
        let result = writer.write(changes, &layout, false);
        state.ready = Some(writer);
        if let Err(e) = &result {
            state.failed = Some(e.to_string());
        }
        result
    }
}

impl TableRead for WriterSlot {
    fn get(&self, table: &str, key: &[u8]) -> Result<Option<Vec<u8>>, StoreError> {
        self.with(|w| w.txn.get(table, key))
    }

    fn range(
        &self,
        table: &str,
        range: &KeyRange,
        limit: usize,
    ) -> Result<Vec<KvPair>, StoreError> {
        self.with(|w| w.txn.range(table, range, limit))
    }

    fn tables(&self) -> Result<Vec<String>, StoreError> {
        self.with(|w| w.txn.tables())
    }
}

/// Bytes of a key that pick its bucket of [`Behind`]'s written ranges.
const BUCKET: usize = 2;

fn bucket(key: &[u8]) -> &[u8] {
    &key[..key.len().min(BUCKET)]
}

/// The smallest and the largest key written (inside one bucket).
type KeySpan = (Vec<u8>, Vec<u8>);

/// What a session writing behind needs to read without waiting: the state
/// before the block, and where the block has written.
///
/// Where it has written is kept as the smallest range holding every key
/// written, per store and per first [`BUCKET`] bytes of the key: a
/// migration deletes old keys in order behind where it reads and writes new
/// ones under other first bytes, so its reads ahead meet none of them.
pub(super) struct Behind {
    /// The last commit, which the block's transaction started from.
    pub(super) snapshot: Box<dyn TableRead>,
    /// Per store, per bucket, the smallest and largest key written so far.
    written: BTreeMap<String, BTreeMap<Vec<u8>, KeySpan>>,
}

impl Behind {
    pub(super) fn new(snapshot: Box<dyn TableRead>) -> Self {
        Behind {
            snapshot,
            written: BTreeMap::new(),
        }
    }

    /// Notes a write of `key` to `store`.
    pub(super) fn note(&mut self, store: &str, key: &[u8]) {
        let buckets = match self.written.get_mut(store) {
            Some(buckets) => buckets,
            None => self.written.entry(store.to_owned()).or_default(),
        };
        match buckets.get_mut(bucket(key)) {
            Some((lo, hi)) => {
                if key < lo.as_slice() {
                    lo.clear();
                    lo.extend_from_slice(key);
                } else if key > hi.as_slice() {
                    hi.clear();
                    hi.extend_from_slice(key);
                }
            }
            None => {
                buckets.insert(bucket(key).to_vec(), (key.to_vec(), key.to_vec()));
            }
        }
    }

    /// Whether the block may have written `key` of `store`.
    pub(super) fn may_have_written(&self, store: &str, key: &[u8]) -> bool {
        let range = self.written.get(store).and_then(|b| b.get(bucket(key)));
        range.is_some_and(|(lo, hi)| lo.as_slice() <= key && key <= hi.as_slice())
    }

    /// Whether the block may have written a key of `store` inside `range`.
    pub(super) fn may_have_written_in(&self, store: &str, range: &KeyRange) -> bool {
        let Some(buckets) = self.written.get(store) else {
            return false;
        };
        if range.is_empty() {
            // Holds nothing, and its cut ends could be inverted.
            return false;
        }
        // Cutting keys to their first bytes never inverts two of them (it
        // may make them equal), so every key of a range that is not empty
        // is in a bucket between those of its two ends, inclusive.
        fn cut(bound: Bound<&[u8]>) -> Bound<&[u8]> {
            match bound {
                Bound::Included(k) | Bound::Excluded(k) => Bound::Included(bucket(k)),
                Bound::Unbounded => Bound::Unbounded,
            }
        }
        let (start, end) = range.as_bounds();
        buckets
            .range::<[u8], _>((cut(start), cut(end)))
            .any(|(_, (lo, hi))| range.meets(lo, hi))
    }
}

impl Drop for WriterSlot {
    /// A dropped session waits for its batch in flight, so its transaction
    /// is gone (and the database free for the next one) when the drop
    /// returns.
    fn drop(&mut self) {
        if let Some(handle) = self.state_mut().writing.take() {
            let _ = handle.join();
        }
    }
}
