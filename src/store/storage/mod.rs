//! Storage: logical state on a backend, committed a block at a time with its
//! app hash.

mod between_blocks;
mod commit;
mod load;

use load::{decode_hash, read_state};

use std::path::Path;
use std::sync::Arc;

use serde::Serialize;

use super::VerifyReport;
use super::lazy_migration::{
    BOUNDARY_KEY, BatchReport, COUNTERS_KEY, LAYOUT_KEY, count_v1, move_batch, persist,
};
use super::router::{LayoutState, MigrationCounters};
use super::session::{Finished, Settled};
use super::{
    Backend, Boundary, ChangeSet, DEFAULT_WRITE_BUFFER, Layout, MIGRATION_STORE, MIGRATION_TABLE,
    MemoryBackend, RedbBackend, RedbReadOnlyBackend, SessionStats, Snapshot, StoreError, TableRead,
    WriteSession,
};
use crate::commitment::{AppHash, LatticeHash, StoreLattices};

/// Node-local metadata: format marker, chain id, last height, app hash, lattice.
pub const META_TABLE: &str = "node:meta";
/// Node-local history: big-endian height -> app hash of that height.
pub const APP_HASH_TABLE: &str = "node:app_hashes";

const FORMAT_KEY: &[u8] = b"format";
const FORMAT: &[u8] = b"upgrade-runtime/state/1";
const HEIGHT_KEY: &[u8] = b"height";
const APP_HASH_KEY: &[u8] = b"app_hash";
const LATTICE_KEY: &[u8] = b"lattice";
/// Prefix of each store's lattice in the metadata: `lattice:<store>`.
const STORE_LATTICE_PREFIX: &[u8] = b"lattice:";

/// Height and app hash of a commit.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
pub struct CommitInfo {
    /// The committed height.
    pub height: u64,
    /// The app hash after it.
    pub app_hash: AppHash,
}

/// Node-local work that commits with a block.
#[derive(Clone, Debug, Default)]
pub struct CommitOptions<'a> {
    /// Node-local metadata entries (outside the app hash).
    pub node_meta: &'a [(String, Vec<u8>)],
    /// Start the lazy v1 -> v2 migration in this commit.
    pub start_migration: bool,
    /// Keys to move from v1 to v2 in this commit while a migration runs
    /// (0 pauses it).
    pub migration_batch: u64,
}

/// Logical state kept on a backend. Owns the running lattice hash, so each
/// commit costs O(its changes), and the layout router's state.
pub struct Storage {
    backend: Arc<dyn Backend>,
    layout: LayoutState,
    counters: MigrationCounters,
    lattice: LatticeHash,
    /// Each store's part of `lattice` (`None`: a state file that predates
    /// tracking them, or whose entries disagree with the total).
    store_lattices: Option<StoreLattices>,
    last: Option<CommitInfo>,
    last_batch: Option<BatchReport>,
    last_stats: SessionStats,
    write_buffer: usize,
    /// Whether lazy-migration batches move between blocks.
    between_blocks: bool,
    /// The batch moving between blocks, if one is.
    pending: Option<between_blocks::PendingBatch>,
    /// The last batch moved between blocks, for the next commit to report.
    settled: Option<BatchReport>,
}

impl Storage {
    /// A new, empty in-memory state (unit tests).
    ///
    /// # Errors
    ///
    /// Never in practice; the signature matches the on-disk constructors.
    pub fn in_memory(layout: Layout) -> Result<Self, StoreError> {
        Self::initialise(Arc::new(MemoryBackend::new()), layout)
    }

    /// Creates a new state file at `path`.
    ///
    /// # Errors
    ///
    /// [`StoreError::StateFile`] if it exists or cannot be created.
    pub fn create(path: &Path, layout: Layout) -> Result<Self, StoreError> {
        Self::initialise(Arc::new(RedbBackend::create(path)?), layout)
    }

    /// Opens an existing state file, checking that it is one of ours and
    /// that its metadata is intact.
    ///
    /// # Errors
    ///
    /// [`StoreError::StateFile`] naming what is wrong.
    pub fn open(path: &Path) -> Result<Self, StoreError> {
        let as_file_error = |e| match e {
            StoreError::Corrupt { what, reason } => StoreError::StateFile {
                path: path.to_owned(),
                reason: format!(
                    "corrupt {what}: {reason}; the node refuses to start rather than guess"
                ),
            },
            other => other,
        };
        // Check the metadata without writing: redb's read-write open touches
        // the file, and a corrupt file must be left exactly as it was.
        if let Some(reader) = RedbBackend::inspect(path)? {
            read_state(reader.as_ref()).map_err(as_file_error)?;
        }
        let backend = RedbBackend::open(path)?;
        Self::load(Arc::new(backend)).map_err(as_file_error)
    }

    /// Opens an existing state file for reading only: the file stays
    /// byte-identical, and any attempt to commit fails.
    ///
    /// # Errors
    ///
    /// [`StoreError::StateFile`] naming what is wrong.
    pub fn open_read_only(path: &Path) -> Result<Self, StoreError> {
        let backend = RedbReadOnlyBackend::open(path)?;
        Self::load(Arc::new(backend)).map_err(|e| match e {
            StoreError::Corrupt { what, reason } => StoreError::StateFile {
                path: path.to_owned(),
                reason: format!("corrupt {what}: {reason}"),
            },
            other => other,
        })
    }

