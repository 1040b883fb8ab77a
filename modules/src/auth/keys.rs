//! Auth store keys, per consensus version.
//!
//! [`Encoding`] has one variant per version and dispatches to that version's
//! key functions: the frozen [`legacy_v1`](super::legacy_v1) and the current
//! [`v2`]. Adding version 3 means freezing `v2` next to its migration and
//! adding a variant here.

use upgrade_runtime::ModuleError;
use upgrade_runtime::store::ModuleReader;

use super::legacy_v1;
use crate::address::Address;

/// The newest auth version this crate implements.
pub const LATEST_VERSION: u64 = 2;

/// How the auth store is laid out.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Encoding {
    /// String keys: `params`, `accounts/<bech32>`.
    V1,
    /// Cosmos `x/auth` binary keys: params `0x00`, accounts
    /// `0x01 || len || address`, account-number index
    /// `0x03 || number (BE u64)` -> address bytes.
    V2,
}

/// Version 2 keys, as Cosmos `x/auth` lays them out.
pub(crate) mod v2 {
    use crate::address::Address;

    /// The params key.
    pub(crate) const PARAMS: &[u8] = &[0x00];
    /// Prefix of every account key.
    pub(crate) const ACCOUNTS_PREFIX: &[u8] = &[0x01];
    /// Prefix of the account-number index.
    pub(crate) const ACCOUNT_NUMBER_PREFIX: &[u8] = &[0x03];

    /// `0x01 || len || address`.
    pub(crate) fn account_key(address: &Address) -> Vec<u8> {
        let mut key = ACCOUNTS_PREFIX.to_vec();
        key.extend(address.length_prefixed());
        key
    }

    /// The address of an account key.
    pub(crate) fn address_of_account_key(key: &[u8]) -> Result<Address, String> {
        let rest = key
            .strip_prefix(ACCOUNTS_PREFIX)
            .ok_or_else(|| "not an account key".to_owned())?;
        match Address::split_length_prefixed(rest)? {
            (address, []) => Ok(address),
            (_, extra) => Err(format!(
                "{} unexpected bytes after the address",
                extra.len()
            )),
        }
    }

    /// `0x03 || number`, big-endian so numbers iterate in order.
    pub(crate) fn account_number_key(number: u64) -> Vec<u8> {
        let mut key = ACCOUNT_NUMBER_PREFIX.to_vec();
        key.extend_from_slice(&number.to_be_bytes());
        key
    }
}

impl Encoding {
    /// The encoding of consensus version `version`.
    ///
    /// # Errors
    ///
    /// [`ModuleError::Rejected`] for a version this crate does not implement.
    pub fn for_version(version: u64) -> Result<Self, ModuleError> {
        match version {
            1 => Ok(Encoding::V1),
            2 => Ok(Encoding::V2),
            other => Err(ModuleError::Rejected(format!(
                "auth consensus version {other} is not implemented by this build (versions 1 to {LATEST_VERSION})"
            ))),
        }
    }

    /// The consensus version this encoding belongs to.
    pub fn version(self) -> u64 {
        match self {
            Encoding::V1 => 1,
            Encoding::V2 => 2,
        }
    }

    /// Which encoding wrote the store `reader` views, told by where its
    /// params are; `None` for a store InitGenesis has not written. This is
    /// how other modules read auth state without knowing auth's version
    /// (during an upgrade, auth migrates last, so it may still be at v1).
    ///
    /// # Errors
    ///
    /// A failed read.
    pub fn detect(reader: &ModuleReader<'_>) -> Result<Option<Self>, ModuleError> {
        if reader.has(v2::PARAMS)? {
            Ok(Some(Encoding::V2))
        } else if reader.has(legacy_v1::PARAMS)? {
            Ok(Some(Encoding::V1))
        } else {
            Ok(None)
        }
    }

    /// The params key.
    pub fn params_key(self) -> &'static [u8] {
        match self {
            Encoding::V1 => legacy_v1::PARAMS,
            Encoding::V2 => v2::PARAMS,
        }
    }

    /// Prefix of every account key.
    pub fn accounts_prefix(self) -> &'static [u8] {
        match self {
            Encoding::V1 => legacy_v1::ACCOUNTS_PREFIX,
            Encoding::V2 => v2::ACCOUNTS_PREFIX,
        }
    }

    /// The key of the account at `address`.
    pub fn account_key(self, address: &Address) -> Vec<u8> {
        match self {
            Encoding::V1 => legacy_v1::account_key(address),
            Encoding::V2 => v2::account_key(address),
        }
    }

    /// The address an account key belongs to.
    ///
    /// # Errors
    ///
    /// A message if `key` is not an account key of this encoding.
    pub fn address_of_account_key(self, key: &[u8]) -> Result<Address, String> {
        match self {
            Encoding::V1 => legacy_v1::address_of_account_key(key),
            Encoding::V2 => v2::address_of_account_key(key),
        }
    }

    /// The account-number index key, where this encoding has the index.
    pub fn account_number_key(self, number: u64) -> Option<Vec<u8>> {
        match self {
            Encoding::V1 => None,
            Encoding::V2 => Some(v2::account_number_key(number)),
        }
    }
}
