//! Nested all-or-nothing scopes over any writable state.

use super::{KeyRange, KvIter, ScopeMark, StateDelta, StateRead, StateWrite, StoreError};

/// A nested scope: its writes reach the parent only through
/// [`Scope::apply`]; dropping it throws them away. Over a buffered state it
/// is a [`StateDelta`]; over a [`super::WriteSession`] the writes go
/// straight into the transaction and a rollback replays the undo journal,
/// so a migration that rewrites every key of a large store needs no more
/// memory than one batch.
pub struct Scope<'a> {
    kind: Option<Kind<'a>>,
}

enum Kind<'a> {
    Buffered(StateDelta<&'a mut dyn StateWrite>),
    Direct {
        state: &'a mut dyn StateWrite,
        mark: ScopeMark,
    },
}

impl<'a> Scope<'a> {
    /// Opens a scope over `state`.
    ///
    /// # Errors
    ///
    /// A backend failure writing the session's pending batch.
    pub fn open(state: &'a mut dyn StateWrite) -> Result<Self, StoreError> {
        let kind = match state.open_scope() {
            None => Kind::Buffered(StateDelta::new(state)),
            Some(mark) => Kind::Direct { mark: mark?, state },
        };
        Ok(Scope { kind: Some(kind) })
    }

    /// Keeps every write of the scope in the parent.
    ///
    /// # Errors
    ///
    /// A backend failure (the session then refuses to commit).
    pub fn apply(mut self) -> Result<(), StoreError> {
        match self.kind.take() {
            Some(Kind::Buffered(delta)) => {
                delta.apply();
                Ok(())
            }
            Some(Kind::Direct { state, mark }) => state.close_scope(mark, true),
            None => Ok(()),
        }
    }

    fn read(&self) -> &dyn StateRead {
        match &self.kind {
            Some(Kind::Buffered(delta)) => delta,
            Some(Kind::Direct { state, .. }) => &**state,
            None => &NOTHING,
        }
    }
}

impl Drop for Scope<'_> {
    fn drop(&mut self) {
        if let Some(Kind::Direct { state, mark }) = self.kind.take() {
            // A failed rollback poisons the session: its commit is refused.
            let _ = state.close_scope(mark, false);
        }
    }
}

/// What a closed scope reads as (never observed: a closed scope is consumed).
struct Nothing;
static NOTHING: Nothing = Nothing;

impl StateRead for Nothing {
    fn get(&self, _: &str, _: &[u8]) -> Result<Option<Vec<u8>>, StoreError> {
        Ok(None)
    }
    fn range(&self, _: &str, _: KeyRange) -> Result<KvIter<'_>, StoreError> {
        Ok(Box::new(std::iter::empty()))
    }
}

impl StateRead for Scope<'_> {
    fn get(&self, store: &str, key: &[u8]) -> Result<Option<Vec<u8>>, StoreError> {
        self.read().get(store, key)
    }
    fn range(&self, store: &str, range: KeyRange) -> Result<KvIter<'_>, StoreError> {
        self.read().range(store, range)
    }
}

impl StateWrite for Scope<'_> {
    fn set(&mut self, store: &str, key: Vec<u8>, value: Vec<u8>) {
        match &mut self.kind {
            Some(Kind::Buffered(delta)) => delta.set(store, key, value),
            Some(Kind::Direct { state, .. }) => state.set(store, key, value),
            None => {}
        }
    }
    fn delete(&mut self, store: &str, key: Vec<u8>) {
        match &mut self.kind {
            Some(Kind::Buffered(delta)) => delta.delete(store, key),
            Some(Kind::Direct { state, .. }) => state.delete(store, key),
            None => {}
        }
    }
    fn open_scope(&mut self) -> Option<Result<ScopeMark, StoreError>> {
        match &mut self.kind {
            Some(Kind::Direct { state, .. }) => state.open_scope(),
            _ => None,
        }
    }
    fn close_scope(&mut self, mark: ScopeMark, keep: bool) -> Result<(), StoreError> {
        match &mut self.kind {
            Some(Kind::Direct { state, .. }) => state.close_scope(mark, keep),
            _ => Ok(()),
        }
    }
}
