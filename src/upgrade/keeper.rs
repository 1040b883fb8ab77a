//! The upgrade keeper: scheduling plans and applying releases atomically.

use std::collections::BTreeSet;

use serde::Serialize;

use super::plan::{
    app_version, clear_plan, done_height, done_history, record_done, set_app_version, set_plan,
};
use super::{Plan, StoreUpgradeReport, Upgrade, UpgradeContext, UpgradeError, UpgradeRegistry};
use crate::configurator::Configurator;
use crate::manager::{MigrationReport, ModuleManager};
use crate::store::{Scope, StateRead, StateWrite, is_reserved, validate_store_name};
use crate::version_map::VersionMap;

/// Parses a release name (`v2.0.0` or `2.0.0`) as semver.
///
/// # Errors
///
/// [`UpgradeError::EmptyName`] or [`UpgradeError::NotSemver`].
pub fn release_version(name: &str) -> Result<semver::Version, UpgradeError> {
    if name.is_empty() {
        return Err(UpgradeError::EmptyName);
    }
    semver::Version::parse(name.strip_prefix('v').unwrap_or(name)).map_err(|e| {
        UpgradeError::NotSemver {
            name: name.to_owned(),
            reason: e.to_string(),
        }
    })
}

/// Checks `plan` the way Cosmos' `ScheduleUpgrade` does, and stricter: the
/// name must be semver and newer than the last applied release.
///
/// # Errors
///
/// The first rule broken.
pub fn validate_plan<S: StateRead + ?Sized>(
    state: &S,
    plan: &Plan,
    current_height: u64,
) -> Result<(), UpgradeError> {
    let version = release_version(&plan.name)?;
    if plan.height == 0 {
        return Err(UpgradeError::ZeroHeight);
    }
    if plan.height <= current_height {
        return Err(UpgradeError::InThePast {
            height: plan.height,
            current: current_height,
        });
    }
    if let Some(done_at) = done_height(state, &plan.name)? {
        return Err(UpgradeError::AlreadyDone {
            name: plan.name.clone(),
            done_at,
        });
    }
    if let Some(last) = done_history(state)?.last() {
        if let Ok(last_version) = release_version(&last.name) {
            if version <= last_version {
                return Err(UpgradeError::NotNewer {
                    name: plan.name.clone(),
                    last: last.name.clone(),
                });
            }
        }
    }
    Ok(())
}

/// Validates and stores `plan`, replacing any pending plan (as Cosmos does).
///
/// # Errors
///
/// As [`validate_plan`].
pub fn schedule<S: StateWrite + ?Sized>(
    state: &mut S,
    plan: &Plan,
    current_height: u64,
) -> Result<(), UpgradeError> {
    validate_plan(state, plan, current_height)?;
    if let Some(old) = super::pending_plan(state)? {
        tracing::info!(old = %old.name, old_height = old.height, new = %plan.name, "replacing the pending upgrade plan");
    }
    set_plan(state, plan);
    tracing::debug!(name = %plan.name, height = plan.height, "upgrade scheduled");
    Ok(())
}

/// What applying an upgrade did.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct AppliedUpgrade {
    /// The release.
    pub name: String,
    /// The height it was applied at.
    pub height: u64,
    /// The version map before.
    pub from_versions: VersionMap,
    /// The version map after.
    pub to_versions: VersionMap,
    /// The app version after.
    pub app_version: u64,
    /// Migrations and InitGenesis calls, in order.
    pub migrations: MigrationReport,
    /// Keys moved and removed by store upgrades.
    pub store_upgrades: StoreUpgradeReport,
    /// Whether the handler started the lazy store migration.
    pub store_migration_started: bool,
}

/// Applies `upgrade` for `plan` into `state`: store upgrades, the handler
/// (with its migrations and new modules' InitGenesis), the new version map,
/// app version + 1, the done record and clearing the plan. Everything goes
/// through one delta, applied only if all of it succeeds.
///
/// # Errors
///
/// [`UpgradeError::HandlerFailed`] wrapping the cause; `state` is untouched.
pub fn apply_upgrade(
    state: &mut dyn StateWrite,
    manager: &ModuleManager,
    cfg: &Configurator,
    upgrade: &Upgrade,
    plan: &Plan,
    height: u64,
) -> Result<AppliedUpgrade, UpgradeError> {
    apply_upgrade_with(state, manager, cfg, upgrade, plan, height, false)
}

/// [`apply_upgrade`], also running every migration's pre- and post-check
/// when `checked` (nothing is applied if one fails).
///
/// # Errors
///
/// As [`apply_upgrade`].
pub fn apply_upgrade_with(
    state: &mut dyn StateWrite,
    manager: &ModuleManager,
    cfg: &Configurator,
    upgrade: &Upgrade,
    plan: &Plan,
    height: u64,
    checked: bool,
) -> Result<AppliedUpgrade, UpgradeError> {
    let mut scope = Scope::open(state)?;
    let applied = run_upgrade(&mut scope, manager, cfg, upgrade, plan, height, checked).map_err(
        |source| UpgradeError::HandlerFailed {
            upgrade: plan.name.clone(),
            height,
            source: Box::new(source),
        },
    )?;
    scope.apply()?;
    Ok(applied)
}

