//! Dry runs: apply an upgrade to the committed state in a delta that is
//! thrown away, and report what it would change.

use std::collections::BTreeMap;

use serde::Serialize;

use super::{AppliedUpgrade, LedgerEntry, Plan, Upgrade, UpgradeError, apply_upgrade_with};
use crate::commitment::{AppHash, LatticeHash};
use crate::configurator::Configurator;
use crate::manager::ModuleManager;
use crate::store::{StateDelta, StateRead};

/// Keys an upgrade block would add, change and delete in one store.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize)]
pub struct StoreDiff {
    /// Keys that did not exist.
    pub added: u64,
    /// Keys whose value changes.
    pub changed: u64,
    /// Keys removed.
    pub deleted: u64,
}

/// What an upgrade would do to the committed state.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct DryRun {
    /// The steps, in order, as the real upgrade would run them.
    pub applied: AppliedUpgrade,
    /// Per store, what changes.
    pub stores: BTreeMap<String, StoreDiff>,
    /// The app hash of the committed state.
    pub app_hash_before: AppHash,
    /// The app hash of the state right after the upgrade, before the
    /// block's hooks.
    pub app_hash_after_upgrade: AppHash,
    /// The app hash the whole upgrade block would have with no
    /// transactions: the upgrade, then every module's BeginBlock and
    /// EndBlock. Transactions in the block, and a lazy-migration batch
    /// (which never changes the hash), are what it leaves out.
    pub app_hash_after: AppHash,
}

/// Runs `upgrade` for `plan` over `committed` (whose running lattice is
/// `lattice`) at the plan's height, in a delta that is dropped. Nothing is
/// written anywhere.
///
/// # Errors
///
/// What the real upgrade would fail with, or a failed read.
pub fn dry_run<S: StateRead>(
    committed: &S,
    lattice: &LatticeHash,
    manager: &ModuleManager,
    cfg: &Configurator,
    upgrade: &Upgrade,
    plan: &Plan,
) -> Result<DryRun, UpgradeError> {
    let mut delta = StateDelta::new(committed);
    // Dry runs always run the migrations' pre- and post-checks.
    let applied = apply_upgrade_with(&mut delta, manager, cfg, upgrade, plan, plan.height, true)?;
    // The block that applies it records the ledger entry too.
    LedgerEntry::new(&applied).store(&mut delta);
    let app_hash_after_upgrade = lattice.with_changes(committed, delta.changes())?.app_hash();
    // Then the rest of an empty block: every module's BeginBlock and
    // EndBlock, as the real block runs them.
    let hook = |(module, source)| UpgradeError::Hook {
        module,
        height: plan.height,
        source: Box::new(source),
    };
    manager.begin_block(&mut delta, plan.height).map_err(hook)?;
    manager.end_block(&mut delta, plan.height).map_err(hook)?;
    // One read of each changed key's committed value serves both the
    // counts and the final hash.
    let mut after = lattice.clone();
    let mut stores: BTreeMap<String, StoreDiff> = BTreeMap::new();
    for (store, writes) in delta.changes().stores() {
        let diff = stores.entry(store.to_owned()).or_default();
        for (key, new) in writes {
            let old = committed.get(store, key)?;
            match (&old, new) {
                (None, Some(_)) => diff.added += 1,
                (Some(o), Some(n)) if o != n => diff.changed += 1,
                (Some(_), None) => diff.deleted += 1,
                _ => {}
            }
            after.update(store, key, old.as_deref(), new.as_deref());
        }
    }
    stores.retain(|_, d| d.added + d.changed + d.deleted > 0);
    Ok(DryRun {
        applied,
        stores,
        app_hash_before: lattice.app_hash(),
        app_hash_after_upgrade,
        app_hash_after: after.app_hash(),
    })
}
