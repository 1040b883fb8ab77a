//! Storage: logical state on a backend, committed a block at a time with its
//! app hash.

use std::path::Path;

use serde::Serialize;

use super::{
    Backend, ChangeSet, Layout, MIGRATION_STORE, MIGRATION_TABLE, MemoryBackend, Placement,
    RedbBackend, Snapshot, StoreError, TableRead,
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
const LAYOUT_KEY: &[u8] = b"layout";

/// Height and app hash of a commit.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
pub struct CommitInfo {
    /// The committed height.
    pub height: u64,
    /// The app hash after it.
    pub app_hash: AppHash,
}

/// Logical state kept on a backend. Owns the running lattice hash, so each
/// commit costs O(its changes).
pub struct Storage {
    backend: Box<dyn Backend>,
    layout: Layout,
    lattice: LatticeHash,
    last: Option<CommitInfo>,
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
    /// [`StoreError::StateFile`] or [`StoreError::Corrupt`] naming what is wrong.
    pub fn open(path: &Path) -> Result<Self, StoreError> {
        let backend = RedbBackend::open(path)?;
        Self::load(Box::new(backend)).map_err(|e| match e {
            StoreError::Corrupt { what, reason } => StoreError::StateFile {
                path: path.to_owned(),
                reason: format!("corrupt {what}: {reason}"),
            },
            other => other,
        })
    }

    fn initialise(backend: Box<dyn Backend>, layout: Layout) -> Result<Self, StoreError> {
        let mut txn = backend.begin_write()?;
        txn.write_batch(
            META_TABLE,
            vec![(FORMAT_KEY.to_vec(), Some(FORMAT.to_vec()))],
        )?;
        txn.write_batch(
            MIGRATION_TABLE,
            vec![(LAYOUT_KEY.to_vec(), Some(vec![layout.to_byte()]))],
        )?;
        txn.commit()?;
        Ok(Storage {
            backend,
            layout,
            lattice: LatticeHash::new(),
            last: None,
        })
    }

    fn load(backend: Box<dyn Backend>) -> Result<Self, StoreError> {
        let reader = backend.begin_read()?;
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
        let layout = match reader.get(MIGRATION_TABLE, LAYOUT_KEY)? {
            Some(bytes) => Layout::from_bytes(&bytes)?,
            None => {
                return Err(StoreError::Corrupt {
                    what: format!(
                        "store layout version (table {MIGRATION_TABLE:?}, key \"layout\")"
                    ),
                    reason: "missing".into(),
                });
            }
        };
        let (lattice, last) = read_commit_meta(reader.as_ref())?;
        Ok(Storage {
            backend,
            layout,
            lattice,
            last,
        })
    }

    /// The layout module data is kept in.
    pub fn layout(&self) -> Layout {
        self.layout
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
        Ok(Snapshot::new(self.backend.begin_read()?, self.layout))
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

    /// Commits `changes` as `height` in one backend transaction, together with
    /// the new lattice, app hash, height and any node-local `meta` entries.
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
        meta: &[(&str, Vec<u8>)],
    ) -> Result<CommitInfo, StoreError> {
        if changes.store(MIGRATION_STORE).is_some() {
            return Err(StoreError::ReservedStore {
                module: "<block>".into(),
                store: MIGRATION_STORE.into(),
            });
        }
        let mut lattice = self.lattice.clone();
        let mut txn = self.backend.begin_write()?;
        for (store, writes) in changes.into_stores() {
            let place = Placement::of(&store, self.layout);
            let (keys, ops): (Vec<Vec<u8>>, Vec<_>) = writes
                .into_iter()
                .map(|(k, v)| (k.clone(), (place.physical_key(&k), v)))
                .unzip();
            let news: Vec<Option<Vec<u8>>> = ops.iter().map(|(_, v)| v.clone()).collect();
            let olds = txn.write_batch(&place.table, ops)?;
            for ((key, old), new) in keys.iter().zip(&olds).zip(&news) {
                lattice.update(&store, key, old.as_deref(), new.as_deref());
            }
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
            meta.iter()
                .map(|(k, v)| (format!("app:{k}").into_bytes(), Some(v.clone()))),
        );
        txn.write_batch(META_TABLE, meta_ops)?;
        txn.write_batch(
            APP_HASH_TABLE,
            vec![(
                height.to_be_bytes().to_vec(),
                Some(info.app_hash.0.to_vec()),
            )],
        )?;
        txn.commit()?;
        self.lattice = lattice;
        self.last = Some(info);
        Ok(info)
    }
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
