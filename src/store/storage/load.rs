//! Reading and checking the state file's metadata when it is opened.

use super::*;
use crate::store::KeyRange;

fn read_layout(reader: &dyn TableRead) -> Result<(LayoutState, MigrationCounters), StoreError> {
    let layout_what =
        || format!("store layout version (table {MIGRATION_TABLE:?}, key \"layout\")");
    let layout = match reader.get(MIGRATION_TABLE, LAYOUT_KEY)? {
        Some(bytes) => Layout::from_bytes(&bytes)?,
        None => {
            return Err(StoreError::Corrupt {
                what: layout_what(),
                reason: "missing".into(),
            });
        }
    };
    let counters = match reader.get(MIGRATION_TABLE, COUNTERS_KEY)? {
        Some(bytes) => serde_json::from_slice(&bytes).map_err(|e| StoreError::Corrupt {
            what: format!("migration counters (table {MIGRATION_TABLE:?}, key \"counters\")"),
            reason: e.to_string(),
        })?,
        None => MigrationCounters::default(),
    };
    let boundary = match reader.get(MIGRATION_TABLE, BOUNDARY_KEY)? {
        Some(bytes) => Some(Boundary::decode(&bytes).map_err(|e| StoreError::Corrupt {
            what: format!("migration boundary (table {MIGRATION_TABLE:?}, key \"boundary\")"),
            reason: e.to_string(),
        })?),
        None => None,
    };
    let state = match (layout, boundary) {
        (Layout::V1, None) => LayoutState::V1,
        (Layout::V2, None) => LayoutState::V2,
        (Layout::V1, Some(Boundary::Complete)) | (Layout::V2, Some(_)) => {
            return Err(StoreError::Corrupt {
                what: "migration boundary".into(),
                reason: format!("it disagrees with the store layout version {layout:?}"),
            });
        }
        (Layout::V1, Some(b)) => LayoutState::Migrating(b),
    };
    Ok((state, counters))
}

/// Everything `Storage` keeps in memory, read and checked from the file.
type LoadedState = (
    LayoutState,
    MigrationCounters,
    LatticeHash,
    Option<CommitInfo>,
);

pub(super) fn read_state(reader: &dyn TableRead) -> Result<LoadedState, StoreError> {
    match reader.get(META_TABLE, FORMAT_KEY)? {
        Some(format) if format == FORMAT => {}
        Some(other) => {
            return Err(StoreError::Corrupt {
                what: "format marker".into(),
                reason: format!(
                    "expected {:?}, found {:?}; this file was not written by this runtime",
                    String::from_utf8_lossy(FORMAT),
                    String::from_utf8_lossy(&other)
                ),
            });
        }
        None => {
            return Err(StoreError::Corrupt {
                what: "format marker".into(),
                reason: "missing; this is not a state file of this runtime".into(),
            });
        }
    }
    let (layout, counters) = read_layout(reader)?;
    let (lattice, last) = read_commit_meta(reader)?;
    Ok((layout, counters, lattice, last))
}

pub(super) fn decode_hash(bytes: &[u8], what: &str) -> Result<AppHash, StoreError> {
    <[u8; 32]>::try_from(bytes)
        .map(AppHash)
        .map_err(|_| StoreError::Corrupt {
            what: what.into(),
            reason: format!("expected 32 bytes, found {}", bytes.len()),
        })
}

fn read_commit_meta(
    reader: &dyn TableRead,
) -> Result<(LatticeHash, Option<CommitInfo>), StoreError> {
    let Some(height) = reader.get(META_TABLE, HEIGHT_KEY)? else {
        return Ok((LatticeHash::new(), None));
    };
    let height = <[u8; 8]>::try_from(height.as_slice())
        .map(u64::from_be_bytes)
        .map_err(|_| StoreError::Corrupt {
            what: "last committed height".into(),
            reason: format!("expected 8 bytes, found {}", height.len()),
        })?;
    let lattice_bytes = reader.get(META_TABLE, LATTICE_KEY)?.unwrap_or_default();
    let lattice = LatticeHash::from_bytes(&lattice_bytes).ok_or_else(|| StoreError::Corrupt {
        what: "lattice hash".into(),
        reason: format!("expected 2048 bytes, found {}", lattice_bytes.len()),
    })?;
    let stored = decode_hash(
        &reader.get(META_TABLE, APP_HASH_KEY)?.unwrap_or_default(),
        "last app hash",
    )?;
    if lattice.app_hash() != stored {
        return Err(StoreError::Corrupt {
            what: "commit metadata".into(),
            reason: format!(
                "the stored app hash {stored} does not match the stored lattice ({})",
                lattice.app_hash()
            ),
        });
    }
    Ok((
        lattice,
        Some(CommitInfo {
            height,
            app_hash: stored,
        }),
    ))
}

/// Each store's lattice as recorded beside the total; `None` when the file
/// has none (older files) or they do not add up to the total, so that
/// verification never blames a store on stale bookkeeping.
pub(super) fn read_store_lattices(
    reader: &dyn TableRead,
    total: &LatticeHash,
) -> Result<Option<StoreLattices>, StoreError> {
    let mut stores = StoreLattices::new();
    let entries = reader.range(
        META_TABLE,
        &KeyRange::prefix(STORE_LATTICE_PREFIX),
        usize::MAX,
    )?;
    for (key, bytes) in entries {
        let store = String::from_utf8_lossy(&key[STORE_LATTICE_PREFIX.len()..]).into_owned();
        let Some(lattice) = LatticeHash::from_bytes(&bytes) else {
            return Ok(None);
        };
        stores.insert(store, lattice);
    }
    Ok((stores.total() == *total).then_some(stores))
}
