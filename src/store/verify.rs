//! Verification: the committed app hash recomputed from every stored
//! (store, key, value) triple, in bounded memory, on every core.
//!
//! The lattice kept beside the state lets each commit cost O(its changes),
//! but it also means a byte changed on disk (a failing disk, an edit) would
//! go unnoticed until some other node disagreed. Recomputing the lattice from
//! the stored triples and comparing it with the committed app hash catches
//! any such change before a node builds on it.

use serde::Serialize;

use super::lazy_migration::split_v1_key;
use super::storage::{APP_HASH_TABLE, META_TABLE};
use super::{
    KeyRange, MIGRATION_TABLE, StoreError, TableRead, UPGRADE_STORE, UPGRADE_TABLE, V1_TABLE,
    V2_TABLE_PREFIX,
};
use crate::commitment::{AppHash, KeyUpdate, LatticeHash, StoreLattices};

/// Pairs read per round trip; memory is bounded by one page.
const PAGE: usize = 8192;

/// What verification found.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct VerifyReport {
    /// The committed height checked.
    pub height: u64,
    /// The committed app hash.
    pub app_hash: AppHash,
    /// Triples read.
    pub triples: u64,
    /// Bytes of keys and values read.
    pub bytes: u64,
}

/// Each store's lattice of the triples `reader` holds, with counts.
pub(crate) fn recompute(reader: &dyn TableRead) -> Result<(StoreLattices, u64, u64), StoreError> {
    let mut lattices = StoreLattices::new();
    let (mut triples, mut bytes) = (0u64, 0u64);
    for table in reader.tables()? {
        let store_of = |physical: &[u8]| -> Result<(String, usize), StoreError> {
            if table == V1_TABLE {
                let (store, key) = split_v1_key(physical)?;
                Ok((store.to_owned(), physical.len() - key.len()))
            } else if table == UPGRADE_TABLE {
                Ok((UPGRADE_STORE.to_owned(), 0))
            } else {
                Ok((table[V2_TABLE_PREFIX.len()..].to_owned(), 0))
            }
        };
        let node_local = [META_TABLE, APP_HASH_TABLE, MIGRATION_TABLE];
        if node_local.contains(&table.as_str()) {
            continue;
        }
        if table != V1_TABLE && table != UPGRADE_TABLE && !table.starts_with(V2_TABLE_PREFIX) {
            return Err(StoreError::Corrupt {
                what: format!("table {table:?}"),
                reason: "the state file has a table this runtime never writes".into(),
            });
        }
        let mut range = KeyRange::all();
        loop {
            let page = reader.range(&table, &range, PAGE)?;
            let mut located = Vec::with_capacity(page.len());
            for (physical, value) in &page {
                located.push((store_of(physical)?, physical, value));
            }
            let updates: Vec<KeyUpdate<'_>> = located
                .iter()
                .map(|((store, skip), physical, value)| KeyUpdate {
                    store,
                    key: &physical[*skip..],
                    old: None,
                    new: Some(value.as_slice()),
                })
                .collect();
            // Keys come in store order: each run of one store at once.
            for run in updates.chunk_by(|a, b| a.store == b.store) {
                let mut part = LatticeHash::new();
                part.apply_updates(run);
                lattices.add(run[0].store, &part);
            }
            triples += page.len() as u64;
            bytes += page
                .iter()
                .map(|(k, v)| (k.len() + v.len()) as u64)
                .sum::<u64>();
            match page.last() {
                Some((last, _)) if page.len() == PAGE => range = KeyRange::after(last.clone()),
                _ => break,
            }
        }
    }
    Ok((lattices, triples, bytes))
}
