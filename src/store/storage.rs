//! Storage: logical state on a backend, committed a block at a time with its
//! app hash.

use std::path::Path;

use serde::Serialize;

use super::VerifyReport;
use super::lazy_migration::{
    BOUNDARY_KEY, BatchReport, COUNTERS_KEY, LAYOUT_KEY, count_v1, move_batch, persist,
};
use super::router::{LayoutState, MigrationCounters};
use super::{
    Backend, Boundary, ChangeSet, DEFAULT_WRITE_BUFFER, Layout, MIGRATION_STORE, MIGRATION_TABLE,
    MemoryBackend, RedbBackend, RedbReadOnlyBackend, SessionStats, Snapshot, StoreError, TableRead,
    WriteSession,
};
use crate::commitment::{AppHash, LatticeHash};

/// Node-local metadata: format marker, chain id, last height, app hash, lattice.
pub const META_TABLE: &str = "node:meta";
/// Node-local history: big-endian height -> app hash of that height.
pub const APP_HASH_TABLE: &str = "node:app_hashes";

const FORMAT_KEY: &[u8] = b"format";
const FORMAT: &[u8] = b"upgrade-runtime/state/1";
const HEIGHT_KEY: &[u8] = b"height";
const APP_HASH_KEY: &[u8] = b"app_hash";
const LATTICE_KEY: &[u8] = b"lattice";

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
    backend: Box<dyn Backend>,
    layout: LayoutState,
    counters: MigrationCounters,
    lattice: LatticeHash,
    last: Option<CommitInfo>,
    last_batch: Option<BatchReport>,
    last_stats: SessionStats,
    write_buffer: usize,
}

impl Storage {
    /// A new, empty in-memory state (unit tests).
    ///
    /// # Errors
    ///
    /// Never in practice; the signature matches the on-disk constructors.
    pub fn in_memory(layout: Layout) -> Result<Self, StoreError> {
        Self::initialise(Box::new(MemoryBackend::new()), layout)
    }

    /// Creates a new state file at `path`.
    ///
    /// # Errors
    ///
    /// [`StoreError::StateFile`] if it exists or cannot be created.
    pub fn create(path: &Path, layout: Layout) -> Result<Self, StoreError> {
        Self::initialise(Box::new(RedbBackend::create(path)?), layout)
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
        Self::load(Box::new(backend)).map_err(|e| match e {
            StoreError::Corrupt { what, reason } => StoreError::StateFile {
                path: path.to_owned(),
                reason: format!(
                    "corrupt {what}: {reason}; the node refuses to start rather than guess"
                ),
            },
            other => other,
        })
    }

    /// Opens an existing state file for reading only: the file stays
    /// byte-identical, and any attempt to commit fails.
    ///
    /// # Errors
    ///
    /// [`StoreError::StateFile`] naming what is wrong.
    pub fn open_read_only(path: &Path) -> Result<Self, StoreError> {
        let backend = RedbReadOnlyBackend::open(path)?;
        Self::load(Box::new(backend)).map_err(|e| match e {
            StoreError::Corrupt { what, reason } => StoreError::StateFile {
                path: path.to_owned(),
                reason: format!("corrupt {what}: {reason}"),
            },
            other => other,
        })
    }

