//! v3.0.0: bank 2 -> 3 builds the denom -> owner index (Cosmos' `x/bank` v3
//! migration, behind the `DenomOwners` query), and the node starts moving
//! its data from store layout v1 to v2 lazily, a batch per block.

use app_modules::auth::Auth;
use app_modules::bank::Bank;
use app_modules::feegrant::FeeGrant;
use upgrade_runtime::VersionMap;
use upgrade_runtime::upgrade::{Plan, StoreUpgrades, Upgrade, UpgradeContext, UpgradeError};

use upgrade_runtime::Release;

/// The release.
pub fn release() -> Release {
    Release::upgrade(
        "v3.0.0",
        || {
            vec![
                Box::new(Auth::new(2)),
                Box::new(Bank::new(3)),
                Box::new(FeeGrant::new()),
            ]
        },
        upgrade,
    )
}

fn upgrade() -> Upgrade {
    Upgrade {
        name: "v3.0.0".into(),
        // No store is added, renamed or deleted: bank's new index lives in
        // bank's own store.
        store_upgrades: StoreUpgrades::default(),
        handler,
    }
}

/// The handler, as an application developer writes one, in two steps:
///
/// 1. `run_migrations`: the module migrations, inside the upgrade block.
///    Only bank changes version (2 -> 3, building its index from every
///    balance); auth and feegrant stay where they are. This is consensus
///    state: it commits atomically with the upgrade block, or not at all.
/// 2. `start_store_migration`: the lazy move of every key from store layout
///    v1 to v2 starts in the upgrade's commit and then runs a batch per
///    block until layout v1 is drained. It changes where this node keeps
///    its bytes, not the state, so the app hash does not depend on it (a
///    node already on v2 does nothing).
fn handler(
    ctx: &mut UpgradeContext<'_>,
    plan: &Plan,
    from_vm: VersionMap,
) -> Result<VersionMap, UpgradeError> {
    tracing::info!(name = %plan.name, height = ctx.height(), "running the v3.0.0 upgrade handler");
    let to_vm = ctx.run_migrations(from_vm)?;
    ctx.start_store_migration();
    Ok(to_vm)
}
