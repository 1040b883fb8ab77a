//! Errors of the block executor.

use crate::genesis::{GenesisExportError, GenesisFileError};
use crate::manager::ManagerError;
use crate::module::ModuleError;
use crate::store::StoreError;
use crate::upgrade::{Plan, UpgradeError};
use crate::version_map::VersionMap;

/// The state's module versions are not the binary's.
#[derive(Debug, thiserror::Error)]
#[error(
    "the state's module versions {state:?} differ from this binary's {binary:?} and no upgrade is due at height {height}; run the release that wrote this state"
)]
pub struct VersionMismatch {
    /// The stored version map.
    pub state: VersionMap,
    /// This binary's.
    pub binary: VersionMap,
    /// The block that was about to run.
    pub height: u64,
}

/// Why the application stopped or refused to go on.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum AppError {
    /// No InitChain yet.
    #[error("the chain has not been initialised: InitChain has not run")]
    NotInitialised,
    /// InitChain on a state that already has blocks.
    #[error(
        "the chain is already initialised (last committed height {height}); InitChain runs once per chain: start the chain instead, or initialise another chain on new storage"
    )]
    AlreadyInitialised {
        /// The last committed height.
        height: u64,
    },
    /// The binary lacks the handler of the plan due at this height.
    #[error("UPGRADE \"{}\" NEEDED at height: {}: {}", plan.name, plan.height, plan.info)]
    UpgradeNeeded {
        /// The plan.
        plan: Plan,
    },
    /// The binary holds the handler of a plan whose height has not come.
    #[error(
        "BINARY UPDATED BEFORE TRIGGER! UPGRADE \"{}\" - in binary but not executed on chain (scheduled at height {}). Downgrade your binary",
        plan.name, plan.height
    )]
    BinaryUpdatedBeforeTrigger {
        /// The plan.
        plan: Plan,
    },
    /// The binary lacks the handler of the last applied upgrade: it is older
    /// than the state.
    #[error(
        "wrong app version {app_version}, upgrade handler is missing for {name} upgrade plan: this binary is older than the chain's state; run release {name} or later"
    )]
    MissingHandler {
        /// The app version in state.
        app_version: u64,
        /// The last applied release.
        name: String,
    },
    /// The state's module versions are not this binary's and no upgrade is due.
    #[error(transparent)]
    VersionMismatch(Box<VersionMismatch>),
    /// Applying an upgrade failed; nothing was committed.
    #[error(transparent)]
    Upgrade(#[from] UpgradeError),
    /// A restored state whose app hash is not the trusted one.
    #[error(
        "the snapshot of height {height} restores a state with app hash {computed}, but the trusted app hash is {trusted}; the snapshot is refused and nothing was written"
    )]
    RestoreMismatch {
        /// The snapshot's height.
        height: u64,
        /// The app hash the light client trusts.
        trusted: String,
        /// The restored state's hash.
        computed: String,
    },
    /// A module failed to answer a query.
    #[error("query {path}: {source}")]
    Query {
        /// The path.
        path: String,
        /// Why.
        #[source]
        source: ModuleError,
    },
    /// A module's BeginBlock failed; the block was not committed.
    #[error("begin block of module {module:?} failed at height {height}: {source}")]
    BeginBlock {
        /// The module.
        module: String,
        /// The height.
        height: u64,
        /// Why.
        #[source]
        source: ModuleError,
    },
    /// A module's EndBlock failed; the block was not committed.
    #[error("end block of module {module:?} failed at height {height}: {source}")]
    EndBlock {
        /// The module.
        module: String,
        /// The height.
        height: u64,
        /// Why.
        #[source]
        source: ModuleError,
    },
    /// The genesis app hash does not match the state InitChain built.
    #[error(
        "genesis app_hash {expected} does not match the initialised state's app hash {computed}; the file's app_state is not the state its app_hash describes: use the file as exported, or clear app_hash"
    )]
    AppHashMismatch {
        /// From the genesis file.
        expected: String,
        /// Computed.
        computed: String,
    },
    /// The genesis `upgrade` section is malformed or disagrees with the binary.
    #[error("invalid genesis: app_state.upgrade: {0}")]
    UpgradeSection(String),
    /// Writing `upgrade-info.json` failed.
    #[error("cannot write {path}: {source}")]
    UpgradeInfo {
        /// The path.
        path: String,
        /// The OS error.
        #[source]
        source: std::io::Error,
    },
    /// A genesis file could not be read.
    #[error(transparent)]
    GenesisFile(#[from] GenesisFileError),
    /// A genesis export failed.
    #[error(transparent)]
    Export(#[from] GenesisExportError),
    /// A module manager error.
    #[error(transparent)]
    Manager(#[from] ManagerError),
    /// A store error.
    #[error(transparent)]
    Store(#[from] StoreError),
}
