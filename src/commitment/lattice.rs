//! The lattice hash: a homomorphic hash over the set of (store, key, value)
//! triples, after Solana's accounts lattice hash.
//!
//! Each triple is encoded with length prefixes (so no two triples encode
//! alike), expanded to 2048 bytes with the BLAKE3 XOF and read as 1024
//! little-endian `u16` lanes. The state's lattice is the lane-wise sum mod
//! 2^16 of its triples' lanes: inserting adds, deleting subtracts, and the
//! result does not depend on the order of writes or on where the bytes are
//! physically kept. The app hash is BLAKE3 of the lattice's 2048 bytes.

use std::fmt;

use serde::{Deserialize, Serialize};

/// Number of u16 lanes.
pub const LANES: usize = 1024;
/// Size of a serialised lattice.
pub const LATTICE_BYTES: usize = LANES * 2;

/// The running lattice of a state.
#[derive(Clone, PartialEq, Eq)]
pub struct LatticeHash {
    lanes: Box<[u16; LANES]>,
}

impl Default for LatticeHash {
    fn default() -> Self {
        LatticeHash {
            lanes: Box::new([0; LANES]),
        }
    }
}

impl fmt::Debug for LatticeHash {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "LatticeHash({})", self.app_hash())
    }
}

fn triple_lanes(store: &str, key: &[u8], value: &[u8]) -> [u16; LANES] {
    let mut hasher = blake3::Hasher::new();
    for part in [store.as_bytes(), key, value] {
        let len = u32::try_from(part.len()).unwrap_or(u32::MAX);
        hasher.update(&len.to_be_bytes());
        hasher.update(part);
    }
    let mut bytes = [0u8; LATTICE_BYTES];
    hasher.finalize_xof().fill(&mut bytes);
    let mut lanes = [0u16; LANES];
    for (lane, chunk) in lanes.iter_mut().zip(bytes.chunks_exact(2)) {
        *lane = u16::from_le_bytes([chunk[0], chunk[1]]);
    }
    lanes
}

impl LatticeHash {
    /// The lattice of the empty state.
    pub fn new() -> Self {
        Self::default()
    }

    /// Adds a triple (an insert).
    pub fn insert(&mut self, store: &str, key: &[u8], value: &[u8]) {
        let t = triple_lanes(store, key, value);
        for (lane, x) in self.lanes.iter_mut().zip(t) {
            *lane = lane.wrapping_add(x);
        }
    }

    /// Subtracts a triple (a delete).
    pub fn remove(&mut self, store: &str, key: &[u8], value: &[u8]) {
        let t = triple_lanes(store, key, value);
        for (lane, x) in self.lanes.iter_mut().zip(t) {
            *lane = lane.wrapping_sub(x);
        }
    }

    /// Records that `key` went from `old` to `new` (either may be absent).
    pub fn update(&mut self, store: &str, key: &[u8], old: Option<&[u8]>, new: Option<&[u8]>) {
        if old == new {
            return;
        }
        if let Some(old) = old {
            self.remove(store, key, old);
        }
        if let Some(new) = new {
            self.insert(store, key, new);
        }
    }

    /// Adds every lane of `other` (the union of two disjoint sets of
    /// changes): how partial sums computed in parallel are combined.
    pub fn combine(&mut self, other: &LatticeHash) {
        for (lane, x) in self.lanes.iter_mut().zip(other.lanes.iter()) {
            *lane = lane.wrapping_add(*x);
        }
    }

    /// The 2048-byte encoding, kept beside the state so commits stay O(changes).
    pub fn to_bytes(&self) -> Vec<u8> {
        self.lanes.iter().flat_map(|l| l.to_le_bytes()).collect()
    }

    /// Decodes [`LatticeHash::to_bytes`]; `None` if the length is wrong.
    pub fn from_bytes(bytes: &[u8]) -> Option<Self> {
        if bytes.len() != LATTICE_BYTES {
            return None;
        }
        let mut lattice = LatticeHash::new();
        for (lane, chunk) in lattice.lanes.iter_mut().zip(bytes.chunks_exact(2)) {
            *lane = u16::from_le_bytes([chunk[0], chunk[1]]);
        }
        Some(lattice)
    }

    /// BLAKE3 of the lattice bytes.
    pub fn app_hash(&self) -> AppHash {
        AppHash(*blake3::hash(&self.to_bytes()).as_bytes())
    }
}

/// The 32-byte commitment to a state.
#[derive(Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub struct AppHash(pub [u8; 32]);

impl AppHash {
    /// Lowercase hex.
    pub fn to_hex(&self) -> String {
        hex::encode(self.0)
    }

    /// Parses 64 hex digits.
    pub fn from_hex(s: &str) -> Option<Self> {
        let bytes = hex::decode(s).ok()?;
        Some(AppHash(bytes.try_into().ok()?))
    }
}

impl fmt::Display for AppHash {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.to_hex())
    }
}

impl fmt::Debug for AppHash {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "AppHash({})", self.to_hex())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn order_of_inserts_does_not_matter() {
        let mut a = LatticeHash::new();
        a.insert("bank", b"k1", b"v1");
        a.insert("auth", b"k2", b"v2");
        let mut b = LatticeHash::new();
        b.insert("auth", b"k2", b"v2");
        b.insert("bank", b"k1", b"v1");
        assert_eq!(a.app_hash(), b.app_hash());
    }

    #[test]
    fn insert_then_remove_is_the_empty_state() {
        let mut a = LatticeHash::new();
        a.insert("bank", b"k", b"v");
        assert_ne!(a.app_hash(), LatticeHash::new().app_hash());
        a.remove("bank", b"k", b"v");
        assert_eq!(a, LatticeHash::new());
    }

    #[test]
    fn length_prefixes_keep_boundaries_apart() {
        let mut a = LatticeHash::new();
        a.insert("ab", b"c", b"");
        let mut b = LatticeHash::new();
        b.insert("a", b"bc", b"");
        assert_ne!(a.app_hash(), b.app_hash());
    }

    #[test]
    fn bytes_round_trip() {
        let mut a = LatticeHash::new();
        a.insert("s", b"k", b"v");
        assert_eq!(LatticeHash::from_bytes(&a.to_bytes()), Some(a));
        assert_eq!(LatticeHash::from_bytes(&[0; 3]), None);
    }
}
