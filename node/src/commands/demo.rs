//! `demo`: the whole life of a chain on the embedded store, in one
//! command — the README's main job.
//!
//! Genesis as v1.0.0, blocks, schedule v2.0.0, the v1.0.0 binary halts with
//! UPGRADE NEEDED, the v2.0.0 binary applies it in place and goes on, then
//! the same again for every later release, and finally a genesis export.

use std::path::PathBuf;
use std::time::Instant;

use anyhow::{Context, bail};
use upgrade_runtime::VersionMap;
use upgrade_runtime::app::AppError;
use upgrade_runtime::upgrade::Plan;

use sha2::{Digest, Sha256};

use crate::chain::Chain;
use crate::cli::{DemoArgs, HomeArg, InitArgs};
use crate::commands::{init, upgrade};
use crate::keys::Keyring;
use crate::node::NodeSettings;
use crate::runner::{RunOptions, RunSummary, run_blocks};

/// The keyring name of the demo's upgrade authority.
const AUTHORITY_KEY: &str = "authority";

/// Blocks run before each upgrade is scheduled, and between scheduling and its height.
const BLOCKS_BEFORE_SCHEDULE: u64 = 3;
const BLOCKS_UNTIL_UPGRADE: u64 = 5;
/// Blocks run after the last upgrade when no lazy migration is running.
const BLOCKS_AFTER: u64 = 5;

