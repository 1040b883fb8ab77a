//! State-sync snapshots of the logical state: taken every `interval`
//! blocks after Commit, kept `keep_recent` at a time under
//! `data/snapshots/<height>/`, served in chunks, and restored on a fresh
//! node, where the restored triples must hash to the app hash the light
//! client trusts (`App::restore_state`) or the snapshot is refused.
//!
//! Format 1: a chunk is a run of whole records `(store, key, value)`, each
//! field an unsigned varint length and its bytes, stores in name order and
//! keys in order, so every node writes the same bytes for the same state.
//! The snapshot's `metadata` is the JSON of the chain id and each chunk's
//! SHA-256; its `hash` is the SHA-256 of that metadata.

use std::fs;
use std::path::{Path, PathBuf};

use anyhow::{Context, bail};
use bytes::Bytes;
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};
use tendermint_proto::v0_38::abci::Snapshot;
use upgrade_runtime::app::App;
use upgrade_runtime::commitment::LatticeHash;
use upgrade_runtime::store::{
    ChangeSet, KeyRange, MIGRATION_STORE, StateRead, UPGRADE_STORE, validate_store_name,
};

/// The only snapshot format this node writes and reads.
pub const FORMAT: u32 = 1;

/// When snapshots are taken and how large their chunks are.
#[derive(Clone, Copy, Debug)]
pub struct SnapshotSettings {
    /// Take one every this many blocks (0: never).
    pub interval: u64,
    /// Keep this many of the most recent ones.
    pub keep_recent: u32,
    /// Close a chunk once it holds this many bytes.
    pub chunk_bytes: usize,
}

/// What a snapshot's `metadata` carries.
#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct Metadata {
    /// The chain the state belongs to.
    pub chain_id: String,
    /// Its account address prefix (absent in snapshots of nodes that did
    /// not record one: `cosmos`).
    #[serde(default = "default_prefix")]
    pub address_prefix: String,
    /// SHA-256 of each chunk, hex.
    pub chunk_hashes: Vec<String>,
}

fn default_prefix() -> String {
    upgrade_runtime::address_prefix::DEFAULT.to_owned()
}

/// A restore in progress: the accepted snapshot and the chunks so far.
struct Restore {
    height: u64,
    trusted: upgrade_runtime::AppHash,
    metadata: Metadata,
    next: u32,
    state: ChangeSet,
}

/// The node's snapshots.
pub struct Snapshots {
    dir: PathBuf,
    settings: SnapshotSettings,
    restore: Option<Restore>,
}

impl Snapshots {
    /// Snapshots under `dir`.
    pub fn new(dir: PathBuf, settings: SnapshotSettings) -> Self {
        Snapshots {
            dir,
            settings,
            restore: None,
        }
    }

    /// Takes a snapshot of `height` when one is due, and prunes old ones.
    ///
    /// # Errors
    ///
    /// Reading the state or writing the files failed (the chain goes on).
    pub fn after_commit(&mut self, app: &App, height: u64) -> anyhow::Result<()> {
        let interval = self.settings.interval;
        if interval == 0 || !height.is_multiple_of(interval) {
            return Ok(());
        }
        self.take(app, height)?;
        self.prune()
    }

