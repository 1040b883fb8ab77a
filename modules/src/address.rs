//! Account addresses: raw bytes inside the store, bech32 `cosmos1...` in JSON.
//!
//! An address is parsed once at the edge (genesis, messages) and kept as
//! bytes, so store keys never depend on how a string was spelt. Only the
//! canonical spelling (lowercase bech32, not bech32m) is accepted: with one
//! spelling per address, import -> export reproduces the input exactly.

use std::cmp::Ordering;
use std::fmt;

use bech32::primitives::decode::CheckedHrpstring;
use bech32::{Bech32, Hrp};

/// The human-readable part of every account address: the chain's
/// [`address_prefix`](upgrade_runtime::address_prefix) (`cosmos` unless
/// the chain was initialised with another).
pub fn hrp() -> &'static str {
    upgrade_runtime::address_prefix::get()
}

/// Payload lengths accepted: 20 bytes (key-derived accounts) and 32 bytes
/// (module-derived and interchain accounts).
pub const ADDRESS_LENGTHS: [usize; 2] = [20, 32];

/// An account address: 20 or 32 raw bytes.
///
/// Addresses order the way Cosmos length-prefixed store keys do: shorter
/// first, then byte-wise. Exports list accounts and balances in this order
/// whatever the store encoding, so every version exports alike.
#[derive(Clone, PartialEq, Eq, Hash)]
pub struct Address(Vec<u8>);

/// Why a string or byte slice is not an [`Address`].
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum AddressError {
    /// The empty string.
    #[error("empty address")]
    Empty,
    /// Not a valid bech32 string.
    #[error("invalid bech32 address {address:?}: {reason}")]
    Bech32 {
        /// The input.
        address: String,
        /// The decoder's complaint.
        reason: String,
    },
    /// A valid bech32 string of another chain.
    #[error("address {address:?} has prefix {found:?}, expected {expected:?}")]
    WrongPrefix {
        /// The input.
        address: String,
        /// Its human-readable part.
        found: String,
        /// The chain's prefix.
        expected: String,
    },
    /// Valid bech32 that is not spelt the one canonical way.
    #[error("address {address:?} is not in canonical lowercase form (expected {canonical:?})")]
    NotCanonical {
        /// The input.
        address: String,
        /// How it must be written.
        canonical: String,
    },
    /// A payload of a length no account has.
    #[error("address {address} has {len} bytes, expected 20 or 32")]
    Length {
        /// The input (bech32 or hex of the bytes).
        address: String,
        /// Its payload length.
        len: usize,
    },
}

impl Address {
    /// An address from its raw bytes.
    ///
    /// # Errors
    ///
    /// [`AddressError::Length`] unless there are 20 or 32 bytes.
    pub fn from_bytes(bytes: &[u8]) -> Result<Self, AddressError> {
        if ADDRESS_LENGTHS.contains(&bytes.len()) {
            Ok(Address(bytes.to_vec()))
        } else {
            Err(AddressError::Length {
                address: format!("0x{}", to_hex(bytes)),
                len: bytes.len(),
            })
        }
    }

    /// Parses a canonical `cosmos1...` bech32 string.
    ///
    /// # Errors
    ///
    /// An [`AddressError`] saying what is wrong with the string.
    pub fn parse(s: &str) -> Result<Self, AddressError> {
        if s.is_empty() {
            return Err(AddressError::Empty);
        }
        let checked = CheckedHrpstring::new::<Bech32>(s).map_err(|e| AddressError::Bech32 {
            address: s.to_owned(),
            reason: error_chain(&e),
        })?;
        let found = checked.hrp();
        if found.to_lowercase() != hrp() {
            return Err(AddressError::WrongPrefix {
                address: s.to_owned(),
                found: found.to_string(),
                expected: hrp().to_owned(),
            });
        }
        let bytes: Vec<u8> = checked.byte_iter().collect();
        if !ADDRESS_LENGTHS.contains(&bytes.len()) {
            return Err(AddressError::Length {
                address: s.to_owned(),
                len: bytes.len(),
            });
        }
        let address = Address(bytes);
        // The decoder took a valid bech32 (not bech32m) string of this
        // prefix and these bytes: the one other spelling is all upper case.
        if s.bytes().any(|b| b.is_ascii_uppercase()) {
            return Err(AddressError::NotCanonical {
                address: s.to_owned(),
                canonical: address.to_bech32(),
            });
        }
        Ok(address)
    }

    /// The address of module account `name`, as the SDK derives it
    /// (`authtypes.NewModuleAddress`: `address.Module(name)` without
    /// derivation keys, types/address/hash.go), the first 20 bytes of
    /// SHA-256 of the name: the same bytes on every chain, spelt under
    /// each chain's prefix.
    pub fn module(name: &str) -> Self {
        use sha2::{Digest, Sha256};
        Address(Sha256::digest(name.as_bytes())[..20].to_vec())
    }

    /// The raw bytes.
    pub fn as_bytes(&self) -> &[u8] {
        &self.0
    }

    /// The canonical bech32 spelling.
    pub fn to_bech32(&self) -> String {
        let prefix = hrp();
        match bech32::encode::<Bech32>(Hrp::parse_unchecked(prefix), &self.0) {
            Ok(s) => s,
            // Unreachable: 20 or 32 bytes under a prefix short enough to
            // have been accepted are within bech32's length limit. Kept
            // total rather than panicking.
            Err(_) => format!("{prefix}1<unencodable:{}>", to_hex(&self.0)),
        }
    }

