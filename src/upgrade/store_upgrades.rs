//! Store upgrades: stores added, renamed or deleted by a release, and
//! modules renamed by it.

use serde::{Deserialize, Serialize};

use crate::store::{KeyRange, KvPair, StateWrite, StoreError};
use crate::version_map::VersionMap;

/// A module renamed by a release.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ModuleRename {
    /// The module's name in the previous release.
    pub old_name: String,
    /// Its name in this release.
    pub new_name: String,
}

/// A store renamed by a release.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct StoreRename {
    /// The old store name.
    pub old_key: String,
    /// The new store name.
    pub new_key: String,
}

/// The stores a release adds, renames and deletes (Cosmos `StoreUpgrades`),
/// and the modules it renames.
///
/// One meaning on every path: the in-place upgrade, `genesis migrate`, the
/// static release check and the dry run (`upgrade plan`) all read the same
/// [`StoreUpgrades`] value this way, following Cosmos (`store/types/store.go`
/// `StoreUpgrades`, `store/rootmulti/store.go` `loadVersion` /
/// `moveKVStoreData`, `types/module/module.go` `RunMigrations`):
///
/// - **Stores and modules are named separately.** `added`, `renamed` and
///   `deleted` name *stores* (a module's [`store_name`](crate::Module::store_name));
///   a module's fate follows from the release's modules against the stored
///   version map, as in Cosmos' `RunMigrations`: a module in the new
///   release but not in the map is new (InitGenesis with its default
///   genesis; its store must be `added`), a module in the map but not in
///   the release leaves the map (its store must be `deleted` or renamed
///   away). Deleting a store never drops a module by the store's name.
/// - **A store rename moves every key** of `old_key` to `new_key` and leaves
///   `old_key` empty. The module that owns the store keeps its name and
///   version and migrates as usual: renaming a store does not make its
///   module new, and a genesis section (keyed by module) does not move.
/// - **A module rename** is `renamed_modules`: the module's stored version
///   carries over to the new name, so it migrates instead of running
///   InitGenesis over its own data (what a Cosmos handler does by hand with
///   `fromVM[new] = fromVM[old]; delete(fromVM, old)`), and `genesis
///   migrate` moves its section to the new name. Renaming module and store
///   together is both entries.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct StoreUpgrades {
    /// Stores of modules new in the release.
    #[serde(default)]
    pub added: Vec<String>,
    /// Stores whose every key moves to a new name.
    #[serde(default)]
    pub renamed: Vec<StoreRename>,
    /// Stores whose every key is removed (the store of a module the release
    /// drops, whatever that module is called).
    #[serde(default)]
    pub deleted: Vec<String>,
    /// Modules whose name changes: the version (and genesis section) moves
    /// to the new name.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub renamed_modules: Vec<ModuleRename>,
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
        self.added.is_empty()
            && self.renamed.is_empty()
            && self.deleted.is_empty()
            && self.renamed_modules.is_empty()
    }

    /// Carries each renamed module's version to its new name in `versions`
    /// (the stored version map, before `run_migrations`).
    ///
    /// # Errors
    ///
    /// The old name is not in `versions`, or the new one already is: the
    /// module is returned as `(old, new)`.
    pub fn rename_modules(&self, versions: &mut VersionMap) -> Result<(), (String, String)> {
        for rename in &self.renamed_modules {
            let fail = || (rename.old_name.clone(), rename.new_name.clone());
            if rename.old_name == rename.new_name || versions.contains(&rename.new_name) {
                return Err(fail());
            }
            let version = versions.remove(&rename.old_name).ok_or_else(fail)?;
            versions.set(&rename.new_name, version);
        }
        Ok(())
    }

    /// Applies store renames (copy every key, delete the old ones) and
    /// deletes (remove every key) into `state`.
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
