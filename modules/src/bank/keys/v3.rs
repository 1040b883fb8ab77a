//! Version 3 keys: version 2's (a copy, so [`legacy_v2`](super::super::legacy_v2)
//! can stay frozen when this file changes) plus the denom -> owner index
//! and the encoding stamp.
//!
//! # The denom -> owner index
//!
//! `0x03 || len(denom) as u8 || denom || len(address) as u8 || address`
//! -> empty value, one entry per (denom, address) whose balance is
//! positive: Cosmos `x/bank`'s `DenomAddressPrefix`, so "who holds denom X"
//! (the `DenomOwners` query) is one prefix scan instead of a scan of every
//! balance.
//!
//! The denom is length-prefixed rather than NUL-terminated as in Cosmos so
//! that the prefix `0x03 || len(denom) || denom` is prefix-free whatever
//! bytes a denom holds: the length byte fixes where the denom ends, so no
//! other denom's entries (not `uatomx`'s when scanning `uatom`, nor any of
//! another length) can start with it. Within one denom the entries sort by
//! the length-prefixed address, which is [`Address`]'s order (20-byte
//! addresses before 32-byte ones, then byte-wise). Across denoms they sort
//! by length first, not alphabetically; nothing relies on that.
//!
//! The value is empty: the key is the whole fact, and the amount stays in
//! the balance, so the index never needs an update while a balance changes
//! between two positive amounts.
//!
//! # The encoding stamp
//!
//! `0x06` -> `"3"`. Versions 2 and 3 keep params under the same key, and
//! a module cannot read the runtime's version map, so the stamp is how
//! [`Encoding::detect`](super::Encoding::detect) tells a version 3 store
//! (which has the index) from a version 2 one (which has not).

use crate::address::Address;

/// Prefix of every supply key.
pub(crate) const SUPPLY_PREFIX: &[u8] = &[0x00];
/// The denom metadata list.
pub(crate) const DENOM_METADATA: &[u8] = &[0x01];
/// Prefix of every balance key.
pub(crate) const BALANCES_PREFIX: &[u8] = &[0x02];
/// Prefix of the denom -> owner index.
pub(crate) const DENOM_OWNERS_PREFIX: &[u8] = &[0x03];
/// The send-enabled list.
pub(crate) const SEND_ENABLED: &[u8] = &[0x04];
/// The params key.
pub(crate) const PARAMS: &[u8] = &[0x05];
/// The encoding stamp's key.
pub(crate) const STAMP: &[u8] = &[0x06];
/// The encoding stamp's value.
pub(crate) const STAMP_VALUE: &[u8] = b"3";

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

/// `0x03 || len(denom) || denom`: every index entry of `denom`, and only
/// those, starts with it.
///
/// Fails for a denom longer than 255 bytes, which no valid denom is (at
/// most 128), so only corrupt state or an unchecked caller sees it.
pub(crate) fn denom_owners_prefix(denom: &str) -> Result<Vec<u8>, String> {
    let len = u8::try_from(denom.len()).map_err(|_| {
        format!(
            "denom of {} bytes is too long for the denom -> owner index (at most 255)",
            denom.len()
        )
    })?;
    let mut key = Vec::with_capacity(DENOM_OWNERS_PREFIX.len() + 1 + denom.len());
    key.extend_from_slice(DENOM_OWNERS_PREFIX);
    key.push(len);
    key.extend_from_slice(denom.as_bytes());
    Ok(key)
}

/// `0x03 || len(denom) || denom || len(address) || address`.
pub(crate) fn denom_owner_key(denom: &str, address: &Address) -> Result<Vec<u8>, String> {
    let mut key = denom_owners_prefix(denom)?;
    key.extend(address.length_prefixed());
    Ok(key)
}

