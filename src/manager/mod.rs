//! The module manager: registered modules, their stores and dependencies,
//! the migration order, genesis, transactions and `run_migrations`.

mod error;
mod genesis;
mod hooks;
mod import;
mod migrations;
mod order;
mod transactions;

pub use transactions::{CODE_REJECTED, CODE_TX_DECODE, CODE_TX_TOO_LARGE, CODE_UNKNOWN_MSG};

use std::collections::BTreeMap;

pub use error::ManagerError;
pub use hooks::HookError;
pub use import::{ImportError, ImportOptions, ImportReport, SectionCheck};
pub use migrations::{MigrationReport, MigrationStep, StepAction};
pub use order::default_migration_order;

use crate::configurator::Configurator;
use crate::context::{Context, ModuleBinding};
use crate::module::Module;
use crate::store::{StateWrite, is_reserved, validate_store_name};
use crate::version_map::VersionMap;

/// The application's modules, in registration order (which is also the
/// InitGenesis and export order).
pub struct ModuleManager {
    modules: Vec<Box<dyn Module>>,
    bindings: BTreeMap<String, ModuleBinding>,
    order_migrations: Option<Vec<String>>,
}

impl std::fmt::Debug for ModuleManager {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ModuleManager")
            .field("modules", &self.names())
            .finish()
    }
}

impl ModuleManager {
    /// Registers `modules`, checking names, stores and dependencies.
    ///
    /// # Errors
    ///
    /// A duplicate module or store, a store name that is invalid or reserved,
    /// or a dependency that is not registered.
    pub fn new(modules: Vec<Box<dyn Module>>) -> Result<Self, ManagerError> {
        let mut stores: BTreeMap<&str, &str> = BTreeMap::new();
        for (i, m) in modules.iter().enumerate() {
            if modules[..i].iter().any(|o| o.name() == m.name()) {
                return Err(ManagerError::DuplicateModule {
                    name: m.name().to_owned(),
                });
            }
            let store = m.store_name();
            validate_store_name(store).map_err(|source| ManagerError::InvalidStore {
                module: m.name().to_owned(),
                source,
            })?;
            if is_reserved(m.name()) {
                return Err(ManagerError::ReservedModuleName {
                    name: m.name().to_owned(),
                });
            }
            if is_reserved(store) {
                return Err(ManagerError::InvalidStore {
                    module: m.name().to_owned(),
                    source: crate::store::StoreError::ReservedStore {
                        module: m.name().to_owned(),
                        store: store.to_owned(),
                    },
                });
            }
            if let Some(first) = stores.insert(store, m.name()) {
                return Err(ManagerError::DuplicateStore {
                    store: store.to_owned(),
                    first: first.to_owned(),
                    second: m.name().to_owned(),
                });
            }
        }
        let mut bindings = BTreeMap::new();
        for m in &modules {
            let mut dependencies = Vec::new();
            for dep in m.dependencies() {
                let Some(other) = modules.iter().find(|o| o.name() == *dep) else {
                    return Err(ManagerError::UnknownDependency {
                        module: m.name().to_owned(),
                        dependency: (*dep).to_owned(),
                    });
                };
                dependencies.push((other.name().to_owned(), other.store_name().to_owned()));
            }
            bindings.insert(
                m.name().to_owned(),
                ModuleBinding {
                    module: m.name().to_owned(),
                    store: m.store_name().to_owned(),
                    dependencies,
                },
            );
        }
        Ok(ModuleManager {
            modules,
            bindings,
            order_migrations: None,
        })
    }

    /// Module names in registration order.
    pub fn names(&self) -> Vec<&'static str> {
        self.modules.iter().map(|m| m.name()).collect()
    }

    /// The modules in registration order.
    pub fn modules(&self) -> impl Iterator<Item = &dyn Module> {
        self.modules.iter().map(AsRef::as_ref)
    }

    /// The module called `name`.
    pub fn module(&self, name: &str) -> Option<&dyn Module> {
        self.modules().find(|m| m.name() == name)
    }

    /// Store names of every module, in registration order.
    pub fn store_names(&self) -> Vec<&'static str> {
        self.modules.iter().map(|m| m.store_name()).collect()
    }

    /// Each module at its consensus version in this binary.
    pub fn version_map(&self) -> VersionMap {
        self.modules
            .iter()
            .map(|m| (m.name().to_owned(), m.consensus_version()))
            .collect()
    }

    /// Every module's registered migrations.
    ///
    /// # Errors
    ///
    /// A module registered a duplicate or version-0 migration.
    pub fn configurator(&self) -> Result<Configurator, ManagerError> {
        let mut cfg = Configurator::new();
        for m in &self.modules {
            m.register_migrations(&mut cfg)?;
        }
        Ok(cfg)
    }

    /// A context for `module` over `state`: how the runtime, and an upgrade
    /// handler, call into a module.
    ///
    /// # Errors
    ///
    /// [`ManagerError::UnknownModule`].
    pub fn context<'a>(
        &'a self,
        module: &str,
        state: &'a mut dyn StateWrite,
        height: u64,
    ) -> Result<Context<'a>, ManagerError> {
        let binding = self
            .bindings
            .get(module)
            .ok_or_else(|| ManagerError::UnknownModule {
                name: module.to_owned(),
            })?;
        Ok(Context::new(state, binding, height))
    }
}
