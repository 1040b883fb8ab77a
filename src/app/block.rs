//! One block, in the phases of a Cosmos block (baseapp `internalFinalizeBlock`):
//! pre-block (the upgrade check, which may apply an upgrade), BeginBlock
//! hooks, transactions, EndBlock hooks, commit. Each hook phase runs the
//! modules in registration order; all of it writes into one delta.

use super::{App, AppError, BlockBase, VersionMismatch};
use crate::manager::CODE_UNKNOWN_MSG;
use std::time::Instant;

use crate::store::{CommitInfo, CommitOptions, StateDelta};
use crate::tx::{Tx, TxOutcome};
use crate::upgrade::{
    AppliedUpgrade, LedgerEntry, PreBlock, apply_upgrade_with, clear_plan, handle_upgrade_msg,
    is_upgrade_msg, keys_touched, pending_plan, pre_block, write_upgrade_info,
};
use crate::version_map::VersionMap;

/// Node metadata key of the node-local part of the ledger entry of the
/// upgrade applied at `height` (keys touched, seconds taken).
pub fn ledger_meta_key(height: u64) -> String {
    format!("ledger:{height}")
}

/// A block being executed: every write sits in one delta over the last
/// commit (or, after an upgrade, over the write session the upgrade streamed
/// into), so an error anywhere before [`App::commit`] leaves the committed
/// state untouched.
pub struct Block {
    pub(super) height: u64,
    pub(super) delta: StateDelta<BlockBase>,
    pub(super) applied_upgrade: Option<AppliedUpgrade>,
    pub(super) outcomes: Vec<TxOutcome>,
    pub(super) node_meta: Vec<(String, Vec<u8>)>,
}

impl Block {
    /// The block's height.
    pub fn height(&self) -> u64 {
        self.height
    }

    /// The upgrade applied at the start of this block, if any.
    pub fn applied_upgrade(&self) -> Option<&AppliedUpgrade> {
        self.applied_upgrade.as_ref()
    }

    /// Outcomes of the delivered transactions, in order.
    pub fn outcomes(&self) -> &[TxOutcome] {
        &self.outcomes
    }

    /// Records a node-local metadata entry (outside the app hash) to commit
    /// atomically with the block, e.g. how far the node's mempool was
    /// included.
    pub fn set_node_meta(&mut self, key: impl Into<String>, value: Vec<u8>) {
        self.node_meta.push((key.into(), value));
    }

    /// The block's pending state.
    pub fn state(&self) -> &StateDelta<BlockBase> {
        &self.delta
    }
}

impl App {
    /// Starts the next block: the pre-block upgrade check, then every
    /// module's BeginBlock.
    ///
    /// # Errors
    ///
    /// As [`App::pre_block`], and [`AppError::BeginBlock`].
    pub fn begin_block(&mut self) -> Result<Block, AppError> {
        let mut block = self.pre_block()?;
        self.run_begin_blockers(&mut block)?;
        Ok(block)
    }

