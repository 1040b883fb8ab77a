//! Bank store encoding of consensus version 2, frozen.
//!
//! Cosmos `x/bank` binary keys: supply `0x00 || denom`, denom metadata
//! `0x01`, balances `0x02 || len || address || denom`, send-enabled `0x04`,
//! params `0x05`; amounts are decimal strings, the two lists JSON kept
//! verbatim. Version 2 binaries write it; the 1 -> 2 migration writes it
//! and the 2 -> 3 migration reads it. Do not change it: old state is
//! decoded with exactly this code (version 3 has its own copy in
//! [`keys::v3`](super::keys::v3)).

use crate::address::Address;

/// Prefix of every supply key.
pub(crate) const SUPPLY_PREFIX: &[u8] = &[0x00];
/// The denom metadata list.
pub(crate) const DENOM_METADATA: &[u8] = &[0x01];
/// Prefix of every balance key.
pub(crate) const BALANCES_PREFIX: &[u8] = &[0x02];
/// The send-enabled list.
pub(crate) const SEND_ENABLED: &[u8] = &[0x04];
/// The params key.
pub(crate) const PARAMS: &[u8] = &[0x05];

/// `0x00 || denom`.
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

/// `0x02 || len || address`.
pub(crate) fn address_balances_prefix(address: &Address) -> Vec<u8> {
    [BALANCES_PREFIX, address.length_prefixed().as_slice()].concat()
}

/// `0x02 || len || address || denom`.
pub(crate) fn balance_key(address: &Address, denom: &str) -> Vec<u8> {
    [
        address_balances_prefix(address).as_slice(),
        denom.as_bytes(),
    ]
    .concat()
}

/// The address and denom of a balance key.
pub(crate) fn split_balance_key(key: &[u8]) -> Result<(Address, String), String> {
    let rest = key
        .strip_prefix(BALANCES_PREFIX)
        .ok_or_else(|| "not a balance key".to_owned())?;
    let (address, denom) = Address::split_length_prefixed(rest)?;
    Ok((address, denom_from(denom)?))
}

fn denom_from(bytes: &[u8]) -> Result<String, String> {
    match std::str::from_utf8(bytes) {
        Ok("") => Err("empty denom".to_owned()),
        Ok(d) => Ok(d.to_owned()),
        Err(e) => Err(format!("denom is not UTF-8: {e}")),
    }
}
