//! Opening a node: the release the binary acts as, its modules and
//! upgrade handlers, over the home's state file.

use std::collections::BTreeSet;

use anyhow::{Context, bail};
use app_upgrades::{Release, registry_up_to, release, release_names};
use upgrade_runtime::VersionMap;
use upgrade_runtime::app::{App, AppConfig};
use upgrade_runtime::store::{Layout, Storage};

use crate::home::Home;

/// The upgrade authority: the address of the `gov` module account, as on
/// Cosmos chains (first 20 bytes of SHA-256 of "gov", bech32 `cosmos`).
pub const AUTHORITY: &str = "cosmos10d07y265gmmuvt4z0w9aw880jnsr700j6zn9kn";

/// The release called `name`, or the newest.
pub fn resolve_release(name: Option<&str>) -> anyhow::Result<Release> {
    let name: String = name.map_or_else(|| app_upgrades::newest().to_owned(), str::to_owned);
    match release(&name) {
        Some(r) => Ok(r),
        None => bail!(
            "unknown release {name:?}: this binary knows {}",
            release_names().join(", ")
        ),
    }
}

/// The static check of every release this binary knows; an error lists
/// every problem, naming release, module and missing step.
pub fn check_releases() -> anyhow::Result<()> {
    let problems = app_upgrades::check_release_chain(&app_upgrades::releases());
    if problems.is_empty() {
        return Ok(());
    }
    let list: Vec<String> = problems.iter().map(|p| format!("  - {p}")).collect();
    bail!(
        "this binary's releases fail the upgrade check, so it refuses to start (it would halt the chain at an upgrade height):\n{}",
        list.join("\n")
    )
}

/// Opens the home's state as `release`, with the node settings given.
pub fn open_app(
    home: &Home,
    release: &Release,
    skip_heights: &[u64],
    migration_batch: u64,
) -> anyhow::Result<App> {
    home.require_initialised()?;
    let storage = Storage::open(&home.state_file())?;
    wire(home, storage, release, skip_heights, migration_batch)
}

/// Creates the home's state file (layout v1) and wires `release` over it,
/// ready for InitChain.
pub fn create_app(home: &Home, release: &Release) -> anyhow::Result<App> {
    let storage = Storage::create(&home.state_file(), Layout::V1)?;
    wire(
        home,
        storage,
        release,
        &[],
        upgrade_runtime::app::DEFAULT_MIGRATION_BATCH,
    )
}

/// [`open_app`] for a node that runs every migration's pre- and
/// post-check when it applies an upgrade (`start --checked-upgrades`).
pub fn open_checked_app(
    home: &Home,
    release: &Release,
    skip_heights: &[u64],
    migration_batch: u64,
) -> anyhow::Result<App> {
    home.require_initialised()?;
    let storage = Storage::open(&home.state_file())?;
    let mut app = wire(home, storage, release, skip_heights, migration_batch)?;
    app.set_checked_upgrades(true);
    Ok(app)
}

/// Opens the home's state read-only as `release`: the state file stays
/// byte-identical and nothing can be committed.
pub fn open_read_only(home: &Home, release: &Release) -> anyhow::Result<App> {
    home.require_initialised()?;
    let storage = Storage::open_read_only(&home.state_file())?;
    wire(home, storage, release, &[], 0)
}

fn wire(
    home: &Home,
    storage: Storage,
    release: &Release,
    skip_heights: &[u64],
    migration_batch: u64,
) -> anyhow::Result<App> {
    let manager = release.manager()?;
    let upgrades = registry_up_to(release.name)?;
    let config = AppConfig {
        home: Some(home.root().to_owned()),
        skip_heights: skip_heights.iter().copied().collect::<BTreeSet<_>>(),
        authority: AUTHORITY.to_owned(),
        migration_batch,
        checked_upgrades: false,
    };
    App::new(storage, manager, upgrades, config)
        .with_context(|| format!("cannot open the node as release {}", release.name))
}

/// Opens the home read-only, as the release whose module versions match the
/// state (so read-only commands work whatever release wrote it).
pub fn open_for_reading(home: &Home) -> anyhow::Result<App> {
    home.require_initialised()?;
    let storage = Storage::open_read_only(&home.state_file())?;
    let stored = VersionMap::load(&storage.snapshot()?)?;
    let matching = app_upgrades::releases().into_iter().rev().find(|r| {
        r.manager()
            .map(|m| m.version_map() == stored)
            .unwrap_or(false)
    });
    match matching {
        Some(release) => wire(home, storage, &release, &[], 0),
        None => bail!(
            "the state in {} has module versions {stored:?}, which no release of this binary ({}) has",
            home.state_file().display(),
            release_names().join(", ")
        ),
    }
}