fn run_upgrade(
    state: &mut dyn StateWrite,
    manager: &ModuleManager,
    cfg: &Configurator,
    upgrade: &Upgrade,
    plan: &Plan,
    height: u64,
    checked: bool,
) -> Result<AppliedUpgrade, UpgradeError> {
    check_store_upgrades(upgrade)?;
    let from_versions = VersionMap::load(&*state)?;
    let store_report = upgrade.store_upgrades.apply(&mut *state)?;
    let mut from_vm = from_versions.clone();
    upgrade
        .store_upgrades
        .rename_modules(&mut from_vm)
        .map_err(|(old, new)| UpgradeError::InvalidModuleRename {
            upgrade: upgrade.name.clone(),
            old,
            new,
        })?;
    // As Cosmos' RunMigrations: a module the release no longer has leaves
    // the version map (the static check makes sure its store goes too).
    let dropped: Vec<String> = from_vm
        .iter()
        .filter(|(name, _)| manager.module(name).is_none())
        .map(|(name, _)| name.to_owned())
        .collect();
    for name in dropped {
        tracing::info!(module = %name, "module removed by the release leaves the version map");
        from_vm.remove(&name);
    }
    let added: BTreeSet<&str> = upgrade
        .store_upgrades
        .added
        .iter()
        .map(String::as_str)
        .collect();
    for module in manager.modules() {
        if !from_vm.contains(module.name()) && !added.contains(module.store_name()) {
            return Err(UpgradeError::StoreNotAdded {
                upgrade: upgrade.name.clone(),
                module: module.name().to_owned(),
                store: module.store_name().to_owned(),
            });
        }
    }
    let mut ctx = UpgradeContext {
        state: &mut *state,
        manager,
        cfg,
        height,
        report: MigrationReport::default(),
        start_store_migration: false,
        checked,
    };
    let to_versions = (upgrade.handler)(&mut ctx, plan, from_vm)?;
    let migrations = std::mem::take(&mut ctx.report);
    let store_migration_started = ctx.start_store_migration;
    to_versions.store(&mut *state)?;
    let version = app_version(&*state)? + 1;
    set_app_version(&mut *state, version);
    record_done(&mut *state, &plan.name, height);
    clear_plan(&mut *state);
    tracing::info!(name = %plan.name, height, app_version = version, "upgrade applied");
    Ok(AppliedUpgrade {
        name: plan.name.clone(),
        height,
        from_versions,
        to_versions,
        app_version: version,
        migrations,
        store_upgrades: store_report,
        store_migration_started,
    })
}

/// Refuses store upgrades that name the runtime's reserved stores (deleting
/// `upgrade` would erase the done history and with it downgrade protection)
/// or invalid store names.
fn check_store_upgrades(upgrade: &Upgrade) -> Result<(), UpgradeError> {
    let su = &upgrade.store_upgrades;
    let named = su
        .added
        .iter()
        .map(|s| ("add", s))
        .chain(
            su.renamed
                .iter()
                .flat_map(|r| [("rename", &r.old_key), ("rename", &r.new_key)]),
        )
        .chain(su.deleted.iter().map(|s| ("delete", s)));
    for (action, store) in named {
        let reason = if is_reserved(store) {
            Some("it is reserved for the runtime".to_owned())
        } else {
            validate_store_name(store).err().map(|e| e.to_string())
        };
        if let Some(reason) = reason {
            return Err(UpgradeError::InvalidStoreUpgrade {
                upgrade: upgrade.name.clone(),
                action,
                store: store.clone(),
                reason,
            });
        }
    }
    Ok(())
}

/// What the pre-block check decides for the block at `height`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum PreBlock {
    /// Nothing to do.
    Continue,
    /// The plan's height is a skip height: clear the plan and go on.
    Skip(Plan),
    /// Apply the plan's upgrade in this block.
    Apply(Plan),
    /// The binary lacks the handler: halt with `UPGRADE NEEDED`.
    Needed(Plan),
    /// The binary already holds the handler of a future plan: refuse.
    UpdatedEarly(Plan),
}

/// The Cosmos `PreBlocker` decision.
pub fn pre_block(
    plan: Option<Plan>,
    height: u64,
    registry: &UpgradeRegistry,
    skip_heights: &BTreeSet<u64>,
) -> PreBlock {
    let Some(plan) = plan else {
        return PreBlock::Continue;
    };
    // A plan whose height has passed is due too (Cosmos `ShouldExecute`):
    // scheduling refuses such plans, but a due plan must never be ignored.
    if plan.height <= height {
        if skip_heights.contains(&height) {
            PreBlock::Skip(plan)
        } else if registry.contains(&plan.name) {
            PreBlock::Apply(plan)
        } else {
            PreBlock::Needed(plan)
        }
    } else if plan.height > height && registry.contains(&plan.name) {
        PreBlock::UpdatedEarly(plan)
    } else {
        PreBlock::Continue
    }
}
