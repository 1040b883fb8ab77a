//! Errors of the store layer.

use std::path::PathBuf;

/// Everything that can go wrong reading or writing state.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum StoreError {
    /// A store name that is empty, too long or contains a byte that would make
    /// the physical key encoding ambiguous.
    #[error("invalid store name {name:?}: {reason}")]
    InvalidStoreName {
        /// The rejected name.
        name: String,
        /// Why it was rejected.
        reason: &'static str,
    },
    /// A module tried to open a store reserved for the runtime.
    #[error(
        "module {module:?} cannot access the reserved store {store:?}: it belongs to the runtime"
    )]
    ReservedStore {
        /// The module that asked.
        module: String,
        /// The reserved store it named.
        store: String,
    },
    /// A module tried to read a store it did not declare as a dependency.
    #[error(
        "module {module:?} cannot read store {store:?}: it is not among its declared dependencies {declared:?}; add it to `Module::dependencies`"
    )]
    UndeclaredDependency {
        /// The module that asked.
        module: String,
        /// The store it named.
        store: String,
        /// What the module declared.
        declared: Vec<String>,
    },
    /// The on-disk state file could not be opened or is damaged.
    #[error("state file {path} cannot be opened: {reason}")]
    StateFile {
        /// Path of the state file.
        path: PathBuf,
        /// What is wrong, in words an operator can act on.
        reason: String,
    },
    /// Another process holds the state file open (redb locks it for as long
    /// as a process has it open; the lock dies with the process).
    #[error(
        "state file {path} cannot be opened: it is in use by another process (is a node already running on this home?)"
    )]
    InUse {
        /// Path of the state file.
        path: PathBuf,
    },
    /// Node-local metadata holds a value the runtime cannot decode.
    #[error("corrupt {what} in the state file: {reason}")]
    Corrupt {
        /// Which record is corrupt.
        what: String,
        /// How it is malformed.
        reason: String,
    },
    /// An error reported by the embedded database.
    #[error("while {action}: {message}")]
    Backend {
        /// What the runtime was doing.
        action: &'static str,
        /// The database's own message.
        message: String,
    },
}

impl StoreError {
    /// Wraps a backend error with what the runtime was doing at the time.
    pub(crate) fn backend(action: &'static str, err: impl std::fmt::Display) -> Self {
        StoreError::Backend {
            action,
            message: err.to_string(),
        }
    }
}