/// Runs the command.
pub fn run(chain: &Chain, args: DemoArgs) -> anyhow::Result<()> {
    let _tmp;
    let root: PathBuf = match &args.home {
        Some(h) => h.clone(),
        None => {
            let dir = tempfile::tempdir().context("cannot create a temporary home")?;
            let path = dir.path().join(format!("{}-demo", chain.name()));
            _tmp = dir;
            path
        }
    };
    let home_arg = HomeArg {
        home: Some(root.display().to_string()),
    };
    let home = chain.home(&home_arg);
    let releases = chain.releases().names();
    let Some(first) = releases.first().copied() else {
        bail!("{} has no release to run", chain.name());
    };
    let started = Instant::now();
    println!(
        "== {} demo in {} ({} accounts, releases {})",
        chain.name(),
        root.display(),
        args.accounts,
        releases.join(" -> ")
    );

    let t = Instant::now();
    // The demo's upgrade authority: a key of the home's test keyring,
    // derived from the seed so every demo run is the same chain.
    let secret = Sha256::digest(format!("{}-demo-authority-{}", chain.name(), args.seed));
    Keyring::test(home.root()).add(AUTHORITY_KEY, Some(&hex::encode(secret)))?;
    init::run(
        chain,
        InitArgs {
            home: home_arg.clone(),
            genesis: None,
            chain_id: "upgrade-demo-1".into(),
            accounts: args.accounts,
            seed: args.seed,
            release: Some(first.into()),
            authority: Some(AUTHORITY_KEY.into()),
            // An account signs only once it exists.
            fund: vec![format!("{AUTHORITY_KEY}=1000000stake")],
            drop_unknown_sections: false,
            address_prefix: None,
        },
    )?;
    println!("   init: {:.2}s", t.elapsed().as_secs_f64());

    let options = |target_height| RunOptions {
        target_height,
        txs_per_block: args.txs_per_block,
        seed: args.seed,
    };
    let open_with_batch = |release: &str, migration_batch| {
        let settings = NodeSettings {
            migration_batch,
            batches_between_blocks: true,
            ..NodeSettings::default()
        };
        chain.open_app(&home, &chain.resolve_release(Some(release))?, &settings)
    };
    let open = |release: &str| open_with_batch(release, args.migration_batch);
    for pair in releases.windows(2) {
        let (old, new) = (pair[0], pair[1]);
        // Run the old release, schedule the new one, run into the halt.
        let mut app = open(old)?;
        let height = app.last_commit().map_or(0, |c| c.height);
        let (s, r) = run_blocks(
            chain,
            &mut app,
            &home,
            &options(height + BLOCKS_BEFORE_SCHEDULE),
        );
        r?;
        print_run(old, &s);
        let upgrade_height = s.height + BLOCKS_UNTIL_UPGRADE;
        drop(app);
        let plan = Plan {
            name: new.to_owned(),
            height: upgrade_height,
            info: format!("demo upgrade to {new}"),
        };
        upgrade::submit_schedule(chain, &home, AUTHORITY_KEY, &plan)?;
        let mut app = open(old)?;
        let before = VersionMap::load(&app.snapshot()?)?;
        let (s, r) = run_blocks(chain, &mut app, &home, &options(u64::MAX));
        print_run(old, &s);
        match r.map_err(|e| e.downcast::<AppError>()) {
            Err(Ok(AppError::UpgradeNeeded { plan })) => {
                println!(
                    "   {old} halted: UPGRADE \"{}\" NEEDED at height: {}",
                    plan.name, plan.height
                );
                let info = std::fs::read_to_string(home.upgrade_info_file()).unwrap_or_default();
                println!("   {}: {info}", home.upgrade_info_file().display());
            }
            Err(Ok(other)) => return Err(other.into()),
            Err(Err(other)) => return Err(other),
            Ok(()) => bail!("{old} did not halt at the {new} upgrade height"),
        }
        drop(app);
        // Restart as the new release: the upgrade is applied in place.
        let mut app = open(new)?;
        let (s, r) = run_blocks(
            chain,
            &mut app,
            &home,
            &options(upgrade_height + BLOCKS_AFTER - 1),
        );
        r?;
        let after = VersionMap::load(&app.snapshot()?)?;
        println!("   {new} applied the upgrade in place at height {upgrade_height}");
        println!("     version map before: {before:?}");
        println!("     version map after:  {after:?}");
        for u in &s.upgrades {
            for step in &u.migrations.steps {
                println!("     {}: {:?}", step.module, step.action);
            }
            println!(
                "     store upgrades: {} keys renamed, {} keys deleted",
                u.store_upgrades.keys_renamed, u.store_upgrades.keys_deleted
            );
        }
        print_run(new, &s);
    }

    // Let a running lazy migration finish.
    let newest = releases.last().copied().unwrap_or(first);
    let mut app = open_with_batch(newest, args.migration_batch.max(1))?;
    while matches!(
        app.storage().layout_state(),
        upgrade_runtime::store::LayoutState::Migrating(_)
    ) {
        let height = app.last_commit().map_or(0, |c| c.height);
        let (_, r) = run_blocks(chain, &mut app, &home, &options(height + 10));
        r?;
    }
    let counters = app.storage().migration_counters();
    if counters.completed_height > 0 {
        println!(
            "   lazy store migration: {} keys moved to layout v2 in {} blocks (heights {}..={}, batch {})",
            counters.moved,
            counters.completed_height - counters.started_height + 1,
            counters.started_height,
            counters.completed_height,
            args.migration_batch,
        );
    }
    let export = home.root().join("exported-genesis.json");
    let t = Instant::now();
    let genesis = app.export_genesis()?;
    std::fs::write(&export, serde_json::to_vec_pretty(&genesis)?)
        .with_context(|| format!("cannot write {}", export.display()))?;
    let last = app.last_commit().ok_or(AppError::NotInitialised)?;
    println!(
        "   exported height {} to {} in {:.2}s",
        last.height,
        export.display(),
        t.elapsed().as_secs_f64()
    );
    println!(
        "== done in {:.1}s: height {}, store layout {:?}, app hash {}",
        started.elapsed().as_secs_f64(),
        last.height,
        app.storage().layout(),
        last.app_hash
    );
    Ok(())
}

fn print_run(release: &str, s: &RunSummary) {
    if s.blocks > 0 {
        println!(
            "   {release}: blocks {}..={} ({} txs ok, {} rejected) in {:.2}s, app hash {}",
            s.from_height + 1,
            s.height,
            s.txs_ok,
            s.txs_failed,
            s.seconds,
            s.app_hash
        );
    }
}
