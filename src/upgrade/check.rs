//! The static check of a binary's releases, run before the first block: a
//! missing migration or store upgrade is found at start, naming the
//! release, module and step, instead of halting the chain at the height.

use std::collections::{BTreeMap, BTreeSet};

use crate::manager::ModuleManager;

use super::StoreUpgrades;

/// One release as the check sees it.
pub struct ReleaseSpec<'a> {
    /// Its name.
    pub name: &'a str,
    /// Its modules, at its versions, with their migrations.
    pub manager: &'a ModuleManager,
    /// The store upgrades of the upgrade that reaches it (`None` for the
    /// genesis release).
    pub store_upgrades: Option<&'a StoreUpgrades>,
}

/// One thing the check found wrong.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum CheckError {
    /// A version step with no registered migration.
    #[error(
        "release {release}: module {module:?} goes from version {from} to {to} but no migration from version {missing} to {} is registered",
        missing + 1
    )]
    MissingMigration {
        /// The release.
        release: String,
        /// The module.
        module: String,
        /// Version in the previous release.
        from: u64,
        /// Version in this release.
        to: u64,
        /// Start of the missing step.
        missing: u64,
    },
    /// A version step with no registered genesis JSON migration: the
    /// export -> `genesis migrate` path would fail at that step.
    #[error(
        "release {release}: module {module:?} goes from version {from} to {to} but no genesis JSON migration from version {missing} to {} is registered",
        missing + 1
    )]
    MissingGenesisMigration {
        /// The release.
        release: String,
        /// The module.
        module: String,
        /// Version in the previous release.
        from: u64,
        /// Version in this release.
        to: u64,
        /// Start of the missing step.
        missing: u64,
    },
    /// A module whose version goes down.
    #[error("release {release}: module {module:?} goes down from version {from} to {to}")]
    Downgrade {
        /// The release.
        release: String,
        /// The module.
        module: String,
        /// Version in the previous release.
        from: u64,
        /// Version in this release.
        to: u64,
    },
    /// A new module whose store the release does not add.
    #[error(
        "release {release}: module {module:?} is new but its store {store:?} is not in the release's added stores"
    )]
    StoreNotAdded {
        /// The release.
        release: String,
        /// The module.
        module: String,
        /// Its store.
        store: String,
    },
    /// A removed module whose store the release neither deletes nor renames.
    #[error(
        "release {release}: module {module:?} is removed but its store {store:?} is neither deleted nor renamed"
    )]
    StoreNotRemoved {
        /// The release.
        release: String,
        /// The module.
        module: String,
        /// Its store.
        store: String,
    },
    /// A module the release keeps whose store name changes, without the
    /// store rename that moves its keys.
    #[error(
        "release {release}: module {module:?} keeps its state but its store changes from {old_store:?} to {new_store:?}, and the release does not rename that store"
    )]
    StoreNotRenamed {
        /// The release.
        release: String,
        /// The module.
        module: String,
        /// Its store in the previous release.
        old_store: String,
        /// Its store in this release.
        new_store: String,
    },
    /// A store rename that moves keys no module change calls for, or moves
    /// them where they would mix with a live store.
    #[error("release {release}: store rename {old:?} -> {new:?}: {reason}")]
    BadStoreRename {
        /// The release.
        release: String,
        /// The old store.
        old: String,
        /// The new store.
        new: String,
        /// What is wrong.
        reason: &'static str,
    },
    /// A module rename whose old name the previous release does not have,
    /// or whose new name it already has.
    #[error(
        "release {release}: renames module {old:?} to {new:?}, but the previous release has no module {old:?} or already has {new:?}"
    )]
    StrayModuleRename {
        /// The release.
        release: String,
        /// The old name.
        old: String,
        /// The new name.
        new: String,
    },
    /// A store upgrade that matches no module change.
    #[error("release {release}: store upgrade {action} {store:?} matches no module {what}")]
    StrayStoreUpgrade {
        /// The release.
        release: String,
        /// `added` or `deleted`.
        action: &'static str,
        /// The store.
        store: String,
        /// `added in this release` or `removed in this release`.
        what: &'static str,
    },
    /// A release's modules register invalid migrations.
    #[error("release {release}: {reason}")]
    Registration {
        /// The release.
        release: String,
        /// The registration error.
        reason: String,
    },
}

