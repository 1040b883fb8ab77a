//! `genesis migrate`: bring a genesis document from the module versions
//! that wrote it to a target release's, by chaining each module's
//! registered genesis JSON migrations (vN -> vN+1, registered next to the
//! store migrations).
//!
//! It mirrors what an in-place upgrade does to the store, release by
//! release (one meaning of [`StoreUpgrades`]): modules a release renames
//! move their section, modules a release no longer has lose theirs,
//! modules new in the target get their default genesis (as
//! `run_migrations` runs their InitGenesis with it), and every other
//! module's section goes through its migrations from the file's version to
//! the target's, in the target's migration order. The runtime knows no
//! release: the application says which releases lie between the file and
//! the target ([`ReleaseStep`]).

use serde::Serialize;
use serde_json::{Map, Value};

use super::UpgradeSection;
use super::{AppGenesis, DoneUpgrade, GenesisMigrateError, ModuleVersion, UPGRADE_SECTION};
use crate::manager::ModuleManager;
use crate::upgrade::{LedgerEntry, StoreUpgrades};
use crate::version_map::VersionMap;

/// A release between the file's and the target's (the target included),
/// as `migrate` needs it.
#[derive(Clone, Copy, Debug)]
pub struct ReleaseStep<'a> {
    /// The release name; recorded in the done history.
    pub name: &'a str,
    /// The stores it adds, renames and deletes.
    pub store_upgrades: &'a StoreUpgrades,
    /// Its modules' versions, for the ledger entry it leaves.
    pub versions: &'a VersionMap,
}

/// What happened to one module's section.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[serde(tag = "action", rename_all = "snake_case")]
#[non_exhaustive]
pub enum GenesisStepAction {
    /// Already at the target's version.
    Unchanged {
        /// The version.
        version: u64,
    },
    /// New in the target: its default genesis.
    Added {
        /// The version it starts at.
        version: u64,
    },
    /// One registered genesis JSON migration ran.
    Migrated {
        /// From.
        from: u64,
        /// To.
        to: u64,
        /// The migration's description.
        description: String,
    },
    /// The module was renamed by a release; its section moved to the new name.
    Renamed {
        /// The old section name.
        from: String,
        /// The release.
        release: String,
    },
    /// The module is not in a release crossed; its section is dropped.
    Dropped {
        /// Its version in the file.
        version: u64,
        /// The release that drops it.
        release: String,
    },
}

/// One entry of a [`GenesisMigrateReport`].
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct GenesisStep {
    /// The module (section).
    pub module: String,
    /// What happened.
    #[serde(flatten)]
    pub action: GenesisStepAction,
}

/// Everything `migrate` did, in order.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize)]
pub struct GenesisMigrateReport {
    /// The versions migrated from.
    pub from_versions: VersionMap,
    /// The target's versions.
    pub to_versions: VersionMap,
    /// The releases crossed, oldest first.
    pub releases: Vec<String>,
    /// The steps.
    pub steps: Vec<GenesisStep>,
}

