//! `start`: run blocks of synthetic transactions, applying or halting
//! for upgrades as the pre-block check decides.

use anyhow::bail;

use std::sync::Arc;

use upgrade_runtime::Release;

use crate::abci::{AbciNode, Listen, SnapshotSettings, Snapshots, serve};
use crate::chain::Chain;
use crate::cli::{OutputFormat, StartArgs};
use crate::home::Home;
use crate::node::NodeSettings;
use crate::runner::{RunOptions, run_blocks};

/// Runs the command.
pub fn run(chain: &Chain, args: StartArgs) -> anyhow::Result<()> {
    let home = chain.home(&args.home);
    let release = chain.resolve_release(args.release.as_deref())?;
    chain.check_releases()?;
    let settings = NodeSettings {
        skip_heights: args.unsafe_skip_upgrades.clone(),
        migration_batch: args.migration_batch,
        checked_upgrades: args.checked_upgrades,
        write_buffer: Some(args.write_buffer_mib.max(1) << 20),
        batches_between_blocks: !args.migration_batch_in_commit,
    };
    if let Some(address) = &args.abci {
        return serve_abci(chain, &home, &release, &settings, &args, address);
    }
    let mut app = chain.open_app(&home, &release, &settings)?;
    let Some(first) = app.last_commit() else {
        bail!(
            "the chain in {} was never initialised; run `{} init` first",
            home.root().display(),
            chain.name()
        );
    };
    // A node must not build on state changed behind its back.
    if !args.skip_verify {
        crate::commands::verify::check(&app, &home.state_file())?;
    }
    let target_height = match (args.blocks, args.halt_height) {
        (Some(n), Some(h)) => (first.height + n).min(h),
        (Some(n), None) => first.height + n,
        (None, Some(h)) => h,
        (None, None) => u64::MAX,
    };
    tracing::info!(
        release = release.name,
        height = first.height,
        target_height,
        "starting"
    );
    let options = RunOptions {
        target_height,
        txs_per_block: args.txs_per_block,
        seed: args.seed,
    };
    let (summary, result) = run_blocks(chain, &mut app, &home, &options);
    let secs = summary.seconds.max(1e-9);
    let txs = summary.txs_ok + summary.txs_failed;
    match args.output {
        OutputFormat::Json => println!("{}", serde_json::to_string_pretty(&summary)?),
        OutputFormat::Text if summary.blocks > 0 => println!(
            "committed {} blocks ({}..={}) as {}: {} txs ok, {} rejected, {:.1} blocks/s, {:.0} txs/s; app hash {}",
            summary.blocks,
            summary.from_height + 1,
            summary.height,
            release.name,
            summary.txs_ok,
            summary.txs_failed,
            summary.blocks as f64 / secs,
            txs as f64 / secs,
            summary.app_hash
        ),
        OutputFormat::Text => {}
    }
    result
}

/// `start --abci`: the node as CometBFT's application. A home without
/// state gets an empty state file, which InitChain or a snapshot fills.
fn serve_abci(
    chain: &Chain,
    home: &Home,
    release: &Release,
    settings: &NodeSettings,
    args: &StartArgs,
    address: &str,
) -> anyhow::Result<()> {
    let listen = Listen::parse(address)?;
    let app = if home.state_file().is_file() {
        let app = chain.open_app(home, release, settings)?;
        if !args.skip_verify && app.last_commit().is_some() {
            crate::commands::verify::check(&app, &home.state_file())?;
        }
        app
    } else {
        home.create_dirs()?;
        chain.create_app_with(home, release, settings)?
    };
    let snapshots = Snapshots::new(
        home.data_dir().join("snapshots"),
        SnapshotSettings {
            interval: args.snapshot_interval,
            keep_recent: args.snapshot_keep_recent,
            chunk_bytes: args.snapshot_chunk_bytes.max(1),
        },
    );
    tracing::info!(
        release = release.name,
        height = app.last_commit().map_or(0, |c| c.height),
        "serving ABCI"
    );
    let node = AbciNode::new(
        app,
        snapshots,
        chain.shared_extensions(),
        release.name,
        chain.name(),
    );
    serve(Arc::new(node), &listen, args.abci_max_frame)
}
