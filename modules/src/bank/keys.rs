//! Bank store keys, per consensus version.
//!
//! [`Encoding`] has one variant per version and dispatches to that version's
//! key functions: the frozen [`legacy_v1`](super::legacy_v1) and
//! [`legacy_v2`](super::legacy_v2), and the current [`v3`]. Adding version 4
//! means freezing `v3` into a `legacy_v3` file next to the 3 -> 4
//! migration, and adding a variant here; the rest of the module only talks
//! to [`Encoding`].

use upgrade_runtime::ModuleError;
use upgrade_runtime::store::ModuleReader;

use super::{legacy_v1, legacy_v2};
use crate::address::Address;

pub(crate) mod v3;

/// The newest bank version this crate implements.
pub const LATEST_VERSION: u64 = 3;

/// How the bank store is laid out.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Encoding {
    /// String keys: `params`, `supply/<denom>`, `balances/<bech32>/<denom>`.
    V1,
    /// Cosmos `x/bank` binary keys: supply `0x00 || denom`, denom metadata
    /// `0x01`, balances `0x02 || len || address || denom`, send-enabled
    /// `0x04`, params `0x05`.
    V2,
    /// Version 2's keys plus the denom -> owner index
    /// `0x03 || len(denom) || denom || len(address) || address` -> empty
    /// and the encoding stamp `0x06` -> `"3"`.
    V3,
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
            3 => Ok(Encoding::V3),
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
            Encoding::V3 => 3,
        }
    }

    /// Which encoding wrote the store `reader` views; `None` before
    /// InitGenesis. Version 3 stores carry a stamp; versions 1 and 2 are
    /// told apart by where their params are.
    ///
    /// # Errors
    ///
    /// A failed read, or a stamp of a version this build does not know
    /// (state written by a newer binary).
    pub fn detect(reader: &ModuleReader<'_>) -> Result<Option<Self>, ModuleError> {
        if let Some(stamp) = reader.get(v3::STAMP)? {
            return if stamp == v3::STAMP_VALUE {
                Ok(Some(Encoding::V3))
            } else {
                Err(ModuleError::Rejected(format!(
                    "bank state is stamped {:?}, an encoding this build does not implement (versions 1 to {LATEST_VERSION})",
                    String::from_utf8_lossy(&stamp)
                )))
            };
        }
        if reader.has(legacy_v2::PARAMS)? {
            Ok(Some(Encoding::V2))
        } else if reader.has(legacy_v1::PARAMS)? {
            Ok(Some(Encoding::V1))
        } else {
            Ok(None)
        }
    }

    /// The key and value that mark a store as written in this encoding, for
    /// the encodings that have one; InitGenesis and the migration into the
    /// encoding write it.
    pub fn stamp(self) -> Option<(&'static [u8], &'static [u8])> {
        match self {
            Encoding::V1 | Encoding::V2 => None,
            Encoding::V3 => Some((v3::STAMP, v3::STAMP_VALUE)),
        }
    }

    /// The params key.
    pub fn params_key(self) -> &'static [u8] {
        match self {
            Encoding::V1 => legacy_v1::PARAMS,
            Encoding::V2 => legacy_v2::PARAMS,
            Encoding::V3 => v3::PARAMS,
        }
    }

    /// The denom metadata key.
    pub fn denom_metadata_key(self) -> &'static [u8] {
        match self {
            Encoding::V1 => legacy_v1::DENOM_METADATA,
            Encoding::V2 => legacy_v2::DENOM_METADATA,
            Encoding::V3 => v3::DENOM_METADATA,
        }
    }

    /// The send-enabled key.
    pub fn send_enabled_key(self) -> &'static [u8] {
        match self {
            Encoding::V1 => legacy_v1::SEND_ENABLED,
            Encoding::V2 => legacy_v2::SEND_ENABLED,
            Encoding::V3 => v3::SEND_ENABLED,
        }
    }

    /// Prefix of every supply key.
    pub fn supply_prefix(self) -> &'static [u8] {
        match self {
            Encoding::V1 => legacy_v1::SUPPLY_PREFIX,
            Encoding::V2 => legacy_v2::SUPPLY_PREFIX,
            Encoding::V3 => v3::SUPPLY_PREFIX,
        }
    }

    /// The supply key of `denom`.
    pub fn supply_key(self, denom: &str) -> Vec<u8> {
        match self {
            Encoding::V1 => legacy_v1::supply_key(denom),
            Encoding::V2 => legacy_v2::supply_key(denom),
            Encoding::V3 => v3::supply_key(denom),
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
            Encoding::V2 => legacy_v2::denom_of_supply_key(key),
            Encoding::V3 => v3::denom_of_supply_key(key),
        }
    }

    /// Prefix of every balance key.
    pub fn balances_prefix(self) -> &'static [u8] {
        match self {
            Encoding::V1 => legacy_v1::BALANCES_PREFIX,
            Encoding::V2 => legacy_v2::BALANCES_PREFIX,
            Encoding::V3 => v3::BALANCES_PREFIX,
        }
    }

    /// Prefix of every balance key of `address`.
    pub fn address_balances_prefix(self, address: &Address) -> Vec<u8> {
        match self {
            Encoding::V1 => legacy_v1::address_balances_prefix(address),
            Encoding::V2 => legacy_v2::address_balances_prefix(address),
            Encoding::V3 => v3::address_balances_prefix(address),
        }
    }

    /// The balance key of `address` in `denom`.
    pub fn balance_key(self, address: &Address, denom: &str) -> Vec<u8> {
        match self {
            Encoding::V1 => legacy_v1::balance_key(address, denom),
            Encoding::V2 => legacy_v2::balance_key(address, denom),
            Encoding::V3 => v3::balance_key(address, denom),
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
            Encoding::V2 => legacy_v2::split_balance_key(key),
            Encoding::V3 => v3::split_balance_key(key),
        }
    }

    /// The prefix of every denom -> owner index entry of `denom`; `None`
    /// where the encoding has no index.
    ///
    /// # Errors
    ///
    /// A message for a denom too long to be indexed (over 255 bytes).
    pub fn denom_owners_prefix(self, denom: &str) -> Result<Option<Vec<u8>>, String> {
        match self {
            Encoding::V1 | Encoding::V2 => Ok(None),
            Encoding::V3 => v3::denom_owners_prefix(denom).map(Some),
        }
    }

    /// The denom -> owner index entry of `address` holding `denom`; `None`
    /// where the encoding has no index.
    ///
    /// # Errors
    ///
    /// A message for a denom too long to be indexed (over 255 bytes).
    pub fn denom_owner_key(
        self,
        denom: &str,
        address: &Address,
    ) -> Result<Option<Vec<u8>>, String> {
        match self {
            Encoding::V1 | Encoding::V2 => Ok(None),
            Encoding::V3 => v3::denom_owner_key(denom, address).map(Some),
        }
    }

    /// The denom and address of a denom -> owner index key.
    ///
    /// # Errors
    ///
    /// A message if `key` is not an index key of this encoding (or the
    /// encoding has no index).
    pub fn split_denom_owner_key(self, key: &[u8]) -> Result<(String, Address), String> {
        match self {
            Encoding::V1 | Encoding::V2 => Err(format!(
                "bank version {} has no denom -> owner index",
                self.version()
            )),
            Encoding::V3 => v3::split_denom_owner_key(key),
        }
    }
}
