//! Errors of the upgrade keeper.

use crate::manager::ManagerError;
use crate::store::StoreError;

/// What scheduling, checking or applying an upgrade can fail with.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum UpgradeError {
    /// A plan with an empty name.
    #[error("upgrade plan name cannot be empty")]
    EmptyName,
    /// A plan name that is not a semver release.
    #[error("upgrade plan name {name:?} is not a semver release such as v2.0.0: {reason}")]
    NotSemver {
        /// The name.
        name: String,
        /// Why it does not parse.
        reason: String,
    },
    /// A plan at height 0.
    #[error("upgrade height must be greater than 0")]
    ZeroHeight,
    /// A plan below the current height.
    #[error(
        "upgrade cannot be scheduled in the past: height {height} is not after the block being executed ({current}); schedule it for height {} or later",
        current + 1
    )]
    InThePast {
        /// The plan's height.
        height: u64,
        /// The block being executed.
        current: u64,
    },
    /// A plan for a release already applied.
    #[error(
        "upgrade with name {name:?} has already been completed at height {done_at}; schedule a newer release"
    )]
    AlreadyDone {
        /// The name.
        name: String,
        /// When it was applied.
        done_at: u64,
    },
    /// A release not newer than the last applied one.
    #[error(
        "upgrade {name:?} is not newer than the last applied upgrade {last:?}; schedule a release newer than {last}"
    )]
    NotNewer {
        /// The name.
        name: String,
        /// The last applied release.
        last: String,
    },
    /// A module's BeginBlock or EndBlock failed in a dry run.
    #[error("block hook of module {module:?} failed at height {height}: {source}")]
    Hook {
        /// The module.
        module: String,
        /// The height.
        height: u64,
        /// Why.
        #[source]
        source: Box<crate::module::ModuleError>,
    },
    /// A module rename whose old name is not in the stored version map, or
    /// whose new name already is.
    #[error(
        "upgrade {upgrade:?} renames module {old:?} to {new:?}, but the stored version map does not have {old:?} or already has {new:?}"
    )]
    InvalidModuleRename {
        /// The upgrade.
        upgrade: String,
        /// The old module name.
        old: String,
        /// The new module name.
        new: String,
    },
    /// A scheduler who is not the authority.
    #[error(
        "signer {signer} is not the upgrade authority (expected {authority}); only the authority can schedule or cancel upgrades"
    )]
    Unauthorized {
        /// Who signed.
        signer: String,
        /// Who may.
        authority: String,
    },
    /// A message that is not a well-formed upgrade message.
    #[error("malformed upgrade message: {0}")]
    MalformedMsg(String),
    /// Two handlers for one release.
    #[error("an upgrade handler for {name:?} is already registered")]
    DuplicateHandler {
        /// The release.
        name: String,
    },
    /// A new module whose store the release does not add.
    #[error(
        "module {module:?} is new in upgrade {upgrade:?} but its store {store:?} is not in the release's store upgrades; new stores must be added with `StoreUpgrades::added`"
    )]
    StoreNotAdded {
        /// The release.
        upgrade: String,
        /// The module.
        module: String,
        /// Its store.
        store: String,
    },
    /// A store upgrade names a reserved or invalid store.
    #[error("upgrade {upgrade:?}: store upgrades cannot {action} store {store:?}: {reason}")]
    InvalidStoreUpgrade {
        /// The release.
        upgrade: String,
        /// `add`, `rename` or `delete`.
        action: &'static str,
        /// The store.
        store: String,
        /// Why.
        reason: String,
    },
    /// The handler (or a migration it ran) failed.
    #[error("upgrade handler {upgrade:?} failed at height {height}: {source}")]
    HandlerFailed {
        /// The release.
        upgrade: String,
        /// The height.
        height: u64,
        /// Why.
        #[source]
        source: Box<UpgradeError>,
    },
    /// A module manager error inside a handler.
    #[error(transparent)]
    Manager(#[from] ManagerError),
    /// A store failure.
    #[error(transparent)]
    Store(#[from] StoreError),
    /// A handler's own failure.
    #[error("{0}")]
    Custom(String),
}
