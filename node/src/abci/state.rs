//! The application behind the four ABCI connections: one block executor
//! (the same [`App`] the standalone loop drives) behind a lock, and the
//! block FinalizeBlock executed, held until Commit persists it.

use std::sync::{Arc, Mutex, MutexGuard};

use upgrade_runtime::AppHash;
use upgrade_runtime::app::{App, Block};

use crate::chain::Extensions;

use super::snapshots::Snapshots;

/// A block FinalizeBlock executed and Commit has not persisted yet.
pub struct Pending {
    /// Its height.
    pub height: u64,
    /// Its writes.
    pub block: Block,
    /// The app hash FinalizeBlock answered.
    pub app_hash: AppHash,
}

/// What the lock guards.
pub struct NodeState {
    /// The block executor over the node's state.
    pub app: App,
    /// The block between FinalizeBlock and Commit.
    pub pending: Option<Pending>,
    /// State-sync snapshots: taken, served and restored.
    pub snapshots: Snapshots,
}

/// The ABCI application: shared by every connection thread.
pub struct AbciNode {
    state: Mutex<NodeState>,
    /// The chain's query extensions.
    pub extensions: Arc<dyn Extensions>,
    /// The release this binary acts as (`Info.version`).
    pub release: String,
    /// The chain binary's name (`Info.data`).
    pub name: String,
}

impl AbciNode {
    /// Serves `app`.
    pub fn new(
        app: App,
        snapshots: Snapshots,
        extensions: Arc<dyn Extensions>,
        release: &str,
        name: &str,
    ) -> Self {
        AbciNode {
            state: Mutex::new(NodeState {
                app,
                pending: None,
                snapshots,
            }),
            extensions,
            release: release.to_owned(),
            name: name.to_owned(),
        }
    }

    /// The state, locked. A thread that panicked while holding it left no
    /// half-applied write (every write is a delta until Commit), so the
    /// lock is taken over rather than poisoning the node.
    pub fn lock(&self) -> MutexGuard<'_, NodeState> {
        self.state.lock().unwrap_or_else(|e| e.into_inner())
    }
}