/// Checks every consecutive pair of `releases` (oldest first). Returns every
/// problem found, in release order.
pub fn check_releases(releases: &[ReleaseSpec<'_>]) -> Vec<CheckError> {
    let mut problems = Vec::new();
    for pair in releases.windows(2) {
        check_step(&pair[0], &pair[1], &mut problems);
    }
    problems
}

fn check_step(prev: &ReleaseSpec<'_>, next: &ReleaseSpec<'_>, problems: &mut Vec<CheckError>) {
    let release = next.name.to_owned();
    let cfg = match next.manager.configurator() {
        Ok(cfg) => cfg,
        Err(e) => {
            problems.push(CheckError::Registration {
                release,
                reason: e.to_string(),
            });
            return;
        }
    };
    let empty = StoreUpgrades::default();
    let su = next.store_upgrades.unwrap_or(&empty);
    let renamed_from: BTreeSet<&str> = su.renamed.iter().map(|r| r.old_key.as_str()).collect();
    // The previous release's modules under the names they have in this one.
    let mut prev_versions = prev.manager.version_map();
    if let Err((old, new)) = su.rename_modules(&mut prev_versions) {
        problems.push(CheckError::StrayModuleRename {
            release: release.clone(),
            old,
            new,
        });
    }
    let renamed_to_old: BTreeMap<&str, &str> = su
        .renamed_modules
        .iter()
        .map(|r| (r.new_name.as_str(), r.old_name.as_str()))
        .collect();
    let mut new_stores = BTreeSet::new();
    for module in next.manager.modules() {
        let to = module.consensus_version();
        match prev_versions.get(module.name()) {
            Some(from) if from > to => problems.push(CheckError::Downgrade {
                release: release.clone(),
                module: module.name().into(),
                from,
                to,
            }),
            Some(from) => {
                if let Some(missing) =
                    (from..to).find(|v| cfg.migration(module.name(), *v).is_none())
                {
                    problems.push(CheckError::MissingMigration {
                        release: release.clone(),
                        module: module.name().into(),
                        from,
                        to,
                        missing,
                    });
                }
                if let Some(missing) =
                    (from..to).find(|v| cfg.genesis_migration(module.name(), *v).is_none())
                {
                    problems.push(CheckError::MissingGenesisMigration {
                        release: release.clone(),
                        module: module.name().into(),
                        from,
                        to,
                        missing,
                    });
                }
                // A kept module whose store changes name: its keys must move.
                let old_name = renamed_to_old.get(module.name()).copied();
                let old_store = prev
                    .manager
                    .module(old_name.unwrap_or(module.name()))
                    .map(|m| m.store_name());
                if let Some(old_store) = old_store.filter(|s| *s != module.store_name()) {
                    let moved = su
                        .renamed
                        .iter()
                        .any(|r| r.old_key == old_store && r.new_key == module.store_name());
                    if !moved {
                        problems.push(CheckError::StoreNotRenamed {
                            release: release.clone(),
                            module: module.name().into(),
                            old_store: old_store.into(),
                            new_store: module.store_name().into(),
                        });
                    }
                }
            }
            None => {
                new_stores.insert(module.store_name());
                if !su.added.iter().any(|s| s == module.store_name()) {
                    problems.push(CheckError::StoreNotAdded {
                        release: release.clone(),
                        module: module.name().into(),
                        store: module.store_name().into(),
                    });
                }
            }
        }
    }
    let mut removed_stores = BTreeSet::new();
    for module in prev.manager.modules() {
        let name_now = su
            .renamed_modules
            .iter()
            .find(|r| r.old_name == module.name())
            .map_or(module.name(), |r| r.new_name.as_str());
        if next.manager.module(name_now).is_some() {
            continue;
        }
        removed_stores.insert(module.store_name());
        if !su.deleted.iter().any(|s| s == module.store_name())
            && !renamed_from.contains(module.store_name())
        {
            problems.push(CheckError::StoreNotRemoved {
                release: release.clone(),
                module: module.name().into(),
                store: module.store_name().into(),
            });
        }
    }
    let prev_stores: BTreeSet<&str> = prev.manager.modules().map(|m| m.store_name()).collect();
    let next_stores: BTreeSet<&str> = next.manager.modules().map(|m| m.store_name()).collect();
    for rename in &su.renamed {
        let (old, new) = (rename.old_key.as_str(), rename.new_key.as_str());
        let leaving = |s: &str| renamed_from.contains(s) || su.deleted.iter().any(|d| d == s);
        let reason = if !prev_stores.contains(old) {
            Some("no module of the previous release has the old store")
        } else if next_stores.contains(old) {
            Some("a module of this release still uses the old store, which would be emptied")
        } else if !next_stores.contains(new) {
            Some("no module of this release has the new store")
        } else if prev_stores.contains(new) && !leaving(new) {
            Some("the new store is still in use, so the keys would mix")
        } else {
            None
        };
        if let Some(reason) = reason {
            problems.push(CheckError::BadStoreRename {
                release: release.clone(),
                old: old.into(),
                new: new.into(),
                reason,
            });
        }
    }
    for store in &su.added {
        if !new_stores.contains(store.as_str()) {
            problems.push(CheckError::StrayStoreUpgrade {
                release: release.clone(),
                action: "added",
                store: store.clone(),
                what: "added in this release",
            });
        }
    }
    for store in &su.deleted {
        if !removed_stores.contains(store.as_str()) {
            problems.push(CheckError::StrayStoreUpgrade {
                release: release.clone(),
                action: "deleted",
                store: store.clone(),
                what: "removed in this release",
            });
        }
    }
}
