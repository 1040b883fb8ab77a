//! The lazy migration's boundary: how far layout v1 has been moved to v2.
//!
//! Encoding (after Sei's migration manager): `[0x00]` not started,
//! `[0x02]` complete, `[0x01][BE u32 store length][store][key]` in progress,
//! meaning every (store, key) at or before it lives in v2.

use std::cmp::Ordering;

use super::validate_store_name;

/// Where the migration stands.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Boundary {
    /// Started, nothing moved yet: only brand-new keys are in v2.
    NotStarted,
    /// Every (store, key) up to and including this one is in v2.
    InProgress {
        /// Store of the last moved key.
        store: String,
        /// The last moved key.
        key: Vec<u8>,
    },
    /// Everything is in v2.
    Complete,
}

/// A boundary record that cannot be decoded.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum BoundaryError {
    /// No bytes at all.
    #[error("the boundary record is empty")]
    Empty,
    /// A status byte other than 0, 1, 2.
    #[error("unknown boundary status byte 0x{0:02x} (expected 0x00, 0x01 or 0x02)")]
    UnknownStatus(u8),
    /// Extra bytes after a one-byte status.
    #[error("status {status} takes no payload, found {extra} more byte(s)")]
    TrailingBytes {
        /// The status name.
        status: &'static str,
        /// How many bytes follow.
        extra: usize,
    },
    /// Fewer bytes than the length prefix announces.
    #[error("truncated in-progress boundary: {what} needs {needed} byte(s), {available} available")]
    Truncated {
        /// Which field.
        what: &'static str,
        /// Bytes needed.
        needed: usize,
        /// Bytes present.
        available: usize,
    },
    /// The store name is not a valid store name.
    #[error("invalid store name in boundary: {0}")]
    InvalidStore(String),
}

impl Boundary {
    /// The byte encoding.
    pub fn encode(&self) -> Vec<u8> {
        match self {
            Boundary::NotStarted => vec![0],
            Boundary::Complete => vec![2],
            Boundary::InProgress { store, key } => {
                let len = u32::try_from(store.len()).unwrap_or(u32::MAX);
                [&[1u8][..], &len.to_be_bytes(), store.as_bytes(), key].concat()
            }
        }
    }

    /// Decodes [`Boundary::encode`], rejecting every malformed form.
    ///
    /// # Errors
    ///
    /// The specific [`BoundaryError`].
    pub fn decode(bytes: &[u8]) -> Result<Self, BoundaryError> {
        let (&status, rest) = bytes.split_first().ok_or(BoundaryError::Empty)?;
        match status {
            0 | 2 if !rest.is_empty() => Err(BoundaryError::TrailingBytes {
                status: if status == 0 {
                    "not-started"
                } else {
                    "complete"
                },
                extra: rest.len(),
            }),
            0 => Ok(Boundary::NotStarted),
            2 => Ok(Boundary::Complete),
            1 => {
                let len_bytes: [u8; 4] = rest.get(..4).and_then(|b| b.try_into().ok()).ok_or(
                    BoundaryError::Truncated {
                        what: "store length",
                        needed: 4,
                        available: rest.len(),
                    },
                )?;
                let len = u32::from_be_bytes(len_bytes) as usize;
                let body = &rest[4..];
                let store = body.get(..len).ok_or(BoundaryError::Truncated {
                    what: "store name",
                    needed: len,
                    available: body.len(),
                })?;
                let store = std::str::from_utf8(store)
                    .map_err(|_| BoundaryError::InvalidStore("not UTF-8".into()))?;
                validate_store_name(store)
                    .map_err(|e| BoundaryError::InvalidStore(e.to_string()))?;
                Ok(Boundary::InProgress {
                    store: store.to_owned(),
                    key: body[len..].to_vec(),
                })
            }
            other => Err(BoundaryError::UnknownStatus(other)),
        }
    }

    /// Whether (store, key) has been moved to v2: it is at or before the
    /// boundary in (store name, key) order.
    pub fn covers(&self, store: &str, key: &[u8]) -> bool {
        match self {
            Boundary::NotStarted => false,
            Boundary::Complete => true,
            Boundary::InProgress { store: bs, key: bk } => {
                match store.as_bytes().cmp(bs.as_bytes()) {
                    Ordering::Less => true,
                    Ordering::Greater => false,
                    Ordering::Equal => key <= bk.as_slice(),
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn in_progress(store: &str, key: &[u8]) -> Boundary {
        Boundary::InProgress {
            store: store.into(),
            key: key.to_vec(),
        }
    }

    #[test]
    fn round_trips_every_status_including_empty_keys() {
        for b in [
            Boundary::NotStarted,
            Boundary::Complete,
            in_progress("bank", b""),
            in_progress("bank", b"\x00\xff/s/k:"),
        ] {
            assert_eq!(Boundary::decode(&b.encode()), Ok(b));
        }
    }

    #[test]
    fn rejects_every_malformed_form() {
        assert_eq!(Boundary::decode(&[]), Err(BoundaryError::Empty));
        assert_eq!(Boundary::decode(&[7]), Err(BoundaryError::UnknownStatus(7)));
        assert!(matches!(
            Boundary::decode(&[0, 1]),
            Err(BoundaryError::TrailingBytes { .. })
        ));
        assert!(matches!(
            Boundary::decode(&[2, 0]),
            Err(BoundaryError::TrailingBytes { .. })
        ));
        assert!(matches!(
            Boundary::decode(&[1, 0, 0]),
            Err(BoundaryError::Truncated {
                what: "store length",
                ..
            })
        ));
        assert!(matches!(
            Boundary::decode(&[1, 0, 0, 0, 9, b'a']),
            Err(BoundaryError::Truncated {
                what: "store name",
                ..
            })
        ));
        assert!(matches!(
            Boundary::decode(&[1, 0, 0, 0, 0]),
            Err(BoundaryError::InvalidStore(_))
        ));
        assert!(matches!(
            Boundary::decode(&[1, 0, 0, 0, 2, 0xff, 0xfe]),
            Err(BoundaryError::InvalidStore(_))
        ));
        assert!(matches!(
            Boundary::decode(&[1, 0, 0, 0, 3, b'a', b'/', b'b']),
            Err(BoundaryError::InvalidStore(_))
        ));
    }

    #[test]
    fn covers_follows_store_then_key_order() {
        let b = in_progress("bank", b"m");
        assert!(b.covers("auth", b"zzz"));
        assert!(b.covers("bank", b"a"));
        assert!(b.covers("bank", b"m"));
        assert!(!b.covers("bank", b"m\x00"));
        assert!(!b.covers("bank2", b""));
        assert!(!Boundary::NotStarted.covers("a", b""));
        assert!(Boundary::Complete.covers("z", b"z"));
    }
}
