//! Which store handles the typed accessors accept.
//!
//! Reads take `&impl ReadStore` and writes `&mut impl WriteStore`, so the
//! same [`Item`](super::Item) or [`Map`](super::Map) works with a
//! [`Context`], the module's own [`ModuleStore`], or a dependency's
//! [`ModuleReader`], the handles modules already hold.

use crate::context::Context;
use crate::store::{ModuleReader, ModuleStore};

/// Something a typed accessor can read one module store through.
pub trait ReadStore {
    /// A read-only view of the store.
    fn reader(&self) -> ModuleReader<'_>;
}

/// Something a typed accessor can write one module store through. Writes
/// cannot fail: they are buffered until the block commits.
pub trait WriteStore: ReadStore {
    /// Sets `key` to `value`.
    fn set_raw(&mut self, key: Vec<u8>, value: Vec<u8>);
    /// Deletes `key` (a no-op if absent).
    fn delete_raw(&mut self, key: Vec<u8>);
}

impl ReadStore for ModuleReader<'_> {
    fn reader(&self) -> ModuleReader<'_> {
        *self
    }
}

impl ReadStore for ModuleStore<'_> {
    fn reader(&self) -> ModuleReader<'_> {
        ModuleStore::reader(self)
    }
}

impl WriteStore for ModuleStore<'_> {
    fn set_raw(&mut self, key: Vec<u8>, value: Vec<u8>) {
        self.set(key, value);
    }
    fn delete_raw(&mut self, key: Vec<u8>) {
        self.delete(key);
    }
}

/// Reads the context's own store, as [`Context::own`].
impl ReadStore for Context<'_> {
    fn reader(&self) -> ModuleReader<'_> {
        self.own()
    }
}

/// Writes the context's own store, as [`Context::store`].
impl WriteStore for Context<'_> {
    fn set_raw(&mut self, key: Vec<u8>, value: Vec<u8>) {
        self.store().set(key, value);
    }
    fn delete_raw(&mut self, key: Vec<u8>) {
        self.store().delete(key);
    }
}
