//! The block executor: `init_chain`, `begin_block` (with the pre-block
//! upgrade check), transactions, `end_block` and `commit`.

mod base;
mod block;
mod chain;
mod error;
mod restore;
mod testnet;
mod tx_bytes;

use std::collections::BTreeSet;
use std::path::PathBuf;

pub use base::BlockBase;
pub use block::{Block, ledger_meta_key};
pub use chain::{InitOptions, InitReport};
pub use error::{AppError, VersionMismatch};

use crate::configurator::Configurator;
use crate::manager::ModuleManager;
use crate::store::{BatchReport, CommitInfo, Snapshot, Storage};
use crate::upgrade::{UpgradeRegistry, app_version, done_history};

/// Keys a block moves from layout v1 to v2 while a lazy migration runs,
/// unless the node sets otherwise.
pub const DEFAULT_MIGRATION_BATCH: u64 = 10_000;

/// Node settings that are not consensus state.
#[derive(Clone, Debug)]
pub struct AppConfig {
    /// Where `data/upgrade-info.json` is written when the node halts for an
    /// upgrade (`None`: not written, e.g. in memory).
    pub home: Option<PathBuf>,
    /// Heights whose scheduled upgrade this node skips (`--unsafe-skip-upgrades`).
    pub skip_heights: BTreeSet<u64>,
    /// The address allowed to schedule and cancel upgrades.
    pub authority: String,
    /// Keys moved from layout v1 to v2 per block during a lazy migration
    /// (0 pauses it). Node-local: the app hash does not depend on it.
    pub migration_batch: u64,
    /// Run every migration's pre- and post-check when applying an upgrade
    /// for real, refusing to commit if one fails.
    pub checked_upgrades: bool,
}

impl Default for AppConfig {
    fn default() -> Self {
        AppConfig {
            home: None,
            skip_heights: BTreeSet::new(),
            authority: String::new(),
            migration_batch: DEFAULT_MIGRATION_BATCH,
            checked_upgrades: false,
        }
    }
}

/// A running application: storage, modules, the upgrades it can apply.
pub struct App {
    storage: Storage,
    manager: ModuleManager,
    cfg: Configurator,
    upgrades: UpgradeRegistry,
    config: AppConfig,
}

impl App {
    /// Wires an application. On a chain that has applied upgrades, the
    /// binary must hold the handler of the last one (downgrade protection).
    ///
    /// # Errors
    ///
    /// [`AppError::MissingHandler`] for an older binary; a module that
    /// registers invalid migrations.
    pub fn new(
        storage: Storage,
        manager: ModuleManager,
        upgrades: UpgradeRegistry,
        config: AppConfig,
    ) -> Result<Self, AppError> {
        let cfg = manager.configurator()?;
        let app = App {
            storage,
            manager,
            cfg,
            upgrades,
            config,
        };
        if app.storage.last_commit().is_some() {
            let snapshot = app.storage.snapshot()?;
            if let Some(last) = done_history(&snapshot)?
                .into_iter()
                .max_by_key(|d| d.height)
            {
                if !app.upgrades.contains(&last.name) {
                    return Err(AppError::MissingHandler {
                        app_version: app_version(&snapshot)?,
                        name: last.name,
                    });
                }
            }
        }
        Ok(app)
    }

    /// The last commit, `None` before InitChain.
    pub fn last_commit(&self) -> Option<CommitInfo> {
        self.storage.last_commit()
    }

    /// A read view of the last commit.
    ///
    /// # Errors
    ///
    /// A backend failure.
    pub fn snapshot(&self) -> Result<Snapshot, AppError> {
        Ok(self.storage.snapshot()?)
    }

    /// Gives the storage back, e.g. to reopen the same state as another
    /// release (how tests and the testing harness "swap the binary").
    pub fn into_storage(self) -> Storage {
        self.storage
    }

    /// The storage.
    pub fn storage(&self) -> &Storage {
        &self.storage
    }

    /// Waits for a lazy-migration batch moving between blocks, if one is,
    /// and returns what it did (see [`Storage::settle_batch`]).
    ///
    /// # Errors
    ///
    /// The batch failed.
    pub fn settle_migration_batch(&mut self) -> Result<Option<BatchReport>, AppError> {
        Ok(self.storage.settle_batch()?)
    }

    /// The module manager.
    pub fn manager(&self) -> &ModuleManager {
        &self.manager
    }

    /// The migration registry built from the modules.
    pub fn configurator(&self) -> &Configurator {
        &self.cfg
    }

    /// The upgrades this binary can apply.
    pub fn upgrades(&self) -> &UpgradeRegistry {
        &self.upgrades
    }

    /// Turns checked upgrades on or off (see [`AppConfig::checked_upgrades`]).
    pub fn set_checked_upgrades(&mut self, checked: bool) {
        self.config.checked_upgrades = checked;
    }

    /// The node settings.
    pub fn config(&self) -> &AppConfig {
        &self.config
    }

    /// Answers a query at `path` with the JSON request `data` against the
    /// last commit: the first module that serves the path (`None` when none
    /// does).
    ///
    /// # Errors
    ///
    /// The module's error, or the state cannot be read.
    pub fn query(&self, path: &str, data: &[u8]) -> Option<Result<serde_json::Value, AppError>> {
        let mut scratch = crate::store::StateDelta::new(match self.storage.snapshot() {
            Ok(s) => s,
            Err(e) => return Some(Err(e.into())),
        });
        for module in self.manager.modules() {
            let ctx = match self.manager.context(module.name(), &mut scratch, 0) {
                Ok(ctx) => ctx,
                Err(e) => return Some(Err(e.into())),
            };
            if let Some(answer) = module.query(&ctx, path, data) {
                return Some(answer.map_err(|source| AppError::Query {
                    path: path.to_owned(),
                    source,
                }));
            }
        }
        None
    }

    /// The chain id recorded at InitChain.
    ///
    /// # Errors
    ///
    /// A backend failure.
    pub fn chain_id(&self) -> Result<String, AppError> {
        Ok(self
            .storage
            .node_meta(chain::CHAIN_ID_META)?
            .map(|b| String::from_utf8_lossy(&b).into_owned())
            .unwrap_or_default())
    }
}
