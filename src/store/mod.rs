//! The store layer: logical state as raw keys and values in named stores,
//! write deltas over committed snapshots, backends and physical layouts.

mod backend;
mod batch_writer;
mod boundary;
mod changeset;
mod delta;
mod error;
mod guarded;
mod journal;
mod layout;
mod lazy_migration;
mod memory;
mod merge;
mod module_store;
mod name;
mod range;
mod read;
mod redb_backend;
mod router;
mod scope;
mod session;
mod snapshot;
mod storage;
mod verify;
mod write;
mod write_behind;

pub use backend::{Backend, TableOp, TableRead, TableWrite};
pub use boundary::{Boundary, BoundaryError};
pub use changeset::ChangeSet;
pub use delta::StateDelta;
pub use error::StoreError;
pub use layout::{Layout, MIGRATION_TABLE, Placement, UPGRADE_TABLE, V1_TABLE, V2_TABLE_PREFIX};
pub use lazy_migration::BatchReport;
pub use memory::MemoryBackend;
pub use merge::{OverlayItem, merge_overlay};
pub use module_store::{ModuleReader, ModuleStore};
pub use name::{
    MAX_STORE_NAME_LEN, MIGRATION_STORE, RESERVED_STORES, UPGRADE_STORE, is_reserved,
    validate_store_name,
};
pub use range::{KeyRange, prefix_successor};
pub use read::{KvIter, KvPair, StateRead, paged};
pub use redb_backend::{RedbBackend, RedbReadOnlyBackend, STATE_CACHE_BYTES};
pub use router::{LayoutState, MigrationCounters};
pub use scope::Scope;
pub use session::{DEFAULT_WRITE_BUFFER, ScopeMark, SessionStats, WriteSession};
pub use snapshot::Snapshot;
pub use storage::{APP_HASH_TABLE, CommitInfo, CommitOptions, META_TABLE, Storage};
pub use verify::VerifyReport;
pub use write::StateWrite;
