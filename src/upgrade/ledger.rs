//! The migration ledger: what every applied upgrade did, kept in the
//! `upgrade` store so every node (and every export) agrees on it.
//!
//! Wall-clock durations and the hash after the upgrade's commit are not here:
//! a duration differs between nodes and would fork the app hash, and the
//! hash after a commit cannot be part of the state it commits. Nodes keep
//! those beside the state, node-locally.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use super::AppliedUpgrade;
use crate::commitment::AppHash;
use crate::store::{ChangeSet, StateRead, StateWrite, StoreError, UPGRADE_STORE};

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
    /// Keys the upgrade wrote or deleted, per store (the ledger's own
    /// record and the `upgrade` store's bookkeeping excluded).
    pub keys_touched: BTreeMap<String, u64>,
    /// The app hash of the state the upgrade started from.
    pub app_hash_before: String,
}

impl LedgerEntry {
    /// The entry for `applied`, given the upgrade's writes and the parent
    /// commit's app hash.
    pub fn new(applied: &AppliedUpgrade, writes: &ChangeSet, app_hash_before: AppHash) -> Self {
        let mut modules = Vec::new();
        let names: std::collections::BTreeSet<&str> = applied
            .from_versions
            .iter()
            .chain(applied.to_versions.iter())
            .map(|(n, _)| n)
            .collect();
        for name in names {
            let (from, to) = (
                applied.from_versions.get(name),
                applied.to_versions.get(name),
            );
            if from != to {
                modules.push(ModuleChange {
                    module: name.to_owned(),
                    from,
                    to,
                });
            }
        }
        let keys_touched = writes
            .stores()
            .filter(|(store, _)| *store != UPGRADE_STORE)
            .map(|(store, w)| (store.to_owned(), w.len() as u64))
            .collect();
        LedgerEntry {
            name: applied.name.clone(),
            height: applied.height,
            modules,
            keys_touched,
            app_hash_before: app_hash_before.to_hex(),
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