/// The denom and address of an index key.
pub(crate) fn split_denom_owner_key(key: &[u8]) -> Result<(String, Address), String> {
    let rest = key
        .strip_prefix(DENOM_OWNERS_PREFIX)
        .ok_or_else(|| "not a denom -> owner index key".to_owned())?;
    let (&len, rest) = rest
        .split_first()
        .ok_or_else(|| "missing denom length byte".to_owned())?;
    let len = usize::from(len);
    if rest.len() < len {
        return Err(format!(
            "denom length byte says {len} but only {} bytes follow",
            rest.len()
        ));
    }
    let (denom, rest) = rest.split_at(len);
    let denom = denom_from(denom)?;
    match Address::split_length_prefixed(rest)? {
        (address, []) => Ok((denom, address)),
        (_, extra) => Err(format!(
            "{} unexpected bytes after the address",
            extra.len()
        )),
    }
}

fn denom_from(bytes: &[u8]) -> Result<String, String> {
    match std::str::from_utf8(bytes) {
        Ok("") => Err("empty denom".to_owned()),
        Ok(d) => Ok(d.to_owned()),
        Err(e) => Err(format!("denom is not UTF-8: {e}")),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn address(byte: u8, len: usize) -> Address {
        Address::from_bytes(&vec![byte; len]).expect("valid length")
    }

    #[test]
    fn index_keys_have_the_documented_layout_and_round_trip() {
        let alice = address(1, 20);
        let key = denom_owner_key("uatom", &alice).expect("short denom");
        let expected = [&[0x03, 5][..], b"uatom", &[20], &[1; 20]].concat();
        assert_eq!(key, expected);
        assert_eq!(split_denom_owner_key(&key), Ok(("uatom".to_owned(), alice)));
        let ibc = "ibc/27394FB092D2ECCD56123C74F36E4C1F926001CEADA9CA97EA622B25F41E5EB2";
        let ica = address(0, 32);
        let key = denom_owner_key(ibc, &ica).expect("short denom");
        assert_eq!(split_denom_owner_key(&key), Ok((ibc.to_owned(), ica)));
    }

    #[test]
    fn a_denom_prefix_covers_exactly_that_denom() {
        let prefix = denom_owners_prefix("uatom").expect("short denom");
        let holder = address(7, 20);
        for other in ["uatomx", "uato", "uatom/x", "atom"] {
            let key = denom_owner_key(other, &holder).expect("short denom");
            assert!(!key.starts_with(&prefix), "{other} falls under uatom");
        }
        // Within one denom, keys sort the way addresses do.
        let mut keys: Vec<(Vec<u8>, Address)> = [address(0, 32), address(9, 20), address(2, 20)]
            .into_iter()
            .map(|a| (denom_owner_key("uatom", &a).expect("key"), a))
            .collect();
        keys.sort();
        let by_key: Vec<Address> = keys.into_iter().map(|(_, a)| a).collect();
        let mut by_address = by_key.clone();
        by_address.sort();
        assert_eq!(by_key, by_address);
    }

    #[test]
    fn malformed_index_keys_and_long_denoms_are_refused() {
        let long = "a".repeat(256);
        insta::assert_snapshot!(denom_owners_prefix(&long).unwrap_err(), @"denom of 256 bytes is too long for the denom -> owner index (at most 255)");
        assert!(denom_owners_prefix(&"a".repeat(255)).is_ok());
        insta::assert_snapshot!(split_denom_owner_key(&[0x02, 5]).unwrap_err(), @"not a denom -> owner index key");
        insta::assert_snapshot!(split_denom_owner_key(&[0x03]).unwrap_err(), @"missing denom length byte");
        insta::assert_snapshot!(split_denom_owner_key(&[0x03, 9, b'a']).unwrap_err(), @"denom length byte says 9 but only 1 bytes follow");
        let mut key = denom_owner_key("uatom", &address(1, 20)).expect("key");
        key.push(0);
        insta::assert_snapshot!(split_denom_owner_key(&key).unwrap_err(), @"1 unexpected bytes after the address");
        let truncated = [&[0x03, 5][..], b"uatom", &[20, 1, 1]].concat();
        insta::assert_snapshot!(split_denom_owner_key(&truncated).unwrap_err(), @"address length byte says 20 but only 2 bytes follow");
    }
}
