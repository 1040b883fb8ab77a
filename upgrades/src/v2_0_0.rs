//! v2.0.0: bank 1 -> 2 re-keys every balance to a binary key, auth 1 -> 2
//! re-keys accounts and adds an account-number index, feegrant is added and
//! crisis is removed.

use app_modules::auth::Auth;
use app_modules::bank::Bank;
use app_modules::feegrant::FeeGrant;
use upgrade_runtime::VersionMap;
use upgrade_runtime::upgrade::{Plan, StoreUpgrades, Upgrade, UpgradeContext, UpgradeError};

use upgrade_runtime::Release;

/// The release.
pub fn release() -> Release {
    Release::upgrade(
        "v2.0.0",
        || {
            vec![
                Box::new(Auth::new(2)),
                Box::new(Bank::new(2)),
                Box::new(FeeGrant::new()),
            ]
        },
        upgrade,
    )
}

fn upgrade() -> Upgrade {
    Upgrade {
        name: "v2.0.0".into(),
        store_upgrades: StoreUpgrades {
            added: vec!["feegrant".into()],
            deleted: vec!["crisis".into()],
            ..StoreUpgrades::default()
        },
        handler,
    }
}

/// The handler, as an application developer writes one: whatever the
/// release needs, then `run_migrations`.
fn handler(
    ctx: &mut UpgradeContext<'_>,
    plan: &Plan,
    from_vm: VersionMap,
) -> Result<VersionMap, UpgradeError> {
    tracing::info!(name = %plan.name, height = ctx.height(), "running the v2.0.0 upgrade handler");
    ctx.run_migrations(from_vm)
}
