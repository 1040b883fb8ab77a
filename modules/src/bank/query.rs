//! Typed reads of bank state for the app and tests. The public functions
//! work at any bank version: the encoding is detected from the store (see
//! [`Encoding::detect`]); an uninitialised store reads as empty. The one
//! exception is [`denom_owners`], which reads the index version 3 added.

use std::collections::BTreeMap;

use upgrade_runtime::ModuleError;
use upgrade_runtime::store::ModuleReader;

use super::keys::Encoding;
use crate::address::Address;
use crate::coin::{Coin, parse_amount, validate_denom};

/// How much `denom` `address` holds (0 if none).
///
/// # Errors
///
/// A failed read or an undecodable amount.
pub fn balance(
    reader: &ModuleReader<'_>,
    address: &Address,
    denom: &str,
) -> Result<u128, ModuleError> {
    match Encoding::detect(reader)? {
        Some(encoding) => balance_at(reader, encoding, address, denom),
        None => Ok(0),
    }
}

/// Every coin `address` holds, sorted by denom.
///
/// # Errors
///
/// A failed read or an undecodable entry.
pub fn balances_of(reader: &ModuleReader<'_>, address: &Address) -> Result<Vec<Coin>, ModuleError> {
    let Some(encoding) = Encoding::detect(reader)? else {
        return Ok(Vec::new());
    };
    let mut coins = Vec::new();
    for item in reader.prefix(&encoding.address_balances_prefix(address))? {
        let (key, value) = item?;
        let (_, denom) = encoding
            .split_balance_key(&key)
            .map_err(|e| ModuleError::corrupt(reader.name(), &key, e))?;
        coins.push(Coin::new(
            denom,
            decode_amount(reader.name(), &key, &value)?,
        ));
    }
    Ok(coins)
}

/// The total supply, sorted by denom.
///
/// # Errors
///
/// A failed read or an undecodable entry.
pub fn supply(reader: &ModuleReader<'_>) -> Result<Vec<Coin>, ModuleError> {
    match Encoding::detect(reader)? {
        Some(encoding) => supply_at(reader, encoding),
        None => Ok(Vec::new()),
    }
}

/// Every address holding a positive balance of `denom` (Cosmos'
/// `DenomOwners` query), in [`Address`] order, read with one prefix scan of
/// the denom -> owner index.
///
/// Versions 1 and 2 have no index, and answering there would mean reading
/// every balance of the chain for one query, so they get an error instead
/// (after the 2 -> 3 migration the same call works).
///
/// # Errors
///
/// [`ModuleError::Rejected`] for an invalid denom (as Cosmos validates it)
/// or state of version 1 or 2; a failed read or an undecodable index key.
pub fn denom_owners(reader: &ModuleReader<'_>, denom: &str) -> Result<Vec<Address>, ModuleError> {
    validate_denom(denom).map_err(ModuleError::Rejected)?;
    let Some(encoding) = Encoding::detect(reader)? else {
        return Ok(Vec::new());
    };
    let prefix = encoding
        .denom_owners_prefix(denom)
        .map_err(ModuleError::Rejected)?
        .ok_or_else(|| {
            ModuleError::Rejected(format!(
                "bank state is at version {}, which has no denom -> owner index (added in version 3); run the bank migrations first",
                encoding.version()
            ))
        })?;
    let mut owners = Vec::new();
    for item in reader.prefix(&prefix)? {
        let (key, _) = item?;
        // The length-prefixed denom makes the prefix exact: every key under
        // it is an entry of `denom`.
        let (_, address) = encoding
            .split_denom_owner_key(&key)
            .map_err(|e| ModuleError::corrupt(reader.name(), &key, e))?;
        owners.push(address);
    }
    Ok(owners)
}

/// How many (address, denom) balance entries there are, and their sum per
/// denom: what a migration must conserve.
///
/// # Errors
///
/// A failed read, an undecodable entry, or a sum beyond `u128`.
pub fn balance_count_and_sums(
    reader: &ModuleReader<'_>,
) -> Result<(u64, BTreeMap<String, u128>), ModuleError> {
    let Some(encoding) = Encoding::detect(reader)? else {
        return Ok((0, BTreeMap::new()));
    };
    let mut count = 0u64;
    let mut sums: BTreeMap<String, u128> = BTreeMap::new();
    for_each_balance(reader, encoding, |_, coin| {
        count += 1;
        let sum = sums.entry(coin.denom).or_insert(0);
        *sum = sum.checked_add(coin.amount).ok_or_else(|| {
            ModuleError::Rejected("a per-denom sum of balances exceeds u128".into())
        })?;
        Ok(())
    })?;
    Ok((count, sums))
}

/// Calls `f` for every balance entry, in store key order (each address's
/// entries are contiguous and sorted by denom in every encoding).
pub(crate) fn for_each_balance<F>(
    reader: &ModuleReader<'_>,
    encoding: Encoding,
    mut f: F,
) -> Result<(), ModuleError>
where
    F: FnMut(Address, Coin) -> Result<(), ModuleError>,
{
    for item in reader.prefix(encoding.balances_prefix())? {
        let (key, value) = item?;
        let (address, denom) = encoding
            .split_balance_key(&key)
            .map_err(|e| ModuleError::corrupt(reader.name(), &key, e))?;
        f(
            address,
            Coin::new(denom, decode_amount(reader.name(), &key, &value)?),
        )?;
    }
    Ok(())
}

/// The supply in a store of known `encoding`.
pub(crate) fn supply_at(
    reader: &ModuleReader<'_>,
    encoding: Encoding,
) -> Result<Vec<Coin>, ModuleError> {
    let mut coins = Vec::new();
    for item in reader.prefix(encoding.supply_prefix())? {
        let (key, value) = item?;
        let denom = encoding
            .denom_of_supply_key(&key)
            .map_err(|e| ModuleError::corrupt(reader.name(), &key, e))?;
        coins.push(Coin::new(
            denom,
            decode_amount(reader.name(), &key, &value)?,
        ));
    }
    Ok(coins)
}

/// One balance in a store of known `encoding`.
pub(crate) fn balance_at(
    reader: &ModuleReader<'_>,
    encoding: Encoding,
    address: &Address,
    denom: &str,
) -> Result<u128, ModuleError> {
    let key = encoding.balance_key(address, denom);
    match reader.get(&key)? {
        Some(value) => decode_amount(reader.name(), &key, &value),
        None => Ok(0),
    }
}

/// Decodes a stored amount (a decimal string in every version so far).
pub(crate) fn decode_amount(store: &str, key: &[u8], value: &[u8]) -> Result<u128, ModuleError> {
    std::str::from_utf8(value)
        .map_err(|e| e.to_string())
        .and_then(parse_amount)
        .map_err(|e| ModuleError::corrupt(store, key, e))
}
