//! Views that bind a module to its own store.

use super::{KeyRange, KvIter, StateRead, StateWrite, StoreError};

/// Read-write access to exactly one module store. Modules get one through
/// [`crate::Context::store`]; they cannot build one for another store.
pub struct ModuleStore<'a> {
    state: &'a mut dyn StateWrite,
    store: &'a str,
}

impl<'a> ModuleStore<'a> {
    pub(crate) fn new(state: &'a mut dyn StateWrite, store: &'a str) -> Self {
        ModuleStore { state, store }
    }

    /// The store this view is bound to.
    pub fn name(&self) -> &str {
        self.store
    }

    /// The value under `key`.
    ///
    /// # Errors
    ///
    /// A backend failure.
    pub fn get(&self, key: &[u8]) -> Result<Option<Vec<u8>>, StoreError> {
        self.reader().get(key)
    }

    /// Whether `key` is set.
    ///
    /// # Errors
    ///
    /// A backend failure.
    pub fn has(&self, key: &[u8]) -> Result<bool, StoreError> {
        self.reader().has(key)
    }

    /// Pairs inside `range`, in key order.
    ///
    /// # Errors
    ///
    /// A backend failure.
    pub fn range(&self, range: KeyRange) -> Result<KvIter<'_>, StoreError> {
        self.reader().range(range)
    }

    /// Pairs whose key starts with `prefix`, in key order.
    ///
    /// # Errors
    ///
    /// A backend failure.
    pub fn prefix(&self, prefix: &[u8]) -> Result<KvIter<'_>, StoreError> {
        self.reader().prefix(prefix)
    }

    /// Sets `key` to `value`.
    pub fn set(&mut self, key: impl Into<Vec<u8>>, value: impl Into<Vec<u8>>) {
        self.state.set(self.store, key.into(), value.into());
    }

    /// Deletes `key`.
    pub fn delete(&mut self, key: impl Into<Vec<u8>>) {
        self.state.delete(self.store, key.into());
    }

    /// A read-only view of the same store.
    pub fn reader(&self) -> ModuleReader<'_> {
        ModuleReader::new(&*self.state, self.store)
    }
}

/// Read-only access to one module store: how a module reads its own state
/// during export, or a declared dependency's state.
#[derive(Clone, Copy)]
pub struct ModuleReader<'a> {
    state: &'a dyn StateRead,
    store: &'a str,
}

impl<'a> ModuleReader<'a> {
    pub(crate) fn new(state: &'a dyn StateRead, store: &'a str) -> Self {
        ModuleReader { state, store }
    }

    /// The store this view is bound to.
    pub fn name(&self) -> &str {
        self.store
    }

    /// The value under `key`.
    ///
    /// # Errors
    ///
    /// A backend failure.
    pub fn get(&self, key: &[u8]) -> Result<Option<Vec<u8>>, StoreError> {
        self.state.get(self.store, key)
    }

    /// Whether `key` is set.
    ///
    /// # Errors
    ///
    /// A backend failure.
    pub fn has(&self, key: &[u8]) -> Result<bool, StoreError> {
        self.state.has(self.store, key)
    }

    /// Pairs inside `range`, in key order.
    ///
    /// # Errors
    ///
    /// A backend failure.
    pub fn range(&self, range: KeyRange) -> Result<KvIter<'a>, StoreError> {
        self.state.range(self.store, range)
    }

    /// Pairs whose key starts with `prefix`, in key order.
    ///
    /// # Errors
    ///
    /// A backend failure.
    pub fn prefix(&self, prefix: &[u8]) -> Result<KvIter<'a>, StoreError> {
        self.state.prefix(self.store, prefix)
    }
}
