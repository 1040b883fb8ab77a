//! Bank store keys, per consensus version.
//!
//! [`Encoding`] has one variant per version and dispatches to that version's
//! key functions: the frozen [`legacy_v1`](super::legacy_v1) and the current
//! [`v2`]. Adding version 3 means freezing `v2` into a `legacy_v2` file next
//! to the 2 -> 3 migration, and adding a variant here; the rest of the
//! module only talks to [`Encoding`].

use upgrade_runtime::ModuleError;
use upgrade_runtime::store::ModuleReader;

use super::legacy_v1;
use crate::address::Address;

/// The newest bank version this crate implements.
pub const LATEST_VERSION: u64 = 2;

/// How the bank store is laid out.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Encoding {
    /// String keys: `params`, `supply/<denom>`, `balances/<bech32>/<denom>`.
    V1,
    /// Cosmos `x/bank` binary keys: supply `0x00 || denom`, denom metadata
    /// `0x01`, balances `0x02 || len || address || denom`, send-enabled
    /// `0x04`, params `0x05`.
    V2,
}

/// Version 2 keys, as Cosmos `x/bank` lays them out. The denom metadata and
/// send-enabled lists are kept whole under one key each, verbatim.
pub(crate) mod v2 {
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
                "bank consensus version {other} is not implemented by this build (versions 1 to {LATEST_VERSION})"
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
    /// params are; `None` before InitGenesis.
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

    /// The denom metadata key.
    pub fn denom_metadata_key(self) -> &'static [u8] {
        match self {
            Encoding::V1 => legacy_v1::DENOM_METADATA,
            Encoding::V2 => v2::DENOM_METADATA,
        }
    }

    /// The send-enabled key.
    pub fn send_enabled_key(self) -> &'static [u8] {
        match self {
            Encoding::V1 => legacy_v1::SEND_ENABLED,
            Encoding::V2 => v2::SEND_ENABLED,
        }
    }

    /// Prefix of every supply key.
    pub fn supply_prefix(self) -> &'static [u8] {
        match self {
            Encoding::V1 => legacy_v1::SUPPLY_PREFIX,
            Encoding::V2 => v2::SUPPLY_PREFIX,
        }
    }

    /// The supply key of `denom`.
    pub fn supply_key(self, denom: &str) -> Vec<u8> {
        match self {
            Encoding::V1 => legacy_v1::supply_key(denom),
            Encoding::V2 => v2::supply_key(denom),
        }
    }

    /// The denom of a supply key.
    ///
    /// # Errors
    ///
    /// A message if `key` is not a supply key of this encoding.
    pub fn denom_of_supply_key(self, key: &[u8]) -> Result<String, String> {
        match self {
            Encoding::V1 => legacy_v1::denom_of_supply_key(key),
            Encoding::V2 => v2::denom_of_supply_key(key),
        }
    }

    /// Prefix of every balance key.
    pub fn balances_prefix(self) -> &'static [u8] {
        match self {
            Encoding::V1 => legacy_v1::BALANCES_PREFIX,
            Encoding::V2 => v2::BALANCES_PREFIX,
        }
    }

    /// Prefix of every balance key of `address`.
    pub fn address_balances_prefix(self, address: &Address) -> Vec<u8> {
        match self {
            Encoding::V1 => legacy_v1::address_balances_prefix(address),
            Encoding::V2 => v2::address_balances_prefix(address),
        }
    }

    /// The balance key of `address` in `denom`.
    pub fn balance_key(self, address: &Address, denom: &str) -> Vec<u8> {
        match self {
            Encoding::V1 => legacy_v1::balance_key(address, denom),
            Encoding::V2 => v2::balance_key(address, denom),
        }
    }

    /// The address and denom of a balance key.
    ///
    /// # Errors
    ///
    /// A message if `key` is not a balance key of this encoding.
    pub fn split_balance_key(self, key: &[u8]) -> Result<(Address, String), String> {
        match self {
            Encoding::V1 => legacy_v1::split_balance_key(key),
            Encoding::V2 => v2::split_balance_key(key),
        }
    }
}