    /// `len(bytes) as u8 || bytes`: the Cosmos length-prefixed key form.
    pub fn length_prefixed(&self) -> Vec<u8> {
        let mut out = Vec::with_capacity(1 + self.0.len());
        // Lengths are 20 or 32, so the cast is exact.
        out.push(self.0.len() as u8);
        out.extend_from_slice(&self.0);
        out
    }

    /// Splits `len || bytes || rest` into the address and `rest`.
    ///
    /// # Errors
    ///
    /// A message when the prefix is truncated or the length is not allowed.
    pub fn split_length_prefixed(key: &[u8]) -> Result<(Self, &[u8]), String> {
        let (&len, rest) = key
            .split_first()
            .ok_or_else(|| "missing address length byte".to_owned())?;
        let len = usize::from(len);
        if rest.len() < len {
            return Err(format!(
                "address length byte says {len} but only {} bytes follow",
                rest.len()
            ));
        }
        let (bytes, rest) = rest.split_at(len);
        let address = Address::from_bytes(bytes).map_err(|e| e.to_string())?;
        Ok((address, rest))
    }
}

impl Ord for Address {
    fn cmp(&self, other: &Self) -> Ordering {
        self.0
            .len()
            .cmp(&other.0.len())
            .then_with(|| self.0.cmp(&other.0))
    }
}

impl PartialOrd for Address {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}

impl fmt::Display for Address {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.to_bech32())
    }
}

impl fmt::Debug for Address {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Address({})", self.to_bech32())
    }
}

impl std::str::FromStr for Address {
    type Err = AddressError;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Address::parse(s)
    }
}

/// An error and its sources, `outer: inner: ...` (bech32's messages say
/// little without their source).
fn error_chain(e: &dyn std::error::Error) -> String {
    let mut out = e.to_string();
    let mut source = e.source();
    while let Some(inner) = source {
        let text = inner.to_string();
        if !out.ends_with(&text) {
            out.push_str(": ");
            out.push_str(&text);
        }
        source = inner.source();
    }
    out
}

fn to_hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    const FEE_COLLECTOR: &str = "cosmos17xpfvakm2amg962yls6f84z3kell8c5lserqta";

    #[test]
    fn round_trips_a_real_address() -> Result<(), AddressError> {
        let a = Address::parse(FEE_COLLECTOR)?;
        assert_eq!(a.as_bytes().len(), 20);
        assert_eq!(a.to_bech32(), FEE_COLLECTOR);
        let prefixed = a.length_prefixed();
        assert_eq!(prefixed[0], 20);
        let (back, rest) = Address::split_length_prefixed(&prefixed).unwrap();
        assert_eq!(back, a);
        assert!(rest.is_empty());
        Ok(())
    }

    #[test]
    fn rejects_non_canonical_and_foreign_addresses() -> Result<(), AddressError> {
        let upper = FEE_COLLECTOR.to_uppercase();
        insta::assert_snapshot!(Address::parse(&upper).unwrap_err(), @r#"address "COSMOS17XPFVAKM2AMG962YLS6F84Z3KELL8C5LSERQTA" is not in canonical lowercase form (expected "cosmos17xpfvakm2amg962yls6f84z3kell8c5lserqta")"#);
        let osmo =
            bech32::encode::<Bech32>(Hrp::parse_unchecked("osmo"), &[7; 20]).map_err(|e| {
                AddressError::Bech32 {
                    address: String::new(),
                    reason: e.to_string(),
                }
            })?;
        insta::assert_snapshot!(Address::parse(&osmo).unwrap_err(), @r#"address "osmo1qurswpc8qurswpc8qurswpc8qurswpc8mg52kn" has prefix "osmo", expected "cosmos""#);
        let short =
            bech32::encode::<Bech32>(Hrp::parse_unchecked(hrp()), &[7; 19]).map_err(|e| {
                AddressError::Bech32 {
                    address: String::new(),
                    reason: e.to_string(),
                }
            })?;
        insta::assert_snapshot!(Address::parse(&short).unwrap_err(), @"address cosmos1qurswpc8qurswpc8qurswpc8qurswpc8nn86p has 19 bytes, expected 20 or 32");
        insta::assert_snapshot!(Address::parse("cosmos1xyz").unwrap_err(), @r#"invalid bech32 address "cosmos1xyz": invalid checksum: the checksummed string is not a valid length"#);
        insta::assert_snapshot!(Address::parse("").unwrap_err(), @"empty address");
        // The same bytes with a bech32m checksum are another spelling too.
        let m = bech32::encode::<bech32::Bech32m>(Hrp::parse_unchecked(hrp()), &[7; 20]).map_err(
            |e| AddressError::Bech32 {
                address: String::new(),
                reason: e.to_string(),
            },
        )?;
        assert!(
            matches!(Address::parse(&m), Err(AddressError::Bech32 { .. })),
            "{m}"
        );
        Ok(())
    }

    #[test]
    fn orders_shorter_addresses_first() -> Result<(), AddressError> {
        let long = Address::from_bytes(&[0; 32])?;
        let short = Address::from_bytes(&[0xff; 20])?;
        assert!(short < long);
        assert!(Address::from_bytes(&[1; 20])? < short);
        Ok(())
    }
}
