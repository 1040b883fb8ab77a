//! Writing state: the [`StateWrite`] trait.

use super::{ScopeMark, StateRead, StoreError};

/// Writes over a [`StateRead`]. Writes cannot fail where they are made:
/// they land in a delta, or in a [`super::WriteSession`] that keeps the first
/// failure and reports it on the next read and at commit.
pub trait StateWrite: StateRead {
    /// Sets `key` in `store` to `value`.
    fn set(&mut self, store: &str, key: Vec<u8>, value: Vec<u8>);
    /// Deletes `key` from `store` (a no-op if absent).
    fn delete(&mut self, store: &str, key: Vec<u8>);

    /// Opens a nested scope in a state that writes through (a
    /// [`super::WriteSession`]); `None` for buffered states, which nest with
    /// a [`super::StateDelta`] instead. Use [`super::Scope`] rather than
    /// calling this directly.
    fn open_scope(&mut self) -> Option<Result<ScopeMark, StoreError>> {
        None
    }

    /// Closes a scope opened by [`StateWrite::open_scope`], keeping its
    /// writes or rolling them back.
    ///
    /// # Errors
    ///
    /// A backend failure.
    fn close_scope(&mut self, mark: ScopeMark, keep: bool) -> Result<(), StoreError> {
        let _ = (mark, keep);
        Ok(())
    }
}

impl<S: StateWrite + ?Sized> StateWrite for &mut S {
    fn set(&mut self, store: &str, key: Vec<u8>, value: Vec<u8>) {
        (**self).set(store, key, value);
    }
    fn delete(&mut self, store: &str, key: Vec<u8>) {
        (**self).delete(store, key);
    }
    fn open_scope(&mut self) -> Option<Result<ScopeMark, StoreError>> {
        (**self).open_scope()
    }
    fn close_scope(&mut self, mark: ScopeMark, keep: bool) -> Result<(), StoreError> {
        (**self).close_scope(mark, keep)
    }
}

impl<S: StateWrite + ?Sized> StateWrite for Box<S> {
    fn set(&mut self, store: &str, key: Vec<u8>, value: Vec<u8>) {
        (**self).set(store, key, value);
    }
    fn delete(&mut self, store: &str, key: Vec<u8>) {
        (**self).delete(store, key);
    }
    fn open_scope(&mut self) -> Option<Result<ScopeMark, StoreError>> {
        (**self).open_scope()
    }
    fn close_scope(&mut self, mark: ScopeMark, keep: bool) -> Result<(), StoreError> {
        (**self).close_scope(mark, keep)
    }
}
