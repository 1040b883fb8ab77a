//! Helpers shared by the release tests: a node acting as a release, the
//! authority's schedule transaction, bank totals, snapshot settings.
#![allow(dead_code)]

use std::collections::BTreeMap;

use app_modules::bank::query::balance_count_and_sums;
use app_upgrades::release;
use serde_json::json;
use upgrade_runtime::app::{App, AppConfig};
use upgrade_runtime::store::{StateDelta, Storage};
use upgrade_runtime::testing::{Binary, BuildError, insta_settings};
use upgrade_runtime::upgrade::MSG_SOFTWARE_UPGRADE;
use upgrade_runtime::{ModuleManager, Msg, Tx};

/// The upgrade authority (the `gov` module address).
pub const AUTHORITY: &str = "cosmos10d07y265gmmuvt4z0w9aw880jnsr700j6zn9kn";

/// Node settings with the authority set and everything else default.
pub fn config() -> AppConfig {
    AppConfig {
        authority: AUTHORITY.into(),
        ..AppConfig::default()
    }
}

/// `manager` over `storage` with the upgrade handlers up to `registry_of`.
pub fn node_with(
    storage: Storage,
    manager: ModuleManager,
    registry_of: &str,
    config: AppConfig,
) -> App {
    App::new(
        storage,
        manager,
        app_upgrades::releases()
            .registry_up_to(registry_of)
            .expect("registry"),
        config,
    )
    .expect("app")
}

/// The node acting as release `name`.
pub fn node(storage: Storage, name: &str, config: AppConfig) -> App {
    let manager = release(name)
        .expect("known release")
        .manager()
        .expect("manager");
    node_with(storage, manager, name, config)
}

/// The authority's transaction scheduling `name` at `height`.
pub fn schedule(name: &str, height: u64) -> Tx {
    let msg: Msg = serde_json::from_value(json!({
        "@type": MSG_SOFTWARE_UPGRADE,
        "authority": AUTHORITY,
        "plan": {"name": name, "height": height, "info": "test"},
    }))
    .expect("msg");
    Tx {
        signer: AUTHORITY.into(),
        msgs: vec![msg],
    }
}

/// Number of balances and per-denom sums of the committed state.
pub fn bank_totals(app: &App) -> (u64, BTreeMap<String, u128>) {
    let mut scratch = StateDelta::new(app.snapshot().expect("snapshot"));
    let ctx = app
        .manager()
        .context("bank", &mut scratch, 0)
        .expect("bank");
    balance_count_and_sums(&ctx.own()).expect("sums")
}

/// Insta settings writing under `snapshots/<folder>/`.
pub fn settings(folder: &str) -> insta::Settings {
    insta_settings(format!(
        "{}/../snapshots/{folder}",
        env!("CARGO_MANIFEST_DIR")
    ))
}

/// The application as release `name`, for the testing harness.
pub fn build(name: &str) -> Result<Binary, BuildError> {
    let binary = app_upgrades::releases().binary(name);
    Ok(binary.ok_or_else(|| format!("unknown release {name}"))??)
}
