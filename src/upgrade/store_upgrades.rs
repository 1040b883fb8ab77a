//! Store upgrades: stores added, renamed or deleted by a release.

use serde::{Deserialize, Serialize};

use crate::store::{KeyRange, KvPair, StateWrite, StoreError};

/// A store renamed by a release.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct StoreRename {
    /// The old store name.
    pub old_key: String,
    /// The new store name.
    pub new_key: String,
}

/// The stores a release adds, renames and deletes (Cosmos `StoreUpgrades`).
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct StoreUpgrades {
    /// Stores of modules new in the release.
    #[serde(default)]
    pub added: Vec<String>,
    /// Stores whose every key moves to a new name.
    #[serde(default)]
    pub renamed: Vec<StoreRename>,
    /// Stores whose every key is removed; the module of the same name leaves
    /// the version map.
    #[serde(default)]
    pub deleted: Vec<String>,
}

/// Keys moved and deleted while applying store upgrades.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize)]
pub struct StoreUpgradeReport {
    /// Keys moved by renames.
    pub keys_renamed: u64,
    /// Keys removed by deletes.
    pub keys_deleted: u64,
}

impl StoreUpgrades {
    /// Whether nothing changes.
    pub fn is_empty(&self) -> bool {
        self.added.is_empty() && self.renamed.is_empty() && self.deleted.is_empty()
    }

    /// Applies renames (copy every key, delete the old ones) and deletes
    /// (remove every key) into `state`.
    ///
    /// # Errors
    ///
    /// A backend failure while iterating a store.
    pub fn apply(&self, state: &mut dyn StateWrite) -> Result<StoreUpgradeReport, StoreError> {
        let mut report = StoreUpgradeReport::default();
        for rename in &self.renamed {
            let pairs = collect(state, &rename.old_key)?;
            report.keys_renamed += pairs.len() as u64;
            for (key, value) in pairs {
                state.set(&rename.new_key, key.clone(), value);
                state.delete(&rename.old_key, key);
            }
            tracing::info!(from = %rename.old_key, to = %rename.new_key, "renamed store");
        }
        for store in &self.deleted {
            let pairs = collect(state, store)?;
            report.keys_deleted += pairs.len() as u64;
            for (key, _) in pairs {
                state.delete(store, key);
            }
            tracing::info!(store = %store, "deleted store");
        }
        Ok(report)
    }
}

fn collect(state: &dyn StateWrite, store: &str) -> Result<Vec<KvPair>, StoreError> {
    state.range(store, KeyRange::all())?.collect()
}