    fn take(&self, app: &App, height: u64) -> anyhow::Result<()> {
        let tmp = self.dir.join(format!("{height}.tmp"));
        let _ = fs::remove_dir_all(&tmp);
        fs::create_dir_all(&tmp).with_context(|| format!("cannot create {}", tmp.display()))?;
        let snapshot = app.snapshot()?;
        let mut stores: Vec<&str> = app.manager().modules().map(|m| m.store_name()).collect();
        stores.push(UPGRADE_STORE);
        stores.sort_unstable();
        let mut hashes = Vec::new();
        let mut chunk = Vec::new();
        let flush = |chunk: &mut Vec<u8>, hashes: &mut Vec<String>| -> anyhow::Result<()> {
            let path = tmp.join(format!("chunk-{:05}", hashes.len()));
            fs::write(&path, &chunk).with_context(|| format!("cannot write {}", path.display()))?;
            hashes.push(hex::encode(Sha256::digest(&chunk)));
            chunk.clear();
            Ok(())
        };
        // The snapshot must be the whole state: its triples must hash to the
        // committed app hash (a store no module owns would be missed).
        let mut lattice = LatticeHash::new();
        for store in stores {
            for item in snapshot.range(store, KeyRange::all())? {
                let (key, value) = item?;
                lattice.insert(store, &key, &value);
                for field in [store.as_bytes(), &key, &value] {
                    prost::encoding::encode_varint(field.len() as u64, &mut chunk);
                    chunk.extend_from_slice(field);
                }
                if chunk.len() >= self.settings.chunk_bytes {
                    flush(&mut chunk, &mut hashes)?;
                }
            }
        }
        if !chunk.is_empty() || hashes.is_empty() {
            flush(&mut chunk, &mut hashes)?;
        }
        let committed = app.last_commit().map(|c| c.app_hash);
        if committed != Some(lattice.app_hash()) {
            let _ = fs::remove_dir_all(&tmp);
            bail!(
                "the state at height {height} holds stores no module of this release owns, so a snapshot of the modules' stores would not restore it; no snapshot taken"
            );
        }
        let metadata = Metadata {
            chain_id: app.chain_id()?,
            address_prefix: upgrade_runtime::address_prefix::get().to_owned(),
            chunk_hashes: hashes,
        };
        fs::write(tmp.join("metadata.json"), serde_json::to_vec(&metadata)?)?;
        let done = self.dir.join(height.to_string());
        let _ = fs::remove_dir_all(&done);
        fs::rename(&tmp, &done).with_context(|| format!("cannot write {}", done.display()))?;
        tracing::info!(
            height,
            chunks = metadata.chunk_hashes.len(),
            "took a state-sync snapshot"
        );
        Ok(())
    }

    fn heights(&self) -> Vec<u64> {
        let mut heights: Vec<u64> = fs::read_dir(&self.dir)
            .into_iter()
            .flatten()
            .flatten()
            .filter_map(|e| e.file_name().to_str()?.parse().ok())
            .collect();
        heights.sort_unstable();
        heights
    }

    fn prune(&self) -> anyhow::Result<()> {
        let heights = self.heights();
        let keep = self.settings.keep_recent.max(1) as usize;
        for height in &heights[..heights.len().saturating_sub(keep)] {
            fs::remove_dir_all(self.dir.join(height.to_string()))?;
        }
        Ok(())
    }

    /// `ListSnapshots`: every snapshot kept, newest first.
    pub fn list(&self) -> Vec<Snapshot> {
        self.heights()
            .into_iter()
            .rev()
            .filter_map(|height| describe(&self.dir.join(height.to_string()), height).ok())
            .collect()
    }

    /// `LoadSnapshotChunk`: the chunk's bytes, empty when there is no such
    /// chunk.
    pub fn load_chunk(&self, height: u64, format: u32, chunk: u32) -> Bytes {
        if format != FORMAT {
            return Bytes::new();
        }
        let path = self
            .dir
            .join(height.to_string())
            .join(format!("chunk-{chunk:05}"));
        fs::read(path).map(Bytes::from).unwrap_or_default()
    }

    /// Accepts `snapshot` for a restore towards the trusted `app_hash`.
    ///
    /// # Errors
    ///
    /// Why it is refused: a format this node does not read, metadata that
    /// does not decode or does not match the snapshot's hash.
    pub fn offer(&mut self, snapshot: &Snapshot, app_hash: &[u8]) -> anyhow::Result<()> {
        if snapshot.format != FORMAT {
            bail!("snapshot format {} is not {FORMAT}", snapshot.format);
        }
        if Sha256::digest(&snapshot.metadata).as_slice() != snapshot.hash.as_ref() {
            bail!("the snapshot's hash is not the SHA-256 of its metadata");
        }
        let metadata: Metadata = serde_json::from_slice(&snapshot.metadata)
            .context("the snapshot's metadata does not decode")?;
        if snapshot.chunks == 0 {
            bail!("a snapshot has at least one chunk");
        }
        if metadata.chunk_hashes.len() != snapshot.chunks as usize {
            bail!(
                "the metadata lists {} chunks, the snapshot {}",
                metadata.chunk_hashes.len(),
                snapshot.chunks
            );
        }
        let trusted = upgrade_runtime::AppHash(
            app_hash
                .try_into()
                .context("the trusted app hash is not 32 bytes")?,
        );
        self.restore = Some(Restore {
            height: snapshot.height,
            trusted,
            metadata,
            next: 0,
            state: ChangeSet::new(),
        });
        Ok(())
    }

