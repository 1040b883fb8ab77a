//! The static check of a binary's releases, run before the first block: a
//! missing migration or store upgrade is found at start, naming the
//! release, module and step, instead of halting the chain at the height.

use std::collections::BTreeSet;

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
    let renamed_to: BTreeSet<&str> = su.renamed.iter().map(|r| r.new_key.as_str()).collect();
    let renamed_from: BTreeSet<&str> = su.renamed.iter().map(|r| r.old_key.as_str()).collect();
    let prev_versions = prev.manager.version_map();
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
            }
            None => {
                new_stores.insert(module.store_name());
                if !su.added.iter().any(|s| s == module.store_name())
                    && !renamed_to.contains(module.store_name())
                {
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
        if next.manager.module(module.name()).is_some() {
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