    /// Starts the next block and runs only the pre-block upgrade check
    /// (skip, apply, or halt): the state right after an upgrade, before any
    /// hook, which is what both upgrade paths must agree on. Follow with
    /// [`App::run_begin_blockers`].
    ///
    /// # Errors
    ///
    /// [`AppError::UpgradeNeeded`] (after writing `upgrade-info.json`),
    /// [`AppError::BinaryUpdatedBeforeTrigger`], a failed upgrade, or
    /// [`AppError::VersionMismatch`].
    pub fn pre_block(&mut self) -> Result<Block, AppError> {
        let last = self.storage.last_commit().ok_or(AppError::NotInitialised)?;
        let height = last.height + 1;
        let mut delta = StateDelta::new(BlockBase::Committed(self.storage.snapshot()?));
        let mut applied_upgrade = None;
        let mut node_meta = Vec::new();
        match pre_block(
            pending_plan(&delta)?,
            height,
            &self.upgrades,
            &self.config.skip_heights,
        ) {
            PreBlock::Continue => {}
            PreBlock::Skip(plan) => {
                tracing::warn!(
                    "UPGRADE \"{}\" SKIPPED at {}: {}",
                    plan.name,
                    height,
                    plan.info
                );
                clear_plan(&mut delta);
            }
            PreBlock::Apply(plan) => {
                let upgrade = self
                    .upgrades
                    .get(&plan.name)
                    .ok_or_else(|| AppError::UpgradeNeeded { plan: plan.clone() })?;
                tracing::info!(name = %plan.name, height, "applying upgrade");
                let started = Instant::now();
                // The upgrade streams into the block's write transaction, so
                // its writes are bounded by a buffer, not by the state.
                // A failed upgrade fails the block, whose session is then
                // dropped whole: no scope needs undoing in place, and full
                // buffers are written on a second thread.
                let mut session = self.storage.begin_session_writing_behind()?;
                let applied = apply_upgrade_with(
                    &mut session,
                    &self.manager,
                    &self.cfg,
                    upgrade,
                    &plan,
                    height,
                    self.config.checked_upgrades,
                )?;
                let touched = keys_touched(session.writes_per_store());
                LedgerEntry::new(&applied).store(&mut session);
                // Node-local, committed with the block: what only this node
                // saw. The hashes around the upgrade are the stored hashes of
                // heights `height - 1` and `height`.
                let local = serde_json::json!({
                    "keys_touched": touched,
                    "seconds": started.elapsed().as_secs_f64(),
                });
                node_meta.push((ledger_meta_key(height), local.to_string().into_bytes()));
                delta = StateDelta::new(BlockBase::Writing(Box::new(session)));
                applied_upgrade = Some(applied);
            }
            PreBlock::Needed(plan) => {
                if let Some(home) = &self.config.home {
                    let path = home.join("data").join("upgrade-info.json");
                    write_upgrade_info(&path, &plan).map_err(|source| AppError::UpgradeInfo {
                        path: path.display().to_string(),
                        source,
                    })?;
                }
                tracing::error!(
                    "UPGRADE \"{}\" NEEDED at height: {}: {}",
                    plan.name,
                    plan.height,
                    plan.info
                );
                return Err(AppError::UpgradeNeeded { plan });
            }
            PreBlock::UpdatedEarly(plan) => {
                return Err(AppError::BinaryUpdatedBeforeTrigger { plan });
            }
        }
        let state_versions = VersionMap::load(&delta)?;
        let binary_versions = self.manager.version_map();
        if state_versions != binary_versions {
            return Err(AppError::VersionMismatch(Box::new(VersionMismatch {
                state: state_versions,
                binary: binary_versions,
                height,
            })));
        }
        Ok(Block {
            height,
            delta,
            applied_upgrade,
            outcomes: Vec::new(),
            node_meta,
        })
    }

    /// Checks a transaction against the last committed state, as CheckTx
    /// does: it runs exactly as in the next block would (ante checks,
    /// messages) in a delta that is thrown away, so nothing is written.
    ///
    /// # Errors
    ///
    /// The chain is not initialised, or the state cannot be read.
    pub fn check_tx(&self, tx: &Tx) -> Result<TxOutcome, AppError> {
        let mut scratch = self.scratch_block()?;
        Ok(self.deliver_tx(&mut scratch, tx))
    }

    /// A block over the last commit that is never committed: where CheckTx
    /// runs.
    pub(crate) fn scratch_block(&self) -> Result<Block, AppError> {
        let last = self.storage.last_commit().ok_or(AppError::NotInitialised)?;
        Ok(Block {
            height: last.height + 1,
            delta: StateDelta::new(BlockBase::Committed(self.storage.snapshot()?)),
            applied_upgrade: None,
            outcomes: Vec::new(),
            node_meta: Vec::new(),
        })
    }

    /// Delivers a transaction. A rejected transaction leaves no writes and
    /// is reported in its outcome; it does not fail the block.
    pub fn deliver_tx(&self, block: &mut Block, tx: &Tx) -> TxOutcome {
        self.deliver(block, tx, true)
    }

