//! Map keys: how a typed key becomes bytes whose order is the key's order,
//! and how those bytes decode back.

use super::codec::CodecError;

/// A type usable as a [`Map`](super::Map) key.
///
/// The encoding decides iteration order, since stores iterate in byte-wise
/// key order: integers are big-endian so they iterate numerically, and a
/// tuple's first component is length-prefixed so all keys sharing it are
/// contiguous and [`Map::prefix`](super::Map::prefix) can walk them.
pub trait MapKey {
    /// What iteration yields for this key: the owned form (`String` for
    /// `&str`, `Vec<u8>` for `&[u8]`).
    type Owned;

    /// Appends the key's bytes to `out`.
    fn append_key(&self, out: &mut Vec<u8>);

    /// The key stored as exactly `bytes`.
    ///
    /// # Errors
    ///
    /// Bytes no key of this type encodes to.
    fn decode_key(bytes: &[u8]) -> Result<Self::Owned, CodecError>;

    /// The key's bytes.
    fn key_bytes(&self) -> Vec<u8> {
        let mut out = Vec::new();
        self.append_key(&mut out);
        out
    }
}

impl MapKey for &str {
    type Owned = String;
    fn append_key(&self, out: &mut Vec<u8>) {
        out.extend_from_slice(self.as_bytes());
    }
    fn decode_key(bytes: &[u8]) -> Result<String, CodecError> {
        String::from_utf8(bytes.to_vec()).map_err(|_| CodecError::new("key is not UTF-8"))
    }
}

impl MapKey for String {
    type Owned = String;
    fn append_key(&self, out: &mut Vec<u8>) {
        self.as_str().append_key(out);
    }
    fn decode_key(bytes: &[u8]) -> Result<String, CodecError> {
        <&str>::decode_key(bytes)
    }
}

impl MapKey for &[u8] {
    type Owned = Vec<u8>;
    fn append_key(&self, out: &mut Vec<u8>) {
        out.extend_from_slice(self);
    }
    fn decode_key(bytes: &[u8]) -> Result<Vec<u8>, CodecError> {
        Ok(bytes.to_vec())
    }
}

impl MapKey for Vec<u8> {
    type Owned = Vec<u8>;
    fn append_key(&self, out: &mut Vec<u8>) {
        out.extend_from_slice(self);
    }
    fn decode_key(bytes: &[u8]) -> Result<Vec<u8>, CodecError> {
        Ok(bytes.to_vec())
    }
}

/// Eight bytes, big-endian: byte order is numeric order (2 before 10).
impl MapKey for u64 {
    type Owned = u64;
    fn append_key(&self, out: &mut Vec<u8>) {
        out.extend_from_slice(&self.to_be_bytes());
    }
    fn decode_key(bytes: &[u8]) -> Result<u64, CodecError> {
        let array: [u8; 8] = bytes.try_into().map_err(|_| {
            CodecError::new(format!("u64 key has {} bytes, expected 8", bytes.len()))
        })?;
        Ok(u64::from_be_bytes(array))
    }
}

/// `len(a) as u32 big-endian || a || b`. The length prefix makes the
/// encoding unambiguous for variable-length `A` and keeps every key under
/// one `a` contiguous; keys order by `a`'s length, then `a`, then `b`.
///
/// # Panics
///
/// When `a` encodes to 4 GiB or more.
impl<A: MapKey, B: MapKey> MapKey for (A, B) {
    type Owned = (A::Owned, B::Owned);
    fn append_key(&self, out: &mut Vec<u8>) {
        out.extend_from_slice(&first_component(&self.0));
        self.1.append_key(out);
    }
    fn decode_key(bytes: &[u8]) -> Result<Self::Owned, CodecError> {
        let (first, rest) = split_first_component(bytes)?;
        Ok((A::decode_key(first)?, B::decode_key(rest)?))
    }
}

/// The length-prefixed encoding of a tuple's first component: the byte
/// prefix shared by every tuple key starting with `a`.
///
/// # Panics
///
/// When `a` encodes to 4 GiB or more.
pub(crate) fn first_component<A: MapKey>(a: &A) -> Vec<u8> {
    let inner = a.key_bytes();
    let len = u32::try_from(inner.len()).expect("a map key component is shorter than 4 GiB");
    let mut out = Vec::with_capacity(4 + inner.len());
    out.extend_from_slice(&len.to_be_bytes());
    out.extend_from_slice(&inner);
    out
}

/// Splits a tuple key into its first component's bytes and the rest.
fn split_first_component(bytes: &[u8]) -> Result<(&[u8], &[u8]), CodecError> {
    let (len, rest) = bytes
        .split_first_chunk::<4>()
        .ok_or_else(|| CodecError::new("tuple key is shorter than its length prefix"))?;
    let len = u32::from_be_bytes(*len) as usize;
    if rest.len() < len {
        return Err(CodecError::new(format!(
            "tuple key's first component claims {len} bytes, {} remain",
            rest.len()
        )));
    }
    Ok(rest.split_at(len))
}
