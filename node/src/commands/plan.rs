//! `upgrade plan NAME`: what an upgrade will do to this node's state,
//! found by running it in a delta that is thrown away. Writes nothing.

use std::time::Instant;

use anyhow::{Context, bail};
use serde_json::json;
use upgrade_runtime::VersionMap;
use upgrade_runtime::manager::StepAction;
use upgrade_runtime::upgrade::{Plan, dry_run, pending_plan};

use crate::chain::Chain;
use crate::cli::OutputFormat;
use crate::home::Home;

/// Runs the command.
pub fn run(chain: &Chain, home: &Home, name: &str, output: OutputFormat) -> anyhow::Result<()> {
    let release = chain.resolve_release(Some(name))?;
    let Some(upgrade_fn) = release.upgrade else {
        bail!("release {name} is the genesis release: there is no upgrade to plan");
    };
    let upgrade = upgrade_fn();
    let app = chain.open_read_only(home, &release)?;
    let last = app
        .last_commit()
        .context("the chain was never initialised")?;
    let snapshot = app.snapshot()?;
    let stored = VersionMap::load(&snapshot)?;
    if let Some(previous) = chain.releases().previous(name) {
        let expected = previous.manager()?.version_map();
        if stored != expected {
            bail!(
                "the state is at module versions {stored:?}, but {name} upgrades from {} ({expected:?}); plan the releases in order",
                previous.name
            );
        }
    }
    let plan = match pending_plan(&snapshot)? {
        Some(p) if p.name == name => p,
        _ => Plan {
            name: name.to_owned(),
            height: last.height + 1,
            info: String::new(),
        },
    };
    let started = Instant::now();
    let report = dry_run(
        &snapshot,
        app.storage().lattice(),
        app.manager(),
        app.configurator(),
        &upgrade,
        &plan,
    )
    .with_context(|| format!("the upgrade {name} would fail at height {}", plan.height))?;
    let seconds = started.elapsed().as_secs_f64();
    match output {
        OutputFormat::Json => println!(
            "{}",
            serde_json::to_string_pretty(&json!({
                "plan": plan,
                "against_height": last.height,
                "store_upgrades": upgrade.store_upgrades,
                "steps": report.applied.migrations.steps,
                "from_versions": report.applied.from_versions,
                "to_versions": report.applied.to_versions,
                "lazy_store_migration": report.applied.store_migration_started,
                "stores": report.stores,
                "app_hash_before": report.app_hash_before.to_hex(),
                "app_hash_after_upgrade": report.app_hash_after_upgrade.to_hex(),
                "app_hash_after": report.app_hash_after.to_hex(),
                "seconds": seconds,
            }))?
        ),
        OutputFormat::Text => {
            println!(
                "upgrade {name} at height {} (dry run against height {}; nothing written)",
                plan.height, last.height
            );
            let su = &upgrade.store_upgrades;
            println!(
                "1. store upgrades: added {:?}, renamed {:?}, deleted {:?}",
                su.added,
                su.renamed
                    .iter()
                    .map(|r| format!("{}->{}", r.old_key, r.new_key))
                    .collect::<Vec<_>>(),
                su.deleted
            );
            println!("2. modules, in migration order:");
            for step in &report.applied.migrations.steps {
                match &step.action {
                    StepAction::Unchanged { version } => {
                        println!("   {}: unchanged at {version}", step.module)
                    }
                    StepAction::InitGenesis { version } => {
                        println!("   {}: new, InitGenesis at {version}", step.module)
                    }
                    StepAction::Migrated {
                        from,
                        to,
                        description,
                    } => println!("   {}: {from} -> {to}: {description}", step.module),
                }
            }
            println!(
                "3. lazy store migration v1 -> v2: {}",
                if report.applied.store_migration_started {
                    "starts in the upgrade's commit"
                } else {
                    "no"
                }
            );
            println!("keys per store (added / changed / deleted):");
            for (store, d) in &report.stores {
                println!("   {store}: {} / {} / {}", d.added, d.changed, d.deleted);
            }
            println!("app hash before: {}", report.app_hash_before);
            println!(
                "app hash after the upgrade, before the block's hooks: {}",
                report.app_hash_after_upgrade
            );
            println!(
                "app hash after:  {} (the whole upgrade block: upgrade, BeginBlock, EndBlock; no transactions)",
                report.app_hash_after
            );
            println!("dry run took {seconds:.3}s");
        }
    }
    Ok(())
}
