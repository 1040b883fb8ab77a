//! The layout router: which physical layout holds a logical key, given where
//! the lazy v1 -> v2 migration stands.

use serde::Serialize;

use super::{
    Boundary, KeyRange, KvIter, Layout, MIGRATION_TABLE, Placement, StoreError, TableOp, TableRead,
    TableWrite, merge_overlay, paged,
};

/// Pairs fetched per backend round trip while iterating.
const PAGE: usize = 512;

/// Where module data lives.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum LayoutState {
    /// All in v1.
    V1,
    /// Moving from v1 to v2: covered keys and brand-new keys are in v2, the
    /// rest still in v1.
    Migrating(Boundary),
    /// All in v2.
    V2,
}

/// Node-local counters of the lazy migration.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, serde::Deserialize)]
pub struct MigrationCounters {
    /// Keys moved so far.
    pub moved: u64,
    /// Keys still in v1.
    pub left: u64,
    /// Height whose commit started the migration.
    pub started_height: u64,
    /// Height whose commit completed it (0 while running).
    pub completed_height: u64,
}

impl LayoutState {
    /// The store layout version: v1 until the migration completes.
    pub fn layout(&self) -> Layout {
        match self {
            LayoutState::V2 => Layout::V2,
            _ => Layout::V1,
        }
    }
}

/// Reads logical keys through the router.
pub(crate) struct RoutedReader<'a> {
    pub(crate) reader: &'a dyn TableRead,
    pub(crate) state: &'a LayoutState,
}

impl<'a> RoutedReader<'a> {
    fn migration_placement() -> Placement {
        Placement {
            table: MIGRATION_TABLE.to_owned(),
            prefix: Vec::new(),
        }
    }

    pub(crate) fn get(&self, store: &str, key: &[u8]) -> Result<Option<Vec<u8>>, StoreError> {
        if store == super::MIGRATION_STORE {
            return self.reader.get(MIGRATION_TABLE, key);
        }
        match self.state {
            LayoutState::V1 => get_at(self.reader, &Placement::of(store, Layout::V1), key),
            LayoutState::V2 => get_at(self.reader, &Placement::of(store, Layout::V2), key),
            LayoutState::Migrating(boundary) => {
                let v2 = get_at(self.reader, &Placement::of(store, Layout::V2), key)?;
                if v2.is_some() || boundary.covers(store, key) {
                    return Ok(v2);
                }
                get_at(self.reader, &Placement::of(store, Layout::V1), key)
            }
        }
    }

    pub(crate) fn range(&self, store: &str, range: KeyRange) -> KvIter<'a> {
        if store == super::MIGRATION_STORE {
            return iterate(self.reader, Self::migration_placement(), range);
        }
        match self.state {
            LayoutState::V1 => iterate(self.reader, Placement::of(store, Layout::V1), range),
            LayoutState::V2 => iterate(self.reader, Placement::of(store, Layout::V2), range),
            LayoutState::Migrating(_) => {
                // A key lives in one layout at a time; v2 wins regardless.
                let v1 = iterate(self.reader, Placement::of(store, Layout::V1), range.clone());
                let v2 = iterate(self.reader, Placement::of(store, Layout::V2), range)
                    .map(|r| r.map(|(k, v)| (k, Some(v))));
                merge_overlay(v1, v2)
            }
        }
    }
}

fn get_at(
    reader: &dyn TableRead,
    place: &Placement,
    key: &[u8],
) -> Result<Option<Vec<u8>>, StoreError> {
    reader.get(&place.table, &place.physical_key(key))
}

fn iterate<'a>(reader: &'a dyn TableRead, place: Placement, range: KeyRange) -> KvIter<'a> {
    paged(range, PAGE, move |range, limit| {
        let physical = place.physical_range(range);
        let pairs = reader.range(&place.table, &physical, limit)?;
        Ok(pairs
            .into_iter()
            .map(|(k, v)| (place.logical_key(&k), v))
            .collect())
    })
}

/// Splits one store's writes between the layouts, where the router says
/// each key lives: while a lazy migration runs, keys not yet moved stay in
/// v1 until their batch comes and brand-new keys go straight to v2.
pub(crate) fn route_writes(
    txn: &dyn TableWrite,
    layout: &LayoutState,
    store: &str,
    writes: std::collections::BTreeMap<Vec<u8>, Option<Vec<u8>>>,
) -> Result<Vec<(Placement, Vec<TableOp>)>, StoreError> {
    let placements = [
        Placement::of(store, Layout::V1),
        Placement::of(store, Layout::V2),
    ];
    let mut ops: [Vec<TableOp>; 2] = [Vec::new(), Vec::new()];
    for (key, value) in writes {
        let side = match layout {
            LayoutState::V1 => 0,
            LayoutState::V2 => 1,
            LayoutState::Migrating(boundary) => {
                let v1 = &placements[0];
                if !boundary.covers(store, &key)
                    && txn.get(&v1.table, &v1.physical_key(&key))?.is_some()
                {
                    0
                } else {
                    1
                }
            }
        };
        ops[side].push((placements[side].physical_key(&key), value));
    }
    Ok(placements
        .into_iter()
        .zip(ops)
        .filter(|(_, ops)| !ops.is_empty())
        .collect())
}
