//! Writing state: the [`StateWrite`] trait.

use super::StateRead;

/// Buffered writes over a [`StateRead`]. Writes cannot fail: they land in a
/// delta and reach the backend only when a block commits.
pub trait StateWrite: StateRead {
    /// Sets `key` in `store` to `value`.
    fn set(&mut self, store: &str, key: Vec<u8>, value: Vec<u8>);
    /// Deletes `key` from `store` (a no-op if absent).
    fn delete(&mut self, store: &str, key: Vec<u8>);
}

impl<S: StateWrite + ?Sized> StateWrite for &mut S {
    fn set(&mut self, store: &str, key: Vec<u8>, value: Vec<u8>) {
        (**self).set(store, key, value);
    }
    fn delete(&mut self, store: &str, key: Vec<u8>) {
        (**self).delete(store, key);
    }
}

impl<S: StateWrite + ?Sized> StateWrite for Box<S> {
    fn set(&mut self, store: &str, key: Vec<u8>, value: Vec<u8>) {
        (**self).set(store, key, value);
    }
    fn delete(&mut self, store: &str, key: Vec<u8>) {
        (**self).delete(store, key);
    }
}
