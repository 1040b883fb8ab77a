//! What an upgrade test can fail with: a missing input, a step of the
//! chain's life, or a disagreement of the two upgrade paths.

use crate::app::AppError;
use crate::genesis::{GenesisFileError, GenesisMigrateError};
use crate::store::StoreError;

use super::BuildError;

/// Why an upgrade test could not run, or its cross-check failed.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum HarnessError {
    /// A required input was not given.
    #[error("the upgrade test needs {what}: call `.{call}` before `.run()`")]
    Missing {
        /// What is missing.
        what: &'static str,
        /// The builder method that gives it.
        call: &'static str,
    },
    /// The application's build function failed.
    #[error("cannot build the application as release {release}: {source}")]
    Build {
        /// The release.
        release: String,
        /// Its error.
        #[source]
        source: BuildError,
    },
    /// The genesis file could not be read.
    #[error(transparent)]
    GenesisFile(#[from] GenesisFileError),
    /// The genesis given as `app_state` is not a JSON object.
    #[error("the app_state given to the upgrade test must be a JSON object of sections")]
    AppStateNotAnObject,
    /// A step of the chain's life failed.
    #[error("while {step}: {source}")]
    App {
        /// What the harness was doing.
        step: String,
        /// The error.
        #[source]
        source: Box<AppError>,
    },
    /// The schedule transaction was rejected.
    #[error("the transaction scheduling {release} was rejected: {log}")]
    Schedule {
        /// The release.
        release: String,
        /// The rejection.
        log: String,
    },
    /// The start release did not halt at the plan's height.
    #[error(
        "release {start} did not halt at height {height} for {target}: {found}; build each release with only its own and earlier upgrade handlers"
    )]
    NoHalt {
        /// The start release.
        start: String,
        /// The target release.
        target: String,
        /// The plan height.
        height: u64,
        /// What happened instead.
        found: String,
    },
    /// The target release's first block applied no upgrade.
    #[error(
        "release {target} applied no upgrade at height {height}: does its binary register the {target} handler?"
    )]
    NotApplied {
        /// The target release.
        target: String,
        /// The height.
        height: u64,
    },
    /// `genesis migrate` failed on the export at the halt.
    #[error("genesis migrate of the export at the halt failed: {0}")]
    Migrate(#[source] Box<GenesisMigrateError>),
    /// The two paths disagree on the exported state.
    #[error(
        "export(upgrade in place) and genesis migrate(export) differ at {difference}; the module's genesis JSON migrations and store migrations disagree"
    )]
    CrossCheck {
        /// The first difference: JSON path, then both values.
        difference: String,
    },
    /// The two paths disagree on the app hash.
    #[error(
        "app hashes differ: upgraded in place {in_place}, the in-place export imported {in_place_imported}, the migrated export imported {migrated_imported}; state that genesis does not carry (an index, a stamp) differs between migrating the store and InitGenesis"
    )]
    HashMismatch {
        /// The node that upgraded in place.
        in_place: String,
        /// A fresh node initialised from its export.
        in_place_imported: String,
        /// A fresh node initialised from the migrated export.
        migrated_imported: String,
    },
    /// A storage failure.
    #[error(transparent)]
    Store(#[from] StoreError),
}
