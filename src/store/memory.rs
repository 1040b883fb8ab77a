//! The in-memory backend, for unit tests.

use std::collections::BTreeMap;
use std::sync::{Arc, Mutex};

use super::{Backend, KeyRange, KvPair, StoreError, TableOp, TableRead, TableWrite};

type Tables = BTreeMap<String, BTreeMap<Vec<u8>, Vec<u8>>>;

/// Tables in memory. Readers hold an immutable snapshot; a write transaction
/// works on a copy that replaces the current tables on commit.
#[derive(Clone, Default)]
pub struct MemoryBackend {
    current: Arc<Mutex<Arc<Tables>>>,
}

impl MemoryBackend {
    /// An empty backend.
    pub fn new() -> Self {
        Self::default()
    }

    fn snapshot(&self) -> Arc<Tables> {
        match self.current.lock() {
            Ok(guard) => Arc::clone(&guard),
            Err(poisoned) => Arc::clone(&poisoned.into_inner()),
        }
    }
}

struct MemoryRead(Arc<Tables>);

fn get_in(tables: &Tables, table: &str, key: &[u8]) -> Option<Vec<u8>> {
    tables.get(table)?.get(key).cloned()
}

fn range_in(tables: &Tables, table: &str, range: &KeyRange, limit: usize) -> Vec<KvPair> {
    match tables.get(table) {
        Some(_) if range.is_empty() => Vec::new(),
        Some(map) => map
            .range::<[u8], _>(range.as_bounds())
            .take(limit)
            .map(|(k, v)| (k.clone(), v.clone()))
            .collect(),
        None => Vec::new(),
    }
}

impl TableRead for MemoryRead {
    fn tables(&self) -> Result<Vec<String>, StoreError> {
        Ok(self.0.keys().cloned().collect())
    }
    fn get(&self, table: &str, key: &[u8]) -> Result<Option<Vec<u8>>, StoreError> {
        Ok(get_in(&self.0, table, key))
    }
    fn range(
        &self,
        table: &str,
        range: &KeyRange,
        limit: usize,
    ) -> Result<Vec<KvPair>, StoreError> {
        Ok(range_in(&self.0, table, range, limit))
    }
}

struct MemoryWrite {
    backend: MemoryBackend,
    tables: Tables,
}

impl TableRead for MemoryWrite {
    fn tables(&self) -> Result<Vec<String>, StoreError> {
        Ok(self.tables.keys().cloned().collect())
    }
    fn get(&self, table: &str, key: &[u8]) -> Result<Option<Vec<u8>>, StoreError> {
        Ok(get_in(&self.tables, table, key))
    }
    fn range(
        &self,
        table: &str,
        range: &KeyRange,
        limit: usize,
    ) -> Result<Vec<KvPair>, StoreError> {
        Ok(range_in(&self.tables, table, range, limit))
    }
}

impl TableWrite for MemoryWrite {
    fn write_batch(
        &mut self,
        table: &str,
        ops: &[TableOp],
    ) -> Result<Vec<Option<Vec<u8>>>, StoreError> {
        let map = self.tables.entry(table.to_owned()).or_default();
        Ok(ops
            .iter()
            .map(|(key, value)| match value {
                Some(value) => map.insert(key.clone(), value.clone()),
                None => map.remove(key),
            })
            .collect())
    }

    fn delete_table(&mut self, table: &str) -> Result<(), StoreError> {
        self.tables.remove(table);
        Ok(())
    }

    fn commit(self: Box<Self>) -> Result<(), StoreError> {
        let mut guard = match self.backend.current.lock() {
            Ok(guard) => guard,
            Err(poisoned) => poisoned.into_inner(),
        };
        *guard = Arc::new(self.tables);
        Ok(())
    }
}

impl Backend for MemoryBackend {
    fn begin_read(&self) -> Result<Box<dyn TableRead>, StoreError> {
        Ok(Box::new(MemoryRead(self.snapshot())))
    }

    fn begin_write(&self) -> Result<Box<dyn TableWrite>, StoreError> {
        Ok(Box::new(MemoryWrite {
            backend: self.clone(),
            tables: (*self.snapshot()).clone(),
        }))
    }
}
