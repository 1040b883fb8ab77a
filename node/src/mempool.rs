//! Transactions submitted between runs, included by the next `start`.
//!
//! Each entry has a sequence number; the node records, in the same commit as
//! the block that included them, the last sequence it included, so a crash
//! never includes a transaction twice or drops one.

use std::path::Path;

use anyhow::Context;
use base64::Engine;
use serde::{Deserialize, Serialize};

/// Node metadata key: the last mempool sequence included in a block.
pub const INCLUDED_META: &str = "mempool_included_through";

/// One submitted transaction: signed bytes, and who signed it (to count
/// the signer's pending transactions when the next one is signed).
#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct Entry {
    /// Sequence number, from 1.
    pub seq: u64,
    /// The signer's address.
    pub from: String,
    /// The `TxRaw` bytes, base64.
    pub tx: String,
}

impl Entry {
    /// The transaction bytes.
    ///
    /// # Errors
    ///
    /// The entry is not base64.
    pub fn bytes(&self) -> anyhow::Result<Vec<u8>> {
        base64::engine::general_purpose::STANDARD
            .decode(&self.tx)
            .with_context(|| format!("mempool entry #{} is not base64", self.seq))
    }
}

/// The mempool file.
#[derive(Clone, Debug, Default, Serialize, Deserialize)]
pub struct Mempool {
    /// Entries in submission order.
    pub entries: Vec<Entry>,
}

impl Mempool {
    /// Reads the file (an absent file is an empty mempool).
    pub fn load(path: &Path) -> anyhow::Result<Self> {
        match std::fs::read(path) {
            Ok(bytes) => serde_json::from_slice(&bytes).with_context(|| {
                format!(
                    "mempool file {} is malformed; remove it to drop the queued transactions",
                    path.display()
                )
            }),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(Mempool::default()),
            Err(e) => Err(e).with_context(|| format!("cannot read {}", path.display())),
        }
    }

    /// Appends the signed `tx` of `from` and writes the file atomically
    /// (temp file + rename).
    ///
    /// # Errors
    ///
    /// The file cannot be read or written.
    pub fn submit(path: &Path, from: &str, tx: &[u8]) -> anyhow::Result<u64> {
        let mut pool = Self::load(path)?;
        let seq = pool.entries.last().map_or(1, |e| e.seq + 1);
        pool.entries.push(Entry {
            seq,
            from: from.to_owned(),
            tx: base64::engine::general_purpose::STANDARD.encode(tx),
        });
        let tmp = path.with_extension("json.tmp");
        std::fs::write(&tmp, serde_json::to_vec_pretty(&pool)?)
            .with_context(|| format!("cannot write {}", tmp.display()))?;
        std::fs::rename(&tmp, path).with_context(|| format!("cannot write {}", path.display()))?;
        Ok(seq)
    }

    /// Entries after sequence `included`.
    pub fn pending(&self, included: u64) -> Vec<Entry> {
        self.entries
            .iter()
            .filter(|e| e.seq > included)
            .cloned()
            .collect()
    }
}

/// Decodes the included-through metadata value.
pub fn decode_included(bytes: Option<Vec<u8>>) -> u64 {
    bytes
        .and_then(|b| <[u8; 8]>::try_from(b.as_slice()).ok())
        .map_or(0, u64::from_be_bytes)
}