    fn initialise(backend: Arc<dyn Backend>, layout: Layout) -> Result<Self, StoreError> {
        let state = match layout {
            Layout::V1 => LayoutState::V1,
            Layout::V2 => LayoutState::V2,
        };
        let counters = MigrationCounters::default();
        let mut txn = backend.begin_write()?;
        txn.write_batch(META_TABLE, &[(FORMAT_KEY.to_vec(), Some(FORMAT.to_vec()))])?;
        persist(txn.as_mut(), &state, &counters)?;
        txn.commit()?;
        Ok(Storage {
            backend,
            layout: state,
            counters,
            lattice: LatticeHash::new(),
            store_lattices: Some(StoreLattices::new()),
            last: None,
            last_batch: None,
            last_stats: SessionStats::default(),
            write_buffer: DEFAULT_WRITE_BUFFER,
            between_blocks: false,
            pending: None,
            settled: None,
        })
    }

    fn load(backend: Arc<dyn Backend>) -> Result<Self, StoreError> {
        let reader = backend.begin_read()?;
        let (layout, counters, lattice, last) = read_state(reader.as_ref())?;
        let store_lattices = load::read_store_lattices(reader.as_ref(), &lattice)?;
        drop(reader);
        Ok(Storage {
            backend,
            layout,
            counters,
            lattice,
            store_lattices,
            last,
            last_batch: None,
            last_stats: SessionStats::default(),
            write_buffer: DEFAULT_WRITE_BUFFER,
            between_blocks: false,
            pending: None,
            settled: None,
        })
    }
    /// The store layout version module data is kept in (v1 until a
    /// migration completes).
    pub fn layout(&self) -> Layout {
        self.layout.layout()
    }

    /// Where module data stands, including a running migration's boundary.
    pub fn layout_state(&self) -> &LayoutState {
        &self.layout
    }

    /// The lazy migration's counters.
    pub fn migration_counters(&self) -> MigrationCounters {
        self.counters
    }

    /// What the last commit's migration batch did, if one ran: moving
    /// batches between blocks, the batch moved after the commit before
    /// (the layout and counters, too, are one batch behind the state file
    /// until the next write waits for the batch).
    pub fn last_batch(&self) -> Option<&BatchReport> {
        self.last_batch.as_ref()
    }

    /// The last commit, or `None` before `init_chain` committed.
    pub fn last_commit(&self) -> Option<CommitInfo> {
        self.last
    }

    /// The running lattice of the committed state.
    pub fn lattice(&self) -> &LatticeHash {
        &self.lattice
    }

    /// A consistent read view of the last commit.
    ///
    /// # Errors
    ///
    /// A backend failure.
    pub fn snapshot(&self) -> Result<Snapshot, StoreError> {
        Ok(Snapshot::new(
            self.backend.begin_read()?,
            self.layout.clone(),
        ))
    }

    /// The app hash committed at `height`, if that height was committed here.
    ///
    /// # Errors
    ///
    /// A backend failure or a malformed record.
    pub fn app_hash_at(&self, height: u64) -> Result<Option<AppHash>, StoreError> {
        let reader = self.backend.begin_read()?;
        match reader.get(APP_HASH_TABLE, &height.to_be_bytes())? {
            Some(bytes) => decode_hash(&bytes, "app hash history").map(Some),
            None => Ok(None),
        }
    }

    /// A node-local metadata value (never part of the app hash).
    ///
    /// # Errors
    ///
    /// A backend failure.
    pub fn node_meta(&self, key: &str) -> Result<Option<Vec<u8>>, StoreError> {
        self.backend
            .begin_read()?
            .get(META_TABLE, format!("app:{key}").as_bytes())
    }

    /// Starts writing the next block straight into a backend write
    /// transaction (see [`WriteSession`]): for blocks whose writes must not
    /// all sit in memory, such as an upgrade. One at a time; finish it with
    /// [`Storage::commit_session`] or drop it. A batch still moving between
    /// blocks is waited for first.
    ///
    /// # Errors
    ///
    /// A backend failure, or the batch moving between blocks failed.
    pub fn begin_session(&mut self) -> Result<WriteSession, StoreError> {
        self.settle_for_next_commit()?;
        WriteSession::new(
            self.backend.begin_write()?,
            self.layout.clone(),
            Settled {
                total: self.lattice.clone(),
                stores: self.store_lattices.clone(),
            },
            self.counters,
            self.backend.scratch_dir(),
            self.write_buffer,
        )
    }

    /// A session for a block that is dropped whole if any of it fails (an
    /// upgrade): no undo journal ([`WriteSession::discard_on_rollback`]),
    /// and full buffers written on a second thread while the block goes on
    /// (`store::write_behind`).
    ///
    /// # Errors
    ///
    /// A backend failure.
    pub fn begin_session_writing_behind(&mut self) -> Result<WriteSession, StoreError> {
        let mut session = self.begin_session()?;
        // Taken while the write transaction is open: with a backend whose
        // write transactions exclude each other (redb), no commit can come
        // between, so this is the state the transaction started from.
        session.write_behind(self.backend.begin_read()?);
        Ok(session)
    }

    /// Where scratch files of a large write go: beside the state file, or
    /// the system's temporary directory for a memory backend.
    pub fn scratch_dir(&self) -> Option<&std::path::Path> {
        self.backend.scratch_dir()
    }

    /// Sets how many bytes of pending writes a session keeps in memory
    /// before writing them into the transaction (tests set it low to
    /// exercise the spilling paths).
    pub fn set_write_buffer(&mut self, bytes: usize) {
        self.write_buffer = bytes.max(1);
    }

    /// What the last commit's session did (writes, batches, lattice time).
    pub fn last_session_stats(&self) -> SessionStats {
        self.last_stats
    }
}
