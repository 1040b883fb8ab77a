//! Typed reads of auth state, for the app, tests and other modules (bank
//! reads accounts through these over the read-only view its context hands
//! out). They work at any auth version: the encoding is detected from the
//! store itself, because a reader (bank during an upgrade, say) cannot know
//! whether auth has migrated yet.

use upgrade_runtime::ModuleError;
use upgrade_runtime::store::{KeyRange, ModuleReader};

use super::account::Account;
use super::keys::{Encoding, v2};
use super::params::AuthParams;
use crate::address::Address;

/// The account at `address`, if any.
///
/// # Errors
///
/// A failed read or an account the module cannot decode.
pub fn account(
    reader: &ModuleReader<'_>,
    address: &Address,
) -> Result<Option<Account>, ModuleError> {
    let Some(encoding) = Encoding::detect(reader)? else {
        return Ok(None);
    };
    load(reader, encoding, address)
}

/// Whether an account exists at `address` (cheaper than [`account`]: no
/// decoding).
///
/// # Errors
///
/// A failed read.
pub fn has_account(reader: &ModuleReader<'_>, address: &Address) -> Result<bool, ModuleError> {
    match Encoding::detect(reader)? {
        Some(encoding) => Ok(reader.has(&encoding.account_key(address))?),
        None => Ok(false),
    }
}

/// Every account address, in store key order (version 1: bech32 string
/// order; version 2: length, then bytes).
///
/// # Errors
///
/// A failed read; later failures and undecodable keys are the items' errors.
pub fn accounts<'a>(
    reader: &ModuleReader<'a>,
) -> Result<Box<dyn Iterator<Item = Result<Address, ModuleError>> + 'a>, ModuleError> {
    let Some(encoding) = Encoding::detect(reader)? else {
        return Ok(Box::new(std::iter::empty()));
    };
    let store = reader.name().to_owned();
    let iter = reader.prefix(encoding.accounts_prefix())?.map(move |item| {
        let (key, _) = item?;
        encoding
            .address_of_account_key(&key)
            .map_err(|e| ModuleError::corrupt(&store, &key, e))
    });
    Ok(Box::new(iter))
}

/// How many accounts there are.
///
/// # Errors
///
/// A failed read.
pub fn account_count(reader: &ModuleReader<'_>) -> Result<u64, ModuleError> {
    let Some(encoding) = Encoding::detect(reader)? else {
        return Ok(0);
    };
    let mut count = 0u64;
    for item in reader.prefix(encoding.accounts_prefix())? {
        item?;
        count += 1;
    }
    Ok(count)
}

/// The account with `number`. Version 2 looks it up in its index; version 1
/// has none and scans every account.
///
/// # Errors
///
/// A failed read or an undecodable account.
pub fn account_by_number(
    reader: &ModuleReader<'_>,
    number: u64,
) -> Result<Option<Account>, ModuleError> {
    match Encoding::detect(reader)? {
        None => Ok(None),
        Some(Encoding::V2) => {
            let key = v2::account_number_key(number);
            let Some(bytes) = reader.get(&key)? else {
                return Ok(None);
            };
            let address = Address::from_bytes(&bytes)
                .map_err(|e| ModuleError::corrupt(reader.name(), &key, e.to_string()))?;
            load(reader, Encoding::V2, &address)
        }
        Some(Encoding::V1) => {
            for item in reader.range(KeyRange::prefix(Encoding::V1.accounts_prefix()))? {
                let (key, value) = item?;
                let account = Account::decode(&value, reader.name(), &key)?;
                if account.account_number() == Some(number) {
                    return Ok(Some(account));
                }
            }
            Ok(None)
        }
    }
}

/// The auth params, if InitGenesis wrote them.
///
/// # Errors
///
/// A failed read or undecodable params.
pub fn params(reader: &ModuleReader<'_>) -> Result<Option<AuthParams>, ModuleError> {
    let Some(encoding) = Encoding::detect(reader)? else {
        return Ok(None);
    };
    let key = encoding.params_key();
    match reader.get(key)? {
        Some(bytes) => serde_json::from_slice(&bytes)
            .map(Some)
            .map_err(|e| ModuleError::corrupt(reader.name(), key, format!("params: {e}"))),
        None => Ok(None),
    }
}

/// The account at `address` in a store of known `encoding`.
pub(crate) fn load(
    reader: &ModuleReader<'_>,
    encoding: Encoding,
    address: &Address,
) -> Result<Option<Account>, ModuleError> {
    let key = encoding.account_key(address);
    match reader.get(&key)? {
        Some(bytes) => Account::decode(&bytes, reader.name(), &key).map(Some),
        None => Ok(None),
    }
}
