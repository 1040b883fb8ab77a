//! Write deltas: pending writes layered over a read base.

use super::{ChangeSet, KeyRange, KvIter, StateRead, StateWrite, StoreError, merge_overlay};

/// Writes buffered over a base state. Reads see the writes merged over the
/// base; [`StateDelta::apply`] moves them into the base (itself a delta or
/// a writable view), dropping the delta discards them.
///
/// Deltas nest: `StateDelta::new(&mut parent)` gives a child whose failure can
/// be thrown away without touching the parent. A block, an upgrade and each
/// migration handler run in their own delta.
pub struct StateDelta<S> {
    base: S,
    changes: ChangeSet,
}

impl<S: StateRead> StateDelta<S> {
    /// An empty delta over `base`.
    pub fn new(base: S) -> Self {
        StateDelta {
            base,
            changes: ChangeSet::new(),
        }
    }

    /// The pending writes.
    pub fn changes(&self) -> &ChangeSet {
        &self.changes
    }

    /// Splits the delta into its base and pending writes.
    pub fn into_parts(self) -> (S, ChangeSet) {
        (self.base, self.changes)
    }

    /// The base this delta reads through to.
    pub fn base(&self) -> &S {
        &self.base
    }
}

impl<S: StateWrite> StateDelta<S> {
    /// Writes every pending change into the base and returns it.
    pub fn apply(self) -> S {
        let (mut base, changes) = self.into_parts();
        changes.apply_to(&mut base);
        base
    }
}

impl<S: StateRead> StateRead for StateDelta<S> {
    fn get(&self, store: &str, key: &[u8]) -> Result<Option<Vec<u8>>, StoreError> {
        match self.changes.get(store, key) {
            Some(pending) => Ok(pending.clone()),
            None => self.base.get(store, key),
        }
    }

    fn range(&self, store: &str, range: KeyRange) -> Result<KvIter<'_>, StoreError> {
        let base = self.base.range(store, range.clone())?;
        let Some(pending) = self.changes.store(store).filter(|_| !range.is_empty()) else {
            return Ok(base);
        };
        let top = pending
            .range::<[u8], _>(range.as_bounds())
            .map(|(k, v)| Ok((k.clone(), v.clone())));
        Ok(merge_overlay(base, top))
    }
}

impl<S: StateRead> StateWrite for StateDelta<S> {
    fn set(&mut self, store: &str, key: Vec<u8>, value: Vec<u8>) {
        self.changes.put(store, key, Some(value));
    }

    fn delete(&mut self, store: &str, key: Vec<u8>) {
        self.changes.put(store, key, None);
    }
}
