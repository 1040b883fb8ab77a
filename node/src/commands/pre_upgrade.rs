//! `pre-upgrade`: what cosmovisor runs with the new binary before starting
//! it (cosmos-sdk `tools/cosmovisor/process.go`, `exec.Command(bin,
//! "pre-upgrade")`), with ADR-047's exit codes: 0 the upgrade can go on,
//! 30 it failed and retrying is pointless, 31 it failed and may succeed if
//! retried. It checks, without writing anything, that this binary holds the
//! handler of the upgrade in `data/upgrade-info.json`, that its releases
//! pass the static check, and that the upgrade applies to the node's state
//! (a dry run, as `upgrade plan`).

use anyhow::Context;
use upgrade_runtime::upgrade::{Plan, dry_run};

use crate::chain::Chain;
use crate::cli::PreUpgradeArgs;

/// Exit code: failed, do not retry (ADR-047).
pub const FAILED: u8 = 30;
/// Exit code: failed, retry (ADR-047).
pub const RETRY: u8 = 31;

/// A pre-upgrade failure and the exit code cosmovisor acts on.
#[derive(Debug, thiserror::Error)]
#[error("pre-upgrade failed (exit {code}): {reason}")]
pub struct PreUpgradeFailed {
    /// 30 or 31.
    pub code: u8,
    /// Why.
    pub reason: String,
}

fn fail(code: u8, reason: impl std::fmt::Display) -> anyhow::Error {
    PreUpgradeFailed {
        code,
        reason: format!("{reason:#}"),
    }
    .into()
}

/// Runs the command.
pub fn run(chain: &Chain, args: PreUpgradeArgs) -> anyhow::Result<()> {
    let home = chain.home(&args.home);
    let path = home.upgrade_info_file();
    let text = std::fs::read(&path)
        .with_context(|| format!("cannot read {}", path.display()))
        .map_err(|e| fail(FAILED, e))?;
    let plan: Plan = serde_json::from_slice(&text)
        .with_context(|| format!("{} is not an upgrade-info.json", path.display()))
        .map_err(|e| fail(FAILED, e))?;
    let release = chain
        .resolve_release(args.release.as_deref())
        .map_err(|e| fail(FAILED, e))?;
    chain.check_releases().map_err(|e| fail(FAILED, e))?;
    let registry = chain
        .releases()
        .registry_up_to(release.name)
        .map_err(|e| fail(FAILED, e))?;
    let Some(upgrade) = registry.get(&plan.name) else {
        return Err(fail(
            FAILED,
            format!(
                "this binary (release {}) has no handler for upgrade {:?}; install the binary of that release",
                release.name, plan.name
            ),
        ));
    };
    // The state may still be held by the old binary shutting down: worth
    // a retry.
    let app = chain
        .open_read_only(&home, &release)
        .or_else(|_| chain.open_for_reading(&home))
        .map_err(|e| fail(RETRY, e))?;
    let snapshot = app.snapshot().map_err(|e| fail(RETRY, e))?;
    let manager = release.manager().map_err(|e| fail(FAILED, e))?;
    let cfg = manager.configurator().map_err(|e| fail(FAILED, e))?;
    let report = dry_run(
        &snapshot,
        app.storage().lattice(),
        &manager,
        &cfg,
        upgrade,
        &plan,
    )
    .with_context(|| {
        format!(
            "upgrade {:?} would fail at height {}",
            plan.name, plan.height
        )
    })
    .map_err(|e| fail(FAILED, e))?;
    println!(
        "pre-upgrade: {} can apply {} at height {} ({} migration steps; app hash after the upgrade block {})",
        release.name,
        plan.name,
        plan.height,
        report.applied.migrations.steps.len(),
        report.app_hash_after
    );
    Ok(())
}