    /// Applies chunk `index`; returns `Ok(true)` once the last chunk
    /// restored the state.
    ///
    /// # Errors
    ///
    /// [`ChunkError`]: the chunk is refetched, or the snapshot refused.
    pub fn apply_chunk(
        &mut self,
        app: &mut App,
        index: u32,
        chunk: &[u8],
    ) -> Result<bool, ChunkError> {
        let restore = self.restore.as_mut().ok_or(ChunkError::NoRestore)?;
        if index != restore.next {
            return Err(ChunkError::OutOfOrder {
                index,
                expected: restore.next,
            });
        }
        let Some(expected) = restore.metadata.chunk_hashes.get(index as usize) else {
            return Err(ChunkError::OutOfOrder {
                index,
                expected: restore.next,
            });
        };
        if hex::encode(Sha256::digest(chunk)) != *expected {
            return Err(ChunkError::BadHash { index });
        }
        decode_records(chunk, &mut restore.state).map_err(ChunkError::Refused)?;
        restore.next += 1;
        if (restore.next as usize) < restore.metadata.chunk_hashes.len() {
            return Ok(false);
        }
        let Some(done) = self.restore.take() else {
            return Err(ChunkError::NoRestore);
        };
        // The restored chain's prefix, before anything reads an address; the
        // restore records it with the state.
        upgrade_runtime::address_prefix::set(&done.metadata.address_prefix)
            .map_err(|e| ChunkError::Refused(format!("snapshot metadata: {e}")))?;
        app.restore_state(
            done.height,
            &done.metadata.chain_id,
            done.state,
            done.trusted,
        )
        .map_err(|e| ChunkError::Refused(e.to_string()))?;
        Ok(true)
    }
}

/// Why a chunk was not applied.
#[derive(Debug, thiserror::Error)]
pub enum ChunkError {
    /// No snapshot was accepted.
    #[error("no snapshot is being restored: OfferSnapshot must come first")]
    NoRestore,
    /// Not the next chunk.
    #[error("chunk {index} arrived but chunk {expected} is next")]
    OutOfOrder {
        /// The chunk given.
        index: u32,
        /// The chunk expected.
        expected: u32,
    },
    /// A chunk whose bytes do not match the metadata.
    #[error("chunk {index} does not match its SHA-256 in the snapshot's metadata")]
    BadHash {
        /// The chunk.
        index: u32,
    },
    /// A snapshot that cannot be restored.
    #[error("{0}")]
    Refused(String),
}

/// The `Snapshot` message of the snapshot stored in `dir`.
fn describe(dir: &Path, height: u64) -> anyhow::Result<Snapshot> {
    let metadata = fs::read(dir.join("metadata.json"))?;
    let parsed: Metadata = serde_json::from_slice(&metadata)?;
    Ok(Snapshot {
        height,
        format: FORMAT,
        chunks: u32::try_from(parsed.chunk_hashes.len())?,
        hash: Bytes::copy_from_slice(&Sha256::digest(&metadata)),
        metadata: Bytes::from(metadata),
    })
}

/// Reads a chunk's records into `state`.
fn decode_records(mut chunk: &[u8], state: &mut ChangeSet) -> Result<(), String> {
    let field = |chunk: &mut &[u8]| -> Result<Vec<u8>, String> {
        let len = prost::encoding::decode_varint(chunk).map_err(|e| e.to_string())?;
        let len = usize::try_from(len).map_err(|e| e.to_string())?;
        if len > chunk.len() {
            return Err("a record runs past the end of its chunk".into());
        }
        let (head, rest) = chunk.split_at(len);
        *chunk = rest;
        Ok(head.to_vec())
    };
    while !chunk.is_empty() {
        let store = String::from_utf8(field(&mut chunk)?)
            .map_err(|_| "a store name is not UTF-8".to_owned())?;
        validate_store_name(&store).map_err(|e| e.to_string())?;
        if store == MIGRATION_STORE {
            return Err("the node-local migration store is not part of a snapshot".into());
        }
        let key = field(&mut chunk)?;
        let value = field(&mut chunk)?;
        state.put(&store, key, Some(value));
    }
    Ok(())
}
