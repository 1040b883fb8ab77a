//! Moving one batch of keys from layout v1 to v2 inside a block's write
//! transaction.

use serde::Serialize;

use super::router::{LayoutState, MigrationCounters};
use super::{
    Boundary, KeyRange, Layout, MIGRATION_TABLE, Placement, StoreError, TableOp, TableWrite,
    V1_TABLE,
};

pub(crate) const LAYOUT_KEY: &[u8] = b"layout";
pub(crate) const BOUNDARY_KEY: &[u8] = b"boundary";
pub(crate) const COUNTERS_KEY: &[u8] = b"counters";

/// What one batch did.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct BatchReport {
    /// Keys moved by this batch.
    pub moved: u64,
    /// Counters after it.
    pub counters: MigrationCounters,
    /// Whether this batch completed the migration.
    pub completed: bool,
    /// The boundary after it, for logs (`store/hex key`).
    pub boundary: String,
}

/// Splits a v1 physical key `s/k:<store>/<key>` into (store, key).
pub(crate) fn split_v1_key(physical: &[u8]) -> Result<(&str, &[u8]), StoreError> {
    let corrupt = || StoreError::Corrupt {
        what: format!("layout v1 key 0x{}", hex::encode(physical)),
        reason: "not of the form s/k:<store>/<key>".into(),
    };
    let rest = physical.strip_prefix(b"s/k:").ok_or_else(corrupt)?;
    let slash = rest.iter().position(|b| *b == b'/').ok_or_else(corrupt)?;
    let store = std::str::from_utf8(&rest[..slash]).map_err(|_| corrupt())?;
    Ok((store, &rest[slash + 1..]))
}

/// Counts the keys of layout v1 (once, when the migration starts).
pub(crate) fn count_v1(txn: &dyn TableWrite) -> Result<u64, StoreError> {
    const PAGE: usize = 4096;
    let mut range = KeyRange::all();
    let mut count = 0u64;
    loop {
        let page = txn.range(V1_TABLE, &range, PAGE)?;
        count += page.len() as u64;
        match page.last() {
            Some((last, _)) if page.len() == PAGE => range = KeyRange::after(last.clone()),
            _ => return Ok(count),
        }
    }
}

/// Persists the router state and counters into the migration table.
pub(crate) fn persist(
    txn: &mut dyn TableWrite,
    state: &LayoutState,
    counters: &MigrationCounters,
) -> Result<(), StoreError> {
    let boundary = match state {
        LayoutState::Migrating(b) => Some(b.encode()),
        _ => None,
    };
    let counters = serde_json::to_vec(counters)
        .map_err(|e| StoreError::backend("encoding migration counters", e))?;
    txn.write_batch(
        MIGRATION_TABLE,
        &[
            (LAYOUT_KEY.to_vec(), Some(vec![state.layout().to_byte()])),
            (BOUNDARY_KEY.to_vec(), boundary),
            (COUNTERS_KEY.to_vec(), Some(counters)),
        ],
    )?;
    Ok(())
}

/// Moves up to `batch` keys after `boundary` from v1 to v2 and returns
/// where the migration stands after it. Completes the migration (v1 table
/// dropped) in the same transaction when v1 is drained. The caller persists
/// the new state with the rest of the commit.
pub(crate) fn move_batch(
    txn: &mut dyn TableWrite,
    boundary: &Boundary,
    batch: u64,
    counters: &mut MigrationCounters,
    height: u64,
) -> Result<(LayoutState, BatchReport), StoreError> {
    let start = match boundary {
        Boundary::InProgress { store, key } => {
            KeyRange::after(Placement::of(store, Layout::V1).physical_key(key))
        }
        Boundary::NotStarted | Boundary::Complete => KeyRange::all(),
    };
    let batch_len = usize::try_from(batch).unwrap_or(usize::MAX);
    let mut pairs = txn.range(V1_TABLE, &start, batch_len.saturating_add(1))?;
    let drained = pairs.len() <= batch_len;
    pairs.truncate(batch_len);

    // Keys come in (store, key) order, so each store's keys are contiguous.
    let mut per_store: Vec<(String, Vec<TableOp>)> = Vec::new();
    let moved = pairs.len() as u64;
    let last_physical = pairs.last().map(|(physical, _)| physical.clone());
    for (physical, value) in pairs {
        let (store, key) = split_v1_key(&physical)?;
        match per_store.last_mut() {
            Some((current, ops)) if current == store => ops.push((key.to_vec(), Some(value))),
            _ => per_store.push((store.to_owned(), vec![(key.to_vec(), Some(value))])),
        }
    }
    for (store, ops) in &per_store {
        txn.write_batch(&Placement::of(store, Layout::V2).table, ops)?;
    }
    if let Some(last) = &last_physical {
        // The keys just read: from the batch's start through the last one
        // (`last || 0` is the first key after it), removed in one pass.
        let mut after_last = last.clone();
        after_last.push(0);
        let read = KeyRange {
            start: start.start.clone(),
            end: std::ops::Bound::Excluded(after_last),
        };
        let removed = txn.delete_range(V1_TABLE, &read)?;
        if removed != moved {
            return Err(StoreError::backend(
                "moving a lazy migration batch",
                format!("read {moved} keys of the v1 table but removed {removed}"),
            ));
        }
    }
    counters.moved += moved;
    counters.left = counters.left.saturating_sub(moved);

    let next = if drained {
        txn.delete_table(V1_TABLE)?;
        counters.left = 0;
        counters.completed_height = height;
        LayoutState::V2
    } else {
        LayoutState::Migrating(match &last_physical {
            Some(physical) => {
                let (store, key) = split_v1_key(physical)?;
                Boundary::InProgress {
                    store: store.to_owned(),
                    key: key.to_vec(),
                }
            }
            None => boundary.clone(),
        })
    };
    let boundary_text = match &next {
        LayoutState::Migrating(Boundary::InProgress { store, key }) => {
            format!("{store}/{}", hex::encode(key))
        }
        LayoutState::V2 => "complete".into(),
        _ => "not started".into(),
    };
    let report = BatchReport {
        moved,
        counters: *counters,
        completed: next == LayoutState::V2,
        boundary: boundary_text,
    };
    tracing::info!(
        height,
        moved = report.moved,
        total_moved = report.counters.moved,
        left = report.counters.left,
        boundary = %report.boundary,
        completed = report.completed,
        "lazy store migration batch"
    );
    Ok((next, report))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn splits_v1_keys_and_rejects_foreign_ones() {
        assert_eq!(
            split_v1_key(b"s/k:bank/\x02a/b").ok(),
            Some(("bank", &b"\x02a/b"[..]))
        );
        assert!(split_v1_key(b"x/bank/k").is_err());
        assert!(split_v1_key(b"s/k:bank").is_err());
    }
}
