//! Upgrade handlers: what a release does when its plan's height arrives.

use std::collections::BTreeMap;

use super::{Plan, StoreUpgrades, UpgradeError};
use crate::configurator::Configurator;
use crate::context::Context;
use crate::manager::{MigrationReport, ModuleManager};
use crate::store::StateWrite;
use crate::version_map::VersionMap;

/// The code of a release: given the plan and the stored version map, do the
/// release's work and return the new version map. Ordinary application code;
/// most handlers end with `ctx.run_migrations(from_vm)`.
pub type UpgradeHandler =
    fn(&mut UpgradeContext<'_>, &Plan, VersionMap) -> Result<VersionMap, UpgradeError>;

/// A release the binary knows how to apply.
#[derive(Clone, Debug)]
pub struct Upgrade {
    /// The plan name it answers, e.g. `v2.0.0`.
    pub name: String,
    /// Stores it adds, renames and deletes.
    pub store_upgrades: StoreUpgrades,
    /// Its code.
    pub handler: UpgradeHandler,
}

/// The releases this binary holds handlers for.
#[derive(Clone, Debug, Default)]
pub struct UpgradeRegistry {
    upgrades: BTreeMap<String, Upgrade>,
}

impl UpgradeRegistry {
    /// An empty registry.
    pub fn new() -> Self {
        Self::default()
    }

    /// Registers `upgrade`.
    ///
    /// # Errors
    ///
    /// [`UpgradeError::DuplicateHandler`].
    pub fn register(&mut self, upgrade: Upgrade) -> Result<(), UpgradeError> {
        if self.upgrades.contains_key(&upgrade.name) {
            return Err(UpgradeError::DuplicateHandler { name: upgrade.name });
        }
        self.upgrades.insert(upgrade.name.clone(), upgrade);
        Ok(())
    }

    /// The upgrade answering `name`.
    pub fn get(&self, name: &str) -> Option<&Upgrade> {
        self.upgrades.get(name)
    }

    /// Whether a handler for `name` is registered.
    pub fn contains(&self, name: &str) -> bool {
        self.upgrades.contains_key(name)
    }

    /// Registered release names.
    pub fn names(&self) -> Vec<&str> {
        self.upgrades.keys().map(String::as_str).collect()
    }
}

/// What a handler is handed: the block's state (inside the upgrade's delta),
/// the module manager and the migration registry.
pub struct UpgradeContext<'a> {
    pub(crate) state: &'a mut dyn StateWrite,
    pub(crate) manager: &'a ModuleManager,
    pub(crate) cfg: &'a Configurator,
    pub(crate) height: u64,
    pub(crate) report: MigrationReport,
    pub(crate) start_store_migration: bool,
    pub(crate) checked: bool,
}

impl UpgradeContext<'_> {
    /// The height the upgrade is applied at.
    pub fn height(&self) -> u64 {
        self.height
    }

    /// The module manager.
    pub fn manager(&self) -> &ModuleManager {
        self.manager
    }

    /// Runs every module's migrations from `from_vm` to this binary's
    /// versions (see [`ModuleManager::run_migrations`]) and returns the
    /// new map. What ran is added to the upgrade's report.
    ///
    /// # Errors
    ///
    /// The manager's error; the whole upgrade is then discarded.
    pub fn run_migrations(&mut self, from_vm: VersionMap) -> Result<VersionMap, UpgradeError> {
        let (vm, report) = self.manager.run_migrations_with(
            &mut *self.state,
            self.cfg,
            &from_vm,
            self.height,
            self.checked,
        )?;
        self.report.steps.extend(report.steps);
        Ok(vm)
    }

    /// Starts the lazy store migration from layout v1 to v2 as one of the
    /// upgrade's steps: from the upgrade's commit on, every block moves a
    /// batch of keys until layout v1 is drained. A no-op on a node already
    /// on v2 (the app hash does not depend on the layout).
    pub fn start_store_migration(&mut self) {
        self.start_store_migration = true;
    }

    /// A context for one module, for release logic beyond its migrations.
    ///
    /// # Errors
    ///
    /// The module is not registered.
    pub fn module(&mut self, name: &str) -> Result<Context<'_>, UpgradeError> {
        Ok(self.manager.context(name, &mut *self.state, self.height)?)
    }
}
