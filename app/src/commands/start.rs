//! `appd start`: run blocks of synthetic transactions, applying or halting
//! for upgrades as the pre-block check decides.

use std::time::Instant;

use anyhow::bail;
use serde_json::json;

use crate::cli::{OutputFormat, StartArgs};
use crate::home::Home;
use crate::mempool::{INCLUDED_META, Mempool, decode_included};
use crate::node::{open_app, resolve_release};
use crate::progress;
use crate::txgen::TxGenerator;

/// Runs the command.
pub fn run(args: StartArgs) -> anyhow::Result<()> {
    let home = Home::new(&args.home.home);
    let release = resolve_release(args.release.as_deref())?;
    let mut app = open_app(&home, &release, &args.unsafe_skip_upgrades)?;
    let Some(first) = app.last_commit() else {
        bail!("the chain in {} was never initialised; run `appd init` first", home.root().display());
    };
    let target = match (args.blocks, args.halt_height) {
        (Some(n), Some(h)) => (first.height + n).min(h),
        (Some(n), None) => first.height + n,
        (None, Some(h)) => h,
        (None, None) => u64::MAX,
    };
    tracing::info!(release = release.name, height = first.height, target, "starting");
    let generator = TxGenerator::load(&app, args.seed)?;
    let mut included = decode_included(app.storage().node_meta(INCLUDED_META)?);
    let bar = progress::bar(target.saturating_sub(first.height).min(1 << 40), "blocks");
    let started = Instant::now();
    let (mut blocks, mut txs_ok, mut txs_failed) = (0u64, 0u64, 0u64);
    let mut last = first;
    while last.height < target {
        let mut block = app.begin_block()?;
        if let Some(applied) = block.applied_upgrade() {
            tracing::info!(name = %applied.name, height = applied.height, from = ?applied.from_versions, to = ?applied.to_versions, "upgrade applied in place");
        }
        let pool = Mempool::load(&home.mempool_file())?;
        for entry in pool.pending(included) {
            let outcome = app.deliver_tx(&mut block, &entry.tx);
            if outcome.code != 0 {
                tracing::warn!(seq = entry.seq, log = %outcome.log, "submitted transaction rejected");
            }
            included = entry.seq;
            block.set_node_meta(INCLUDED_META, included.to_be_bytes().to_vec());
        }
        for tx in generator.block_txs(&app, &block, args.txs_per_block)? {
            if app.deliver_tx(&mut block, &tx).code == 0 {
                txs_ok += 1;
            } else {
                txs_failed += 1;
            }
        }
        app.end_block(&mut block)?;
        last = app.commit(block)?;
        blocks += 1;
        bar.inc(1);
        if last.height % 100 == 0 {
            tracing::info!(height = last.height, app_hash = %last.app_hash, "committed");
        }
    }
    bar.finish_and_clear();
    let secs = started.elapsed().as_secs_f64().max(1e-9);
    let summary = json!({
        "release": release.name,
        "from_height": first.height,
        "height": last.height,
        "app_hash": last.app_hash.to_hex(),
        "blocks": blocks,
        "txs_ok": txs_ok,
        "txs_failed": txs_failed,
        "seconds": secs,
        "blocks_per_second": blocks as f64 / secs,
        "txs_per_second": (txs_ok + txs_failed) as f64 / secs,
    });
    match args.output {
        OutputFormat::Json => println!("{}", serde_json::to_string_pretty(&summary)?),
        OutputFormat::Text => println!(
            "committed {blocks} blocks ({}..={}) as {}: {txs_ok} txs ok, {txs_failed} rejected, {:.1} blocks/s, {:.0} txs/s; app hash {}",
            first.height + 1,
            last.height,
            release.name,
            blocks as f64 / secs,
            (txs_ok + txs_failed) as f64 / secs,
            last.app_hash
        ),
    }
    Ok(())
}
