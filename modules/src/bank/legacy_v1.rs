//! Bank store encoding of consensus version 1, frozen.
//!
//! Human-readable string keys: `params`, `denom_metadata`, `send_enabled`,
//! `supply/<denom>` and `balances/<bech32 address>/<denom>`; amounts are
//! decimal strings. Version 1 binaries write it; the 1 -> 2 migration reads
//! it. Do not change it: old state is decoded with exactly this code.

use crate::address::Address;

/// The params key.
pub(crate) const PARAMS: &[u8] = b"params";
/// The denom metadata list (JSON array, kept verbatim).
pub(crate) const DENOM_METADATA: &[u8] = b"denom_metadata";
/// The send-enabled list (JSON array).
pub(crate) const SEND_ENABLED: &[u8] = b"send_enabled";
/// Prefix of every supply key.
pub(crate) const SUPPLY_PREFIX: &[u8] = b"supply/";
/// Prefix of every balance key.
pub(crate) const BALANCES_PREFIX: &[u8] = b"balances/";

/// `supply/<denom>`.
pub(crate) fn supply_key(denom: &str) -> Vec<u8> {
    [SUPPLY_PREFIX, denom.as_bytes()].concat()
}

/// The denom of a supply key.
pub(crate) fn denom_of_supply_key(key: &[u8]) -> Result<String, String> {
    let rest = key
        .strip_prefix(SUPPLY_PREFIX)
        .ok_or_else(|| "not a supply key".to_owned())?;
    denom_from(rest)
}

/// `balances/<bech32>/`: every balance key of `address` starts with it.
pub(crate) fn address_balances_prefix(address: &Address) -> Vec<u8> {
    [BALANCES_PREFIX, address.to_bech32().as_bytes(), b"/"].concat()
}

/// `balances/<bech32>/<denom>`.
pub(crate) fn balance_key(address: &Address, denom: &str) -> Vec<u8> {
    [
        address_balances_prefix(address).as_slice(),
        denom.as_bytes(),
    ]
    .concat()
}

/// The address and denom of a balance key. Bech32 has no `/`, so the first
/// `/` after the prefix ends the address; denoms may contain `/`.
pub(crate) fn split_balance_key(key: &[u8]) -> Result<(Address, String), String> {
    let rest = key
        .strip_prefix(BALANCES_PREFIX)
        .ok_or_else(|| "not a balance key".to_owned())?;
    let slash = rest
        .iter()
        .position(|b| *b == b'/')
        .ok_or_else(|| "balance key has no '/' after the address".to_owned())?;
    let (address, denom) = rest.split_at(slash);
    let address = std::str::from_utf8(address).map_err(|e| format!("address is not UTF-8: {e}"))?;
    let address = Address::parse(address).map_err(|e| e.to_string())?;
    Ok((address, denom_from(&denom[1..])?))
}

fn denom_from(bytes: &[u8]) -> Result<String, String> {
    match std::str::from_utf8(bytes) {
        Ok("") => Err("empty denom".to_owned()),
        Ok(d) => Ok(d.to_owned()),
        Err(e) => Err(format!("denom is not UTF-8: {e}")),
    }
}
