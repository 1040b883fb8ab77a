//! A read-only view of the last committed state.

use super::router::{LayoutState, RoutedReader};
use super::{KeyRange, KvIter, StateRead, StoreError, TableRead};

/// The committed state as of one commit. It owns a backend read
/// transaction, so it stays consistent while later blocks commit, and reads
/// through the layout router as of that commit.
pub struct Snapshot {
    reader: Box<dyn TableRead>,
    layout: LayoutState,
}

impl Snapshot {
    pub(crate) fn new(reader: Box<dyn TableRead>, layout: LayoutState) -> Self {
        Snapshot { reader, layout }
    }

    /// Where module data stood at this commit.
    pub fn layout_state(&self) -> &LayoutState {
        &self.layout
    }

    fn routed(&self) -> RoutedReader<'_> {
        RoutedReader {
            reader: self.reader.as_ref(),
            state: &self.layout,
        }
    }
}

impl StateRead for Snapshot {
    fn get(&self, store: &str, key: &[u8]) -> Result<Option<Vec<u8>>, StoreError> {
        self.routed().get(store, key)
    }

    fn range(&self, store: &str, range: KeyRange) -> Result<KvIter<'_>, StoreError> {
        Ok(self.routed().range(store, range))
    }
}
