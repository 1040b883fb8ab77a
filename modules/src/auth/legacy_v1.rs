//! Auth store encoding of consensus version 1, frozen.
//!
//! Human-readable string keys: `params` and `accounts/<bech32 address>`.
//! Version 1 binaries write it; the 1 -> 2 migration reads it. Do not change
//! it: state written by old releases is decoded with exactly this code.

use crate::address::Address;

/// The params key.
pub(crate) const PARAMS: &[u8] = b"params";
/// Prefix of every account key.
pub(crate) const ACCOUNTS_PREFIX: &[u8] = b"accounts/";

/// `accounts/<bech32>`.
pub(crate) fn account_key(address: &Address) -> Vec<u8> {
    let mut key = ACCOUNTS_PREFIX.to_vec();
    key.extend_from_slice(address.to_bech32().as_bytes());
    key
}

/// The address of an account key.
pub(crate) fn address_of_account_key(key: &[u8]) -> Result<Address, String> {
    let rest = key
        .strip_prefix(ACCOUNTS_PREFIX)
        .ok_or_else(|| "not an account key".to_owned())?;
    let s = std::str::from_utf8(rest).map_err(|e| format!("address is not UTF-8: {e}"))?;
    Address::parse(s).map_err(|e| e.to_string())
}
