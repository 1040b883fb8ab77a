//! The migration ledger: which release was applied at which height and
//! what it did to each module's version, kept in the `upgrade` store so
//! every node, and every export, agrees on it.
//!
//! The consensus record holds only what both upgrade paths know: an
//! in-place upgrade and `genesis migrate` of an export write the same entry,
//! so their states have the same app hash. What only the in-place path
//! knows (keys touched per store, the app hash before and after, the
//! wall-clock duration) is node-local metadata beside the state: a duration
//! differs between nodes and would fork the app hash, and the hash after a
//! commit cannot be part of the state it commits.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use super::AppliedUpgrade;
use crate::store::{StateRead, StateWrite, StoreError, UPGRADE_STORE};
use crate::version_map::VersionMap;

/// Prefix of ledger entries: `0x04 || BE u64 height` -> JSON.
pub const LEDGER_PREFIX: u8 = 0x04;

/// One module's change of version.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ModuleChange {
    /// The module.
    pub module: String,
    /// Its version before (`None`: new in the release).
    pub from: Option<u64>,
    /// Its version after (`None`: removed by the release).
    pub to: Option<u64>,
}

/// The consensus record of one applied upgrade.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct LedgerEntry {
    /// The release.
    pub name: String,
    /// The height it was applied at.
    pub height: u64,
    /// Every module whose version changed, by name.
    pub modules: Vec<ModuleChange>,
}

/// Keys an upgrade wrote, per store, from a write session's counts (a
/// key written in two batches counts twice); the `upgrade` store's own
/// bookkeeping is left out.
pub fn keys_touched(mut per_store: BTreeMap<String, u64>) -> BTreeMap<String, u64> {
    per_store.remove(UPGRADE_STORE);
    per_store
}

impl LedgerEntry {
    /// The entry for `applied`.
    pub fn new(applied: &AppliedUpgrade) -> Self {
        Self::between(
            &applied.name,
            applied.height,
            &applied.from_versions,
            &applied.to_versions,
        )
    }

    /// The entry of release `name` at `height` taking modules from `from`
    /// to `to`: how `genesis migrate` records a release it crosses.
    pub fn between(name: &str, height: u64, from: &VersionMap, to: &VersionMap) -> Self {
        let names: std::collections::BTreeSet<&str> =
            from.iter().chain(to.iter()).map(|(n, _)| n).collect();
        let modules = names
            .into_iter()
            .filter(|n| from.get(n) != to.get(n))
            .map(|n| ModuleChange {
                module: n.to_owned(),
                from: from.get(n),
                to: to.get(n),
            })
            .collect();
        LedgerEntry {
            name: name.to_owned(),
            height,
            modules,
        }
    }

    /// Writes the entry into the `upgrade` store.
    pub fn store<S: StateWrite + ?Sized>(&self, state: &mut S) {
        let key = [&[LEDGER_PREFIX][..], &self.height.to_be_bytes()].concat();
        // A struct of strings, integers and maps always serialises.
        state.set(
            UPGRADE_STORE,
            key,
            serde_json::to_vec(self).unwrap_or_default(),
        );
    }
}

/// Every ledger entry, oldest first.
///
/// # Errors
///
/// A failed read or an undecodable entry.
pub fn ledger<S: StateRead + ?Sized>(state: &S) -> Result<Vec<LedgerEntry>, StoreError> {
    state
        .prefix(UPGRADE_STORE, &[LEDGER_PREFIX])?
        .map(|item| {
            let (key, value) = item?;
            serde_json::from_slice(&value).map_err(|e| StoreError::Corrupt {
                what: format!("upgrade ledger entry 0x{}", hex::encode(&key)),
                reason: e.to_string(),
            })
        })
        .collect()
}
