//! Physical layouts: where a logical (store, key) lives inside the backend.
//!
//! - **v1** (legacy): one table, keys `s/k:<store>/<key>`, the way Cosmos'
//!   rootmulti prefixes every IAVL store inside one database.
//! - **v2**: one table per module store, keys as they are.
//!
//! The runtime's `upgrade` store always has a table of its own, and the
//! node-local `migration` store and metadata live outside the layouts.

use std::ops::Bound;

use super::{KeyRange, StoreError, UPGRADE_STORE, prefix_successor};

/// The single table of layout v1.
pub const V1_TABLE: &str = "layout_v1";
/// Prefix of every layout-v2 table name; the store name follows.
pub const V2_TABLE_PREFIX: &str = "layout_v2:";
/// Table of the reserved `upgrade` store.
pub const UPGRADE_TABLE: &str = "reserved:upgrade";
/// Table of the reserved, node-local `migration` store.
pub const MIGRATION_TABLE: &str = "reserved:migration";

/// A physical layout version.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, serde::Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Layout {
    /// One table, prefixed keys.
    V1,
    /// A table per store.
    V2,
}

impl Layout {
    /// The byte kept in the `migration` store.
    pub fn to_byte(self) -> u8 {
        match self {
            Layout::V1 => 1,
            Layout::V2 => 2,
        }
    }

    /// Decodes [`Layout::to_byte`].
    ///
    /// # Errors
    ///
    /// [`StoreError::Corrupt`] naming the record.
    pub fn from_bytes(bytes: &[u8]) -> Result<Self, StoreError> {
        match bytes {
            [1] => Ok(Layout::V1),
            [2] => Ok(Layout::V2),
            other => Err(StoreError::Corrupt {
                what: format!("store layout version (table {MIGRATION_TABLE:?}, key \"layout\")"),
                reason: format!(
                    "expected a single byte 1 or 2, found {}",
                    hex_or_empty(other)
                ),
            }),
        }
    }
}

fn hex_or_empty(bytes: &[u8]) -> String {
    if bytes.is_empty() {
        "no bytes".into()
    } else {
        format!("0x{}", hex::encode(bytes))
    }
}

/// Where one store's keys sit: a table, and a prefix to put before each key.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Placement {
    /// The physical table.
    pub table: String,
    /// Prepended to every logical key (empty outside layout v1).
    pub prefix: Vec<u8>,
}

impl Placement {
    /// Where `store` lives under `layout`.
    pub fn of(store: &str, layout: Layout) -> Placement {
        if store == UPGRADE_STORE {
            return Placement {
                table: UPGRADE_TABLE.to_owned(),
                prefix: Vec::new(),
            };
        }
        match layout {
            Layout::V1 => Placement {
                table: V1_TABLE.to_owned(),
                prefix: [b"s/k:", store.as_bytes(), b"/"].concat(),
            },
            Layout::V2 => Placement {
                table: format!("{V2_TABLE_PREFIX}{store}"),
                prefix: Vec::new(),
            },
        }
    }

    /// The physical key of a logical key.
    pub fn physical_key(&self, key: &[u8]) -> Vec<u8> {
        [self.prefix.as_slice(), key].concat()
    }

    /// The logical key of a physical key of this placement.
    pub fn logical_key(&self, physical: &[u8]) -> Vec<u8> {
        physical
            .get(self.prefix.len()..)
            .unwrap_or_default()
            .to_vec()
    }

    /// The physical range covering a logical range.
    pub fn physical_range(&self, range: &KeyRange) -> KeyRange {
        let wrap = |b: &Bound<Vec<u8>>| match b {
            Bound::Included(k) => Bound::Included(self.physical_key(k)),
            Bound::Excluded(k) => Bound::Excluded(self.physical_key(k)),
            Bound::Unbounded => Bound::Unbounded,
        };
        let start = match &range.start {
            Bound::Unbounded if !self.prefix.is_empty() => Bound::Included(self.prefix.clone()),
            other => wrap(other),
        };
        let end = match &range.end {
            Bound::Unbounded if !self.prefix.is_empty() => match prefix_successor(&self.prefix) {
                Some(end) => Bound::Excluded(end),
                None => Bound::Unbounded,
            },
            other => wrap(other),
        };
        KeyRange { start, end }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn v1_keys_are_prefixed_by_store() {
        let p = Placement::of("bank", Layout::V1);
        assert_eq!(p.table, V1_TABLE);
        assert_eq!(p.physical_key(b"k"), b"s/k:bank/k".to_vec());
        assert_eq!(p.logical_key(b"s/k:bank/k"), b"k".to_vec());
        let r = p.physical_range(&KeyRange::all());
        assert!(r.contains(b"s/k:bank/"));
        assert!(r.contains(b"s/k:bank/\xff"));
        assert!(!r.contains(b"s/k:bank0"));
        assert!(!r.contains(b"s/k:bankx/a"));
    }

    #[test]
    fn v2_and_reserved_tables() {
        assert_eq!(Placement::of("bank", Layout::V2).table, "layout_v2:bank");
        assert_eq!(Placement::of("upgrade", Layout::V1).table, UPGRADE_TABLE);
        assert!(Layout::from_bytes(&[3]).is_err());
        assert_eq!(Layout::from_bytes(&[2]).ok(), Some(Layout::V2));
    }
}
