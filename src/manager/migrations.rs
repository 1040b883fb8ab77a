//! `run_migrations`: bring every module from its stored version to this
//! binary's, in the migration order.

use serde::Serialize;

use super::{ManagerError, ModuleManager};
use crate::configurator::Configurator;
use crate::store::{Scope, StateWrite};
use crate::version_map::VersionMap;

/// What `run_migrations` did to one module.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[serde(tag = "action", rename_all = "snake_case")]
pub enum StepAction {
    /// Already at the binary's version.
    Unchanged {
        /// The version.
        version: u64,
    },
    /// New in this release: InitGenesis with its default genesis.
    InitGenesis {
        /// The version it starts at.
        version: u64,
    },
    /// One registered vN -> vN+1 handler ran.
    Migrated {
        /// From.
        from: u64,
        /// To.
        to: u64,
        /// The handler's description.
        description: String,
    },
}

/// One entry of a [`MigrationReport`].
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct MigrationStep {
    /// The module.
    pub module: String,
    /// What happened.
    #[serde(flatten)]
    pub action: StepAction,
}

/// Everything `run_migrations` did, in the order it did it.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize)]
pub struct MigrationReport {
    /// The steps.
    pub steps: Vec<MigrationStep>,
}

impl ModuleManager {
    /// Runs, for each module in the migration order, the handlers from its
    /// version in `from_vm` to its consensus version; a module absent from
    /// `from_vm` is new and gets InitGenesis with its default genesis.
    /// Returns the resulting version map.
    ///
    /// Each handler writes through its own delta, applied only when it
    /// succeeds; on any error the caller must discard `state` (the whole
    /// upgrade is one delta).
    ///
    /// # Errors
    ///
    /// A module of `from_vm` that is not registered, version 0, a downgrade,
    /// a missing handler (checked for the whole path before anything runs),
    /// or a failing handler or InitGenesis.
    pub fn run_migrations(
        &self,
        state: &mut dyn StateWrite,
        cfg: &Configurator,
        from_vm: &VersionMap,
        height: u64,
    ) -> Result<(VersionMap, MigrationReport), ManagerError> {
        self.run_migrations_with(state, cfg, from_vm, height, false)
    }

    /// [`ModuleManager::run_migrations`], also running each migration's
    /// pre- and post-check when `checked`.
    ///
    /// # Errors
    ///
    /// As `run_migrations`, and [`ManagerError::CheckFailed`].
    pub fn run_migrations_with(
        &self,
        state: &mut dyn StateWrite,
        cfg: &Configurator,
        from_vm: &VersionMap,
        height: u64,
        checked: bool,
    ) -> Result<(VersionMap, MigrationReport), ManagerError> {
        for (module, version) in from_vm.iter() {
            if self.module(module).is_none() {
                return Err(ManagerError::NotRegistered {
                    module: module.to_owned(),
                    version,
                });
            }
        }
        let order = self.migration_order();
        self.check_migration_path(cfg, from_vm, &order)?;
        let mut updated = from_vm.clone();
        let mut report = MigrationReport::default();
        for name in &order {
            let Some(module) = self.module(name) else {
                return Err(ManagerError::UnknownModule { name: name.clone() });
            };
            let to = module.consensus_version();
            let Some(from) = from_vm.get(name) else {
                tracing::info!(module = %name, version = to, "adding a new module: running InitGenesis");
                let mut scope = Scope::open(&mut *state)?;
                let mut ctx = self.context(name, &mut scope, height)?;
                module
                    .init_genesis(&mut ctx, &module.default_genesis())
                    .map_err(|source| ManagerError::InitGenesis {
                        module: name.clone(),
                        source,
                    })?;
                scope.apply()?;
                updated.set(name, to);
                report.steps.push(MigrationStep {
                    module: name.clone(),
                    action: StepAction::InitGenesis { version: to },
                });
                continue;
            };
            if from == to {
                report.steps.push(MigrationStep {
                    module: name.clone(),
                    action: StepAction::Unchanged { version: to },
                });
                continue;
            }
            for step in from..to {
                let migration =
                    cfg.migration(name, step)
                        .ok_or_else(|| ManagerError::MissingMigration {
                            module: name.clone(),
                            from: step,
                            to: step + 1,
                            state_version: from,
                            binary_version: to,
                        })?;
                tracing::info!(module = %name, from = step, to = step + 1, description = %migration.description, "migrating module");
                let checks = migration.checks.filter(|_| checked);
                let captured = match checks {
                    Some(c) => {
                        let ctx = self.context(name, &mut *state, height)?;
                        Some((c.pre)(&ctx).map_err(|source| ManagerError::CheckFailed {
                            module: name.clone(),
                            from: step,
                            to: step + 1,
                            phase: "pre",
                            source: Box::new(source),
                        })?)
                    }
                    None => None,
                };
                let mut scope = Scope::open(&mut *state)?;
                let mut ctx = self.context(name, &mut scope, height)?;
                (migration.handler)(&mut ctx).map_err(|source| ManagerError::MigrationFailed {
                    module: name.clone(),
                    from: step,
                    to: step + 1,
                    source,
                })?;
                scope.apply()?;
                if let (Some(c), Some(captured)) = (checks, captured) {
                    let ctx = self.context(name, &mut *state, height)?;
                    (c.post)(&ctx, &captured).map_err(|source| ManagerError::CheckFailed {
                        module: name.clone(),
                        from: step,
                        to: step + 1,
                        phase: "post",
                        source: Box::new(source),
                    })?;
                    tracing::info!(module = %name, from = step, to = step + 1, "pre/post checks passed");
                }
                report.steps.push(MigrationStep {
                    module: name.clone(),
                    action: StepAction::Migrated {
                        from: step,
                        to: step + 1,
                        description: migration.description.clone(),
                    },
                });
            }
            updated.set(name, to);
        }
        Ok((updated, report))
    }

    /// Checks, before anything runs, that every module can go from its
    /// version in `from_vm` to the binary's.
    ///
    /// # Errors
    ///
    /// As [`ModuleManager::run_migrations`], for the first module in `order`
    /// that cannot.
    pub fn check_migration_path(
        &self,
        cfg: &Configurator,
        from_vm: &VersionMap,
        order: &[String],
    ) -> Result<(), ManagerError> {
        for name in order {
            let Some(module) = self.module(name) else {
                return Err(ManagerError::UnknownModule { name: name.clone() });
            };
            let to = module.consensus_version();
            let Some(from) = from_vm.get(name) else {
                continue;
            };
            if from == 0 || to == 0 {
                return Err(ManagerError::ZeroVersion {
                    module: name.clone(),
                });
            }
            if from > to {
                return Err(ManagerError::Downgrade {
                    module: name.clone(),
                    from,
                    to,
                });
            }
            if let Some(step) = (from..to).find(|v| cfg.migration(name, *v).is_none()) {
                return Err(ManagerError::MissingMigration {
                    module: name.clone(),
                    from: step,
                    to: step + 1,
                    state_version: from,
                    binary_version: to,
                });
            }
        }
        Ok(())
    }
}
