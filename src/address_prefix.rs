//! The account address prefix of the chain this process serves: the
//! human-readable part of every bech32 account address (`cosmos`,
//! `regen`, `evmos`...).
//!
//! Like the Cosmos SDK's `sdk.Config` (types/config.go,
//! `Bech32PrefixAccAddr`), it is one value per process: a node serves one
//! chain. It is a chain parameter: `init` takes it from `--address-prefix`
//! or from the genesis file's addresses, InitChain stores it with the
//! chain (node metadata [`META_KEY`]), and every later open of the state
//! sets it back from there ([`apply_stored`]) before an address is read or
//! written. Modules parse and print addresses with [`get`], so every
//! address (accounts, balances, the authority, signers) is held to it.

use std::sync::{PoisonError, RwLock};

use crate::store::{Storage, StoreError};

/// The prefix until one is set: the Cosmos Hub's.
pub const DEFAULT: &str = "cosmos";

/// Node metadata key under which InitChain stores the prefix.
pub const META_KEY: &str = "address_prefix";

static PREFIX: RwLock<&'static str> = RwLock::new(DEFAULT);

/// The prefix in effect.
pub fn get() -> &'static str {
    *PREFIX.read().unwrap_or_else(PoisonError::into_inner)
}

/// Makes `prefix` the one in effect.
///
/// # Errors
///
/// Not a valid bech32 human-readable part in lowercase (1 to 83 printable
/// ASCII characters, no upper case).
pub fn set(prefix: &str) -> Result<(), String> {
    check(prefix)?;
    let mut current = PREFIX.write().unwrap_or_else(PoisonError::into_inner);
    if *current != prefix {
        // Set once or twice per process: leaking gives a `&'static str`
        // every reader can keep without a lock.
        *current = Box::leak(prefix.to_owned().into_boxed_str());
    }
    Ok(())
}

/// Whether `prefix` can be an address prefix.
///
/// # Errors
///
/// Why not.
pub fn check(prefix: &str) -> Result<(), String> {
    let hrp = bech32::Hrp::parse(prefix)
        .map_err(|e| format!("{prefix:?} is not a bech32 address prefix: {e}"))?;
    if hrp.as_str() != prefix || prefix.chars().any(|c| c.is_ascii_uppercase()) {
        return Err(format!(
            "{prefix:?} is not a bech32 address prefix: use lower case"
        ));
    }
    Ok(())
}

/// Sets the prefix the chain in `storage` was initialised with, if it
/// recorded one (a chain initialised before the prefix was recorded used
/// [`DEFAULT`]; a state not initialised yet leaves the prefix as it is,
/// for InitChain to record).
///
/// # Errors
///
/// A failed read, or a stored value that is not a prefix.
pub fn apply_stored(storage: &Storage) -> Result<(), StoreError> {
    let stored = storage.node_meta(META_KEY)?;
    let prefix = match stored.as_deref().map(std::str::from_utf8) {
        None if storage.last_commit().is_some() => DEFAULT,
        None => return Ok(()),
        Some(Ok(prefix)) => prefix,
        Some(Err(_)) => {
            return Err(StoreError::backend(
                "reading the address prefix",
                "the stored prefix is not UTF-8",
            ));
        }
    };
    set(prefix).map_err(|e| StoreError::backend("reading the address prefix", e))
}

/// `address` (bech32 under any prefix) spelt under the prefix in effect;
/// as given if it is not bech32.
pub fn respell(address: &str) -> String {
    let Ok(checked) = bech32::primitives::decode::CheckedHrpstring::new::<bech32::Bech32>(address)
    else {
        return address.to_owned();
    };
    let bytes: Vec<u8> = checked.byte_iter().collect();
    match bech32::Hrp::parse(get()) {
        Ok(hrp) => {
            bech32::encode::<bech32::Bech32>(hrp, &bytes).unwrap_or_else(|_| address.to_owned())
        }
        Err(_) => address.to_owned(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn prefixes_are_lowercase_bech32_parts() {
        assert!(check("regen").is_ok());
        assert!(check("cosmosvaloper").is_ok());
        assert!(check("").is_err());
        assert!(check("Regen").is_err());
        assert!(check("re gen").is_err());
    }
}
