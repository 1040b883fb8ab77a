//! The migration registry: which handler moves a module from vN to vN+1.

use std::collections::BTreeMap;

use serde_json::Value;

use crate::context::Context;
use crate::module::ModuleError;

/// A store migration handler. A plain function pointer: it captures nothing,
/// so it can only depend on the state it is handed.
pub type MigrationHandler = fn(&mut Context<'_>) -> Result<(), ModuleError>;

/// Captures what a post-check needs from the state before the migration
/// (Substrate try-runtime's `pre_upgrade`).
pub type PreCheck = fn(&Context<'_>) -> Result<Vec<u8>, ModuleError>;
/// Verifies the migrated state against what the pre-check captured
/// (`post_upgrade`).
pub type PostCheck = fn(&Context<'_>, &[u8]) -> Result<(), ModuleError>;

/// A migration's pre- and post-check.
#[derive(Clone, Copy, Debug)]
pub struct MigrationChecks {
    /// Runs on the state before the handler.
    pub pre: PreCheck,
    /// Runs on the state after it.
    pub post: PostCheck,
}

/// One registered vN -> vN+1 migration.
#[derive(Clone, Debug)]
pub struct Migration {
    /// The module it migrates.
    pub module: String,
    /// The version it starts from; it leaves the module at `from + 1`.
    pub from: u64,
    /// What it does, for reports and logs.
    pub description: String,
    /// The code.
    pub handler: MigrationHandler,
    /// Checks run by dry runs and by checked upgrades.
    pub checks: Option<MigrationChecks>,
}

/// Registering a migration failed.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum ConfigError {
    /// Versions start at 1.
    #[error("module {module:?}: migration versions start at 1, got a migration from version 0")]
    FromZero {
        /// The module.
        module: String,
    },
    /// Two handlers for the same step.
    #[error("module {module:?}: another migration from version {from} is already registered")]
    Duplicate {
        /// The module.
        module: String,
        /// The version both start from.
        from: u64,
    },
    /// Two genesis JSON migrations for the same step.
    #[error(
        "module {module:?}: another genesis JSON migration from version {from} is already registered"
    )]
    DuplicateGenesisMigration {
        /// The module.
        module: String,
        /// The version both start from.
        from: u64,
    },
}

/// A genesis JSON migration: a module's section as version `from` wrote it,
/// in; the section as version `from + 1` reads it, out. A plain function
/// pointer, like [`MigrationHandler`]: it sees nothing but the section.
pub type GenesisMigrationHandler = fn(Value) -> Result<Value, ModuleError>;

/// One registered vN -> vN+1 genesis JSON migration, the counterpart of a
/// store [`Migration`] for `genesis migrate`.
#[derive(Clone, Debug)]
pub struct GenesisMigration {
    /// The module whose section it rewrites.
    pub module: String,
    /// The version it starts from; the section leaves at `from + 1`.
    pub from: u64,
    /// What it does to the JSON, for reports and logs.
    pub description: String,
    /// The code.
    pub handler: GenesisMigrationHandler,
}

/// Collects every module's migrations; the module manager reads it.
#[derive(Clone, Debug, Default)]
pub struct Configurator {
    migrations: BTreeMap<(String, u64), Migration>,
    genesis_migrations: BTreeMap<(String, u64), GenesisMigration>,
}

impl Configurator {
    /// An empty registry.
    pub fn new() -> Self {
        Self::default()
    }

    /// Registers `handler` as the migration of `module` from `from` to `from + 1`.
    ///
    /// # Errors
    ///
    /// [`ConfigError::FromZero`] or [`ConfigError::Duplicate`].
    pub fn register_migration(
        &mut self,
        module: &str,
        from: u64,
        description: &str,
        handler: MigrationHandler,
    ) -> Result<(), ConfigError> {
        self.register(module, from, description, handler, None)
    }

    /// Registers a migration with a pre-check that captures what it needs
    /// from the old state and a post-check that verifies the new state
    /// against it. Dry runs (`upgrade plan`) always run them; a real
    /// upgrade runs them when the node asks for checked upgrades.
    ///
    /// # Errors
    ///
    /// [`ConfigError::FromZero`] or [`ConfigError::Duplicate`].
    pub fn register_checked_migration(
        &mut self,
        module: &str,
        from: u64,
        description: &str,
        handler: MigrationHandler,
        checks: MigrationChecks,
    ) -> Result<(), ConfigError> {
        self.register(module, from, description, handler, Some(checks))
    }

    fn register(
        &mut self,
        module: &str,
        from: u64,
        description: &str,
        handler: MigrationHandler,
        checks: Option<MigrationChecks>,
    ) -> Result<(), ConfigError> {
        if from == 0 {
            return Err(ConfigError::FromZero {
                module: module.to_owned(),
            });
        }
        let key = (module.to_owned(), from);
        if self.migrations.contains_key(&key) {
            return Err(ConfigError::Duplicate {
                module: module.to_owned(),
                from,
            });
        }
        self.migrations.insert(
            key,
            Migration {
                module: module.to_owned(),
                from,
                description: description.to_owned(),
                handler,
                checks,
            },
        );
        Ok(())
    }

    /// The migration of `module` from `from`, if registered.
    pub fn migration(&self, module: &str, from: u64) -> Option<&Migration> {
        self.migrations.get(&(module.to_owned(), from))
    }

    /// Every registered migration, ordered by module then version.
    pub fn migrations(&self) -> impl Iterator<Item = &Migration> {
        self.migrations.values()
    }

    /// Registers `handler` as the genesis JSON migration of `module` from
    /// `from` to `from + 1`: what `genesis migrate` does to the module's
    /// section where the store migration of the same step changes the
    /// store. Register it next to that store migration, in
    /// [`crate::Module::register_migrations`]; a step whose JSON shape does
    /// not change still registers one (returning the section as it is), so
    /// a forgotten step is an error rather than a silent pass.
    ///
    /// # Errors
    ///
    /// [`ConfigError::FromZero`] or [`ConfigError::DuplicateGenesisMigration`].
    pub fn register_genesis_migration(
        &mut self,
        module: &str,
        from: u64,
        description: &str,
        handler: GenesisMigrationHandler,
    ) -> Result<(), ConfigError> {
        if from == 0 {
            return Err(ConfigError::FromZero {
                module: module.to_owned(),
            });
        }
        let key = (module.to_owned(), from);
        if self.genesis_migrations.contains_key(&key) {
            return Err(ConfigError::DuplicateGenesisMigration {
                module: module.to_owned(),
                from,
            });
        }
        self.genesis_migrations.insert(
            key,
            GenesisMigration {
                module: module.to_owned(),
                from,
                description: description.to_owned(),
                handler,
            },
        );
        Ok(())
    }

    /// The genesis JSON migration of `module` from `from`, if registered.
    pub fn genesis_migration(&self, module: &str, from: u64) -> Option<&GenesisMigration> {
        self.genesis_migrations.get(&(module.to_owned(), from))
    }

    /// Every registered genesis JSON migration, ordered by module then
    /// version.
    pub fn genesis_migrations(&self) -> impl Iterator<Item = &GenesisMigration> {
        self.genesis_migrations.values()
    }
}