    /// Delivers `tx`, running the modules' ante hooks first when `ante`
    /// (an authenticated transaction had them run with its authentication).
    pub(super) fn deliver(&self, block: &mut Block, tx: &Tx, ante: bool) -> TxOutcome {
        let upgrade_msgs = tx
            .msgs
            .iter()
            .filter(|m| is_upgrade_msg(&m.type_url))
            .count();
        let outcome = if upgrade_msgs == 0 && ante {
            self.manager.deliver_tx(&mut block.delta, tx, block.height)
        } else if upgrade_msgs == 0 {
            self.manager
                .deliver_msgs(&mut block.delta, tx, block.height)
        } else if upgrade_msgs != tx.msgs.len() {
            TxOutcome {
                code: CODE_UNKNOWN_MSG,
                log: "upgrade messages cannot be mixed with other messages in one transaction"
                    .into(),
            }
        } else {
            let mut delta = StateDelta::new(&mut block.delta);
            let result = tx.msgs.iter().try_for_each(|msg| {
                handle_upgrade_msg(
                    &mut delta,
                    msg,
                    &tx.signer,
                    // Spelt under the chain's prefix when used: InitChain
                    // over ABCI may set the prefix after the app opened.
                    &crate::address_prefix::respell(&self.config.authority),
                    block.height,
                )
            });
            match result {
                Ok(()) => {
                    delta.apply();
                    TxOutcome {
                        code: 0,
                        log: String::new(),
                    }
                }
                Err(e) => TxOutcome {
                    code: crate::manager::CODE_REJECTED,
                    log: e.to_string(),
                },
            }
        };
        block.outcomes.push(outcome.clone());
        outcome
    }

    /// Runs every module's BeginBlock, in registration order.
    ///
    /// # Errors
    ///
    /// [`AppError::BeginBlock`]: the block must not be committed.
    pub fn run_begin_blockers(&self, block: &mut Block) -> Result<(), AppError> {
        self.manager
            .begin_block(&mut block.delta, block.height)
            .map_err(|(module, source)| AppError::BeginBlock {
                module,
                height: block.height,
                source,
            })
    }

    /// Runs every module's EndBlock, in registration order.
    ///
    /// # Errors
    ///
    /// [`AppError::EndBlock`]: the block must not be committed.
    pub fn end_block(&self, block: &mut Block) -> Result<(), AppError> {
        self.manager
            .end_block(&mut block.delta, block.height)
            .map_err(|(module, source)| AppError::EndBlock {
                module,
                height: block.height,
                source,
            })
    }

    /// Commits the block: all its writes, its height and the new app hash in
    /// one backend transaction.
    ///
    /// # Errors
    ///
    /// A backend failure; nothing is committed then.
    pub fn commit(&mut self, block: Block) -> Result<CommitInfo, AppError> {
        let (base, changes) = block.delta.into_parts();
        let start_migration = block
            .applied_upgrade
            .as_ref()
            .is_some_and(|u| u.store_migration_started);
        let options = CommitOptions {
            node_meta: &block.node_meta,
            start_migration,
            migration_batch: self.config.migration_batch,
        };
        let info = match base {
            BlockBase::Committed(_) => self.storage.commit(block.height, changes, &options)?,
            BlockBase::Writing(session) => {
                self.storage
                    .commit_session(block.height, *session, changes, &options)?
            }
        };
        tracing::debug!(height = info.height, app_hash = %info.app_hash, "committed");
        Ok(info)
    }

    /// Runs a whole block of `txs`: begin, deliver each, end, commit.
    ///
    /// # Errors
    ///
    /// As [`App::begin_block`], [`App::end_block`] and [`App::commit`].
    pub fn execute_block(&mut self, txs: &[Tx]) -> Result<(CommitInfo, Vec<TxOutcome>), AppError> {
        let mut block = self.begin_block()?;
        for tx in txs {
            self.deliver_tx(&mut block, tx);
        }
        self.end_block(&mut block)?;
        let outcomes = block.outcomes.clone();
        let info = self.commit(block)?;
        Ok((info, outcomes))
    }
}