/// Migrates `doc`, whose module sections were written by module versions
/// `from`, to the versions of `target`, crossing `releases` (oldest first,
/// ending with the target's).
///
/// The result's `upgrade` section records the target's versions, one more
/// app version per release crossed, and each release as applied at the
/// document's `initial_height` (where an in-place upgrade of the exported
/// chain would have applied it), with the same ledger entry an in-place
/// upgrade writes (release, height, modules from -> to), so both paths
/// reach the same state and app hash.
/// The document's `app_version` becomes the last release's name.
///
/// # Errors
///
/// A [`GenesisMigrateError`] naming the module, the versions and the step;
/// the migrated document is checked against the target's validation too.
pub fn migrate(
    doc: AppGenesis,
    from: &VersionMap,
    target: &ModuleManager,
    releases: &[ReleaseStep<'_>],
) -> Result<(AppGenesis, GenesisMigrateReport), GenesisMigrateError> {
    let cfg = target
        .configurator()
        .map_err(GenesisMigrateError::Registration)?;
    let mut doc = doc;
    let mut sections = std::mem::take(&mut doc.app_state);
    let mut upgrade = match sections.shift_remove(UPGRADE_SECTION) {
        Some(v) => parse_upgrade_section(v)?,
        None => UpgradeSection::default(),
    };
    if let Some(recorded) = upgrade.version_map() {
        if &recorded != from {
            return Err(GenesisMigrateError::RecordedVersionsDiffer {
                recorded: Box::new(recorded),
                given: Box::new(from.clone()),
            });
        }
    }
    for (module, version) in from.iter() {
        if version == 0 {
            return Err(GenesisMigrateError::ZeroVersion {
                module: module.to_owned(),
            });
        }
        if !sections.contains_key(module) {
            return Err(GenesisMigrateError::MissingSection {
                module: module.to_owned(),
                version,
            });
        }
    }
    if let Some(stray) = sections.keys().find(|k| from.get(k).is_none()) {
        return Err(GenesisMigrateError::SectionWithoutVersion {
            module: stray.clone(),
        });
    }

    let mut versions = from.clone();
    let mut report = GenesisMigrateReport {
        from_versions: from.clone(),
        to_versions: target.version_map(),
        releases: releases.iter().map(|r| r.name.to_owned()).collect(),
        steps: Vec::new(),
    };
    for release in releases {
        // Sections are keyed by module, not by store: a store rename moves
        // keys in the store and leaves the section where it is; a module
        // rename moves the section (see `StoreUpgrades`).
        for rename in &release.store_upgrades.renamed_modules {
            let (old, new) = (&rename.old_name, &rename.new_name);
            let moved = match (versions.remove(old), sections.shift_remove(old)) {
                (Some(version), Some(section)) if old != new && !versions.contains(new) => {
                    Some((version, section))
                }
                _ => None,
            };
            let Some((version, section)) = moved else {
                return Err(GenesisMigrateError::InvalidModuleRename {
                    release: release.name.to_owned(),
                    old: old.clone(),
                    new: new.clone(),
                });
            };
            sections.insert(new.clone(), section);
            versions.set(new, version);
            report.steps.push(GenesisStep {
                module: new.clone(),
                action: GenesisStepAction::Renamed {
                    from: old.clone(),
                    release: release.name.to_owned(),
                },
            });
        }
        // As the in-place upgrade: a module the release no longer has
        // leaves, whatever its store is called.
        let dropped: Vec<(String, u64)> = versions
            .iter()
            .filter(|(name, _)| !release.versions.contains(name))
            .map(|(name, version)| (name.to_owned(), version))
            .collect();
        for (module, version) in dropped {
            versions.remove(&module);
            sections.shift_remove(&module);
            report.steps.push(GenesisStep {
                module,
                action: GenesisStepAction::Dropped {
                    version,
                    release: release.name.to_owned(),
                },
            });
        }
    }
    if let Some((module, version)) = versions.iter().find(|(m, _)| target.module(m).is_none()) {
        return Err(GenesisMigrateError::NotInTarget {
            module: module.to_owned(),
            version,
        });
    }

    let mut migrated: Map<String, Value> = Map::new();
    for name in target.migration_order() {
        let Some(module) = target.module(&name) else {
            continue;
        };
        let to = module.consensus_version();
        let Some(from_version) = versions.get(&name) else {
            tracing::info!(module = %name, version = to, "new module: its default genesis");
            migrated.insert(name.clone(), module.default_genesis());
            report.steps.push(GenesisStep {
                module: name,
                action: GenesisStepAction::Added { version: to },
            });
            continue;
        };
        if from_version > to {
            return Err(GenesisMigrateError::Downgrade {
                module: name,
                file_version: from_version,
                target_version: to,
            });
        }
        // Check the whole path before running any step of it.
        if let Some(step) = (from_version..to).find(|v| cfg.genesis_migration(&name, *v).is_none())
        {
            return Err(GenesisMigrateError::MissingMigration {
                module: name,
                from: step,
                to: step + 1,
                file_version: from_version,
                target_version: to,
            });
        }
        let mut section = sections.shift_remove(&name).unwrap_or(Value::Null);
        if from_version == to {
            report.steps.push(GenesisStep {
                module: name.clone(),
                action: GenesisStepAction::Unchanged { version: to },
            });
        }
        for step in from_version..to {
            let Some(migration) = cfg.genesis_migration(&name, step) else {
                continue;
            };
            tracing::info!(module = %name, from = step, to = step + 1, description = %migration.description, "migrating genesis section");
            section = (migration.handler)(section).map_err(|source| {
                GenesisMigrateError::MigrationFailed {
                    module: name.clone(),
                    from: step,
                    to: step + 1,
                    source,
                }
            })?;
            report.steps.push(GenesisStep {
                module: name.clone(),
                action: GenesisStepAction::Migrated {
                    from: step,
                    to: step + 1,
                    description: migration.description.clone(),
                },
            });
        }
        migrated.insert(name, section);
    }
    // Registration order, as export writes it.
    let mut app_state = Map::new();
    for name in target.names() {
        if let Some(section) = migrated.shift_remove(name) {
            app_state.insert(name.to_owned(), section);
        }
    }

    let mut before = from.clone();
    for release in releases {
        upgrade.ledger.push(LedgerEntry::between(
            release.name,
            doc.initial_height,
            &before,
            release.versions,
        ));
        before = release.versions.clone();
        if let Some(done) = upgrade.done.iter().find(|d| d.name == release.name) {
            return Err(GenesisMigrateError::AlreadyDone {
                release: release.name.to_owned(),
                height: done.height,
            });
        }
        upgrade.done.push(DoneUpgrade {
            name: release.name.to_owned(),
            height: doc.initial_height,
        });
    }
    upgrade.app_version += releases.len() as u64;
    upgrade.module_versions = target
        .version_map()
        .iter()
        .map(|(name, version)| ModuleVersion {
            name: name.to_owned(),
            version,
        })
        .collect();
    target
        .validate_genesis(&app_state, &[UPGRADE_SECTION])
        .map_err(|e| match e {
            crate::ManagerError::InvalidGenesis { path, message } => {
                GenesisMigrateError::InvalidResult { path, message }
            }
            other => GenesisMigrateError::InvalidResult {
                path: "app_state".into(),
                message: other.to_string(),
            },
        })?;
    app_state.insert(
        UPGRADE_SECTION.to_owned(),
        serde_json::to_value(&upgrade).map_err(|e| GenesisMigrateError::UpgradeSection {
            path: String::new(),
            message: e.to_string(),
        })?,
    );
    doc.app_state = app_state;
    if let Some(last) = releases.last() {
        doc.app_version = last.name.to_owned();
    }
    Ok((doc, report))
}

/// Parses the `upgrade` section, reporting the JSON path of an error.
///
/// # Errors
///
/// [`GenesisMigrateError::UpgradeSection`].
pub(crate) fn parse_upgrade_section(v: Value) -> Result<UpgradeSection, GenesisMigrateError> {
    UpgradeSection::from_json(v)
        .map_err(|(path, message)| GenesisMigrateError::UpgradeSection { path, message })
}