    fn initialise(backend: Box<dyn Backend>, layout: Layout) -> Result<Self, StoreError> {
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
            last: None,
            last_batch: None,
            last_stats: SessionStats::default(),
            write_buffer: DEFAULT_WRITE_BUFFER,
        })
    }

    fn load(backend: Box<dyn Backend>) -> Result<Self, StoreError> {
        let reader = backend.begin_read()?;
        let (layout, counters, lattice, last) = read_state(reader.as_ref())?;
        drop(reader);
        Ok(Storage {
            backend,
            layout,
            counters,
            lattice,
            last,
            last_batch: None,
            last_stats: SessionStats::default(),
            write_buffer: DEFAULT_WRITE_BUFFER,
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

    /// What the last commit's migration batch did, if one ran.
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

    /// Recomputes the app hash from every stored triple (bounded memory,
    /// every core) and compares it with the last commit's.
    ///
    /// # Errors
    ///
    /// [`StoreError::Corrupt`] if they differ (the state was changed outside
    /// the node) or the file holds what this runtime never writes; a backend
    /// failure.
    pub fn verify(&self) -> Result<VerifyReport, StoreError> {
        let Some(last) = self.last else {
            return Err(StoreError::Corrupt {
                what: "state".into(),
                reason: "nothing was committed yet: there is no app hash to verify".into(),
            });
        };
        let reader = self.backend.begin_read()?;
        let (lattice, triples, bytes) = super::verify::recompute(reader.as_ref())?;
        if lattice.app_hash() != last.app_hash {
            return Err(StoreError::Corrupt {
                what: "state".into(),
                reason: format!(
                    "its {triples} (store, key, value) triples hash to {} but the app hash committed at height {} is {}: the state file was changed outside the node (a disk fault or an edit); restore it from a backup or a state-sync snapshot",
                    lattice.app_hash(),
                    last.height,
                    last.app_hash
                ),
            });
        }
        Ok(VerifyReport {
            height: last.height,
            app_hash: last.app_hash,
            triples,
            bytes,
        })
    }

    /// Starts writing the next block straight into a backend write
    /// transaction (see [`WriteSession`]): for blocks whose writes must not
    /// all sit in memory, such as an upgrade. One at a time; finish it with
    /// [`Storage::commit_session`] or drop it.
    ///
    /// # Errors
    ///
    /// A backend failure.
    pub fn begin_session(&self) -> Result<WriteSession, StoreError> {
        WriteSession::new(
            self.backend.begin_write()?,
            self.layout.clone(),
            self.lattice.clone(),
            self.counters,
            self.backend.scratch_dir(),
            self.write_buffer,
        )
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

    /// Commits `changes` as `height` in one backend transaction, together with
    /// the new lattice, app hash and height, node-local metadata, and, while a
    /// lazy migration runs, the next batch of moved keys and its boundary.
    /// Nothing is written if any step fails.
    ///
    /// # Errors
    ///
    /// A backend failure, or a change to the node-local `migration` store,
    /// which only the runtime's migration code may write.
    pub fn commit(
        &mut self,
        height: u64,
        changes: ChangeSet,
        options: &CommitOptions<'_>,
    ) -> Result<CommitInfo, StoreError> {
        let session = self.begin_session()?;
        self.commit_session(height, session, changes, options)
    }

    /// Commits a session as `height`, with `changes` (the rest of the block)
    /// written over it; otherwise as [`Storage::commit`].
    ///
    /// # Errors
    ///
    /// As [`Storage::commit`]; also a session with a failed write or a scope
    /// still open.
    pub fn commit_session(
        &mut self,
        height: u64,
        mut session: WriteSession,
        changes: ChangeSet,
        options: &CommitOptions<'_>,
    ) -> Result<CommitInfo, StoreError> {
        if changes.store(MIGRATION_STORE).is_some() {
            return Err(StoreError::ReservedStore {
                module: "<block>".into(),
                store: MIGRATION_STORE.into(),
            });
        }
        if session.open_scopes() > 0 {
            return Err(StoreError::backend(
                "committing a block",
                "a nested write scope is still open",
            ));
        }
        session.flush()?;
        if options.start_migration && session.layout == LayoutState::V1 {
            session.counters = MigrationCounters {
                moved: 0,
                left: count_v1(session.txn.as_ref())?,
                started_height: height,
                completed_height: 0,
            };
            session.layout = LayoutState::Migrating(Boundary::NotStarted);
            tracing::info!(
                height,
                keys = session.counters.left,
                "lazy store migration v1 -> v2 started"
            );
        }
        changes.apply_to(&mut session);
        session.flush()?;
        let mut batch_report = None;
        if let LayoutState::Migrating(boundary) = &session.layout
            && options.migration_batch > 0
        {
            let (next, report) = move_batch(
                session.txn.as_mut(),
                boundary,
                options.migration_batch,
                &mut session.counters,
                height,
            )?;
            tracing::info!(
                height,
                moved = report.moved,
                total_moved = report.counters.moved,
                left = report.counters.left,
                boundary = %report.boundary,
                completed = report.completed,
                "lazy store migration batch"
            );
            session.layout = next;
            batch_report = Some(report);
        }
        let lattice = session.settle_lattice()?;
        let WriteSession {
            mut txn,
            layout,
            counters,
            stats,
            ..
        } = session;
        // The boundary, layout version and counters, once, with the block.
        if layout != self.layout || counters != self.counters {
            persist(txn.as_mut(), &layout, &counters)?;
        }
        let info = CommitInfo {
            height,
            app_hash: lattice.app_hash(),
        };
        let mut meta_ops = vec![
            (HEIGHT_KEY.to_vec(), Some(height.to_be_bytes().to_vec())),
            (APP_HASH_KEY.to_vec(), Some(info.app_hash.0.to_vec())),
            (LATTICE_KEY.to_vec(), Some(lattice.to_bytes())),
        ];
        meta_ops.extend(
            options
                .node_meta
                .iter()
                .map(|(k, v)| (format!("app:{k}").into_bytes(), Some(v.clone()))),
        );
        txn.write_batch(META_TABLE, &meta_ops)?;
        txn.write_batch(
            APP_HASH_TABLE,
            &[(
                height.to_be_bytes().to_vec(),
                Some(info.app_hash.0.to_vec()),
            )],
        )?;
        txn.commit()?;
        self.lattice = lattice;
        self.layout = layout;
        self.counters = counters;
        self.last = Some(info);
        self.last_batch = batch_report;
        self.last_stats = stats;
        Ok(info)
    }
}

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

fn read_state(reader: &dyn TableRead) -> Result<LoadedState, StoreError> {
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

fn decode_hash(bytes: &[u8], what: &str) -> Result<AppHash, StoreError> {
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
