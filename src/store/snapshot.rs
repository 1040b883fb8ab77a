//! A read-only view of the last committed state.

use super::{
    KeyRange, KvIter, Layout, MIGRATION_STORE, MIGRATION_TABLE, Placement, StateRead, StoreError,
    TableRead, paged,
};

/// Pairs fetched per backend round trip while iterating.
const PAGE: usize = 512;

/// The committed state as of one commit. It owns a backend read
/// transaction, so it stays consistent while later blocks commit.
pub struct Snapshot {
    reader: Box<dyn TableRead>,
    layout: Layout,
}

impl Snapshot {
    pub(crate) fn new(reader: Box<dyn TableRead>, layout: Layout) -> Self {
        Snapshot { reader, layout }
    }

    /// The layout this snapshot reads from.
    pub fn layout(&self) -> Layout {
        self.layout
    }

    fn placement(&self, store: &str) -> Placement {
        if store == MIGRATION_STORE {
            return Placement {
                table: MIGRATION_TABLE.to_owned(),
                prefix: Vec::new(),
            };
        }
        Placement::of(store, self.layout)
    }
}

impl StateRead for Snapshot {
    fn get(&self, store: &str, key: &[u8]) -> Result<Option<Vec<u8>>, StoreError> {
        let place = self.placement(store);
        self.reader.get(&place.table, &place.physical_key(key))
    }

    fn range(&self, store: &str, range: KeyRange) -> Result<KvIter<'_>, StoreError> {
        let place = self.placement(store);
        Ok(paged(range, PAGE, move |range, limit| {
            let physical = place.physical_range(range);
            let pairs = self.reader.range(&place.table, &physical, limit)?;
            Ok(pairs
                .into_iter()
                .map(|(k, v)| (place.logical_key(&k), v))
                .collect())
        }))
    }
}
