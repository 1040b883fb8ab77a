//! Errors of the module manager.

use crate::configurator::ConfigError;
use crate::module::ModuleError;
use crate::store::StoreError;

/// What the module manager can fail with. Each message names the module and
/// versions involved and, where there is one, the fix.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum ManagerError {
    /// Two modules share a name.
    #[error("module {name:?} is registered twice")]
    DuplicateModule {
        /// The name.
        name: String,
    },
    /// A module named like a runtime section.
    #[error(
        "module name {name:?} is reserved for the runtime (its store and genesis section); rename the module"
    )]
    ReservedModuleName {
        /// The name.
        name: String,
    },
    /// Two modules share a store.
    #[error("modules {first:?} and {second:?} both use store {store:?}")]
    DuplicateStore {
        /// The store.
        store: String,
        /// The module registered first.
        first: String,
        /// The module registered second.
        second: String,
    },
    /// A module's store name is not acceptable.
    #[error("module {module:?}: {source}")]
    InvalidStore {
        /// The module.
        module: String,
        /// Why.
        #[source]
        source: StoreError,
    },
    /// A declared dependency is not registered.
    #[error("module {module:?} depends on {dependency:?}, which is not registered")]
    UnknownDependency {
        /// The module.
        module: String,
        /// The missing dependency.
        dependency: String,
    },
    /// `set_order_migrations` did not name every module exactly once.
    #[error(
        "set_order_migrations must name every registered module exactly once: missing {missing:?}, duplicated {duplicated:?}, unknown {unknown:?}"
    )]
    OrderMigrations {
        /// Registered modules not named.
        missing: Vec<String>,
        /// Names given more than once.
        duplicated: Vec<String>,
        /// Names that are not registered.
        unknown: Vec<String>,
    },
    /// A module name that is not registered in this binary.
    #[error("module {name:?} is not registered in this binary")]
    UnknownModule {
        /// The name.
        name: String,
    },
    /// A version gap without a registered migration.
    #[error(
        "no migration registered for module {module:?} from version {from} to version {to} (state has version {state_version}, this binary has version {binary_version}); register it in the module's `register_migrations`"
    )]
    MissingMigration {
        /// The module.
        module: String,
        /// Start of the missing step.
        from: u64,
        /// End of the missing step.
        to: u64,
        /// The module's version in the stored version map.
        state_version: u64,
        /// The module's version in this binary.
        binary_version: u64,
    },
    /// The state is newer than the binary.
    #[error(
        "module {module:?} is at version {from} in state but at version {to} in this binary: downgrades are not supported; run a binary with version {from} or later"
    )]
    Downgrade {
        /// The module.
        module: String,
        /// Version in state.
        from: u64,
        /// Version in the binary.
        to: u64,
    },
    /// Version 0 appears in a version map.
    #[error("module {module:?} has version 0 in the version map; consensus versions start at 1")]
    ZeroVersion {
        /// The module.
        module: String,
    },
    /// The stored map names a module the binary lacks.
    #[error(
        "module {module:?} (version {version}) is in the version map but not registered in this binary; delete its store with a store upgrade or register the module"
    )]
    NotRegistered {
        /// The module.
        module: String,
        /// Its stored version.
        version: u64,
    },
    /// A migration handler failed.
    #[error("while migrating module {module:?} from version {from} to version {to}: {source}")]
    MigrationFailed {
        /// The module.
        module: String,
        /// Step start.
        from: u64,
        /// Step end.
        to: u64,
        /// The handler's error.
        #[source]
        source: ModuleError,
    },
    /// A migration's pre- or post-check failed.
    #[error("{phase}-check of module {module:?} migration {from} -> {to} failed: {source}")]
    CheckFailed {
        /// The module.
        module: String,
        /// Step start.
        from: u64,
        /// Step end.
        to: u64,
        /// `pre` or `post`.
        phase: &'static str,
        /// What the check found.
        #[source]
        source: Box<ModuleError>,
    },
    /// A module's InitGenesis failed.
    #[error("while initialising module {module:?} from genesis: {source}")]
    InitGenesis {
        /// The module.
        module: String,
        /// Its error.
        #[source]
        source: ModuleError,
    },
    /// A module's ExportGenesis failed.
    #[error("while exporting module {module:?}: {source}")]
    ExportGenesis {
        /// The module.
        module: String,
        /// Its error.
        #[source]
        source: ModuleError,
    },
    /// A genesis file has sections no module of this binary has.
    #[error(
        "invalid genesis: app_state: unknown sections {}: no module of this binary has them (modules: {}); drop them to import the rest",
        sections.join(", "),
        modules.join(", ")
    )]
    UnknownSections {
        /// The unknown sections, in file order.
        sections: Vec<String>,
        /// The binary's modules.
        modules: Vec<String>,
    },
    /// A genesis section failed validation.
    #[error("invalid genesis: {path}: {message}")]
    InvalidGenesis {
        /// Full JSON path, from `app_state`.
        path: String,
        /// What is wrong.
        message: String,
    },
    /// Several genesis sections or elements failed validation: the first
    /// [`crate::Problems::LIMIT`], each with its path from `app_state`.
    #[error("invalid genesis, {0}")]
    InvalidGenesisProblems(crate::Problems),
    /// A registration error from a module's `register_migrations`.
    #[error(transparent)]
    Config(#[from] ConfigError),
    /// A store failure.
    #[error(transparent)]
    Store(#[from] StoreError),
}
