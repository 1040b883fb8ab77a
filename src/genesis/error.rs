//! Errors of genesis export and genesis migration.

use crate::manager::ManagerError;
use crate::module::ModuleError;
use crate::version_map::VersionMap;

/// Writing a genesis export failed.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum GenesisExportError {
    /// `--modules-to-export` named a module the binary does not have.
    #[error("cannot export module {name:?}: no such module in this binary (modules: {modules})")]
    UnknownModule {
        /// The name given.
        name: String,
        /// The modules there are, comma-separated.
        modules: String,
    },
    /// A module could not export its state.
    #[error("while exporting module {module:?}: {source}")]
    Module {
        /// The module.
        module: String,
        /// Its error.
        #[source]
        source: ModuleError,
    },
    /// The module manager failed (a module without a binding).
    #[error(transparent)]
    Manager(#[from] ManagerError),
    /// Reading the runtime's `upgrade` section from state failed.
    #[error("while exporting the upgrade section: {0}")]
    UpgradeSection(#[source] crate::store::StoreError),
    /// The output could not be written.
    #[error("cannot write the genesis document")]
    Write(#[source] std::io::Error),
}

/// `genesis migrate` could not bring a document to the target versions.
/// Nothing is written when it fails.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum GenesisMigrateError {
    /// A module rename whose old name the file does not have (or whose new
    /// name it already has).
    #[error(
        "release {release} renames module {old:?} to {new:?}, but the file has no {old:?} section with a recorded version, or already has {new:?}"
    )]
    InvalidModuleRename {
        /// The release.
        release: String,
        /// The old module name.
        old: String,
        /// The new module name.
        new: String,
    },
    /// The target's modules register invalid migrations.
    #[error("the target release's modules register invalid migrations: {0}")]
    Registration(#[source] ManagerError),
    /// The `upgrade` section of the file is malformed.
    #[error(
        "invalid genesis: {}: {message}",
        crate::module::join_path("app_state.upgrade", path)
    )]
    UpgradeSection {
        /// Path inside the section.
        path: String,
        /// What is wrong.
        message: String,
    },
    /// The versions given to migrate from are not the ones the file records.
    #[error(
        "the file records module versions {recorded:?} but the migration was asked to start from {given:?}; drop the versions you gave, or fix the file's app_state.upgrade.module_versions"
    )]
    RecordedVersionsDiffer {
        /// What `app_state.upgrade.module_versions` says.
        recorded: Box<VersionMap>,
        /// What the caller passed.
        given: Box<VersionMap>,
    },
    /// Version 0 in the versions to migrate from.
    #[error("module {module:?} has version 0 in the file; consensus versions start at 1")]
    ZeroVersion {
        /// The module.
        module: String,
    },
    /// The file is newer than the target.
    #[error(
        "module {module:?} is at version {file_version} in the file but at version {target_version} in the target release: genesis migrations only go forward; pick a target release at least as new as the file"
    )]
    Downgrade {
        /// The module.
        module: String,
        /// Its version in the file.
        file_version: u64,
        /// Its version in the target.
        target_version: u64,
    },
    /// A version step with no registered genesis JSON migration.
    #[error(
        "no genesis JSON migration registered for module {module:?} from version {from} to version {to} (the file has version {file_version}, the target release version {target_version}); register it with `Configurator::register_genesis_migration` in the module's `register_migrations`, next to the store migration of the same step"
    )]
    MissingMigration {
        /// The module.
        module: String,
        /// Start of the missing step.
        from: u64,
        /// End of the missing step.
        to: u64,
        /// The module's version in the file.
        file_version: u64,
        /// The module's version in the target.
        target_version: u64,
    },
    /// A genesis JSON migration failed.
    #[error(
        "while migrating the genesis section of module {module:?} from version {from} to version {to}: {source}"
    )]
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
    /// A module of the file that the target does not have and that no
    /// release in between deletes.
    #[error(
        "module {module:?} (version {version} in the file) is not in the target release, and no release in between deletes its store"
    )]
    NotInTarget {
        /// The module.
        module: String,
        /// Its version in the file.
        version: u64,
    },
    /// A module with a recorded version but no section.
    #[error(
        "invalid genesis: app_state.{module}: missing section (the file records version {version} for it)"
    )]
    MissingSection {
        /// The module.
        module: String,
        /// Its recorded version.
        version: u64,
    },
    /// A section whose module has no recorded version.
    #[error(
        "invalid genesis: app_state.{module}: the file has this section but records no version for module {module:?}, so there is no telling which migrations it needs"
    )]
    SectionWithoutVersion {
        /// The module.
        module: String,
    },
    /// A release to migrate across is already in the file's done history.
    #[error(
        "invalid genesis: app_state.upgrade.done: release {release} is already recorded as applied (at height {height}), yet the file's module versions are from before it"
    )]
    AlreadyDone {
        /// The release.
        release: String,
        /// Where the file says it was applied.
        height: u64,
    },
    /// The migrated document does not validate against the target: a
    /// genesis migration produced a section its module refuses.
    #[error(
        "the migrated document fails the target release's validation at {path}: {message}; the genesis migrations of that module produce a section its own version refuses (a bug in the module)"
    )]
    InvalidResult {
        /// Full JSON path.
        path: String,
        /// What is wrong.
        message: String,
    },
}
