//! Running blocks on a node home: the standalone loop behind `start` and `demo`.

use std::time::Instant;

use serde::Serialize;
use upgrade_runtime::app::App;
use upgrade_runtime::store::{CommitInfo, MigrationCounters};
use upgrade_runtime::upgrade::AppliedUpgrade;

use crate::chain::Chain;
use crate::home::Home;
use crate::mempool::{INCLUDED_META, Mempool, decode_included};
use crate::progress;

/// How far to run and what to put in blocks.
#[derive(Clone, Debug)]
pub struct RunOptions {
    /// Stop after committing this height.
    pub target_height: u64,
    /// Synthetic sends per block.
    pub txs_per_block: u64,
    /// Seed of the synthetic sends.
    pub seed: u64,
}

/// What a run did.
#[derive(Clone, Debug, Serialize)]
pub struct RunSummary {
    /// Height before the run.
    pub from_height: u64,
    /// Last committed height.
    pub height: u64,
    /// App hash at `height`.
    pub app_hash: String,
    /// Blocks committed.
    pub blocks: u64,
    /// Transactions accepted.
    pub txs_ok: u64,
    /// Transactions rejected.
    pub txs_failed: u64,
    /// Wall-clock seconds (node-local; never in state).
    pub seconds: f64,
    /// Upgrades applied during the run.
    pub upgrades: Vec<AppliedUpgrade>,
    /// Keys the lazy store migration moved during the run.
    pub keys_migrated: u64,
    /// Blocks that carried a migration batch.
    pub migration_blocks: u64,
    /// Counters of the lazy migration after the run.
    pub migration: MigrationCounters,
}

/// Runs blocks until `target_height` or an error (which is returned with the
/// summary of what was committed before it).
pub fn run_blocks(
    chain: &Chain,
    app: &mut App,
    home: &Home,
    options: &RunOptions,
) -> (RunSummary, anyhow::Result<()>) {
    let first = app.last_commit().map_or(0, |c| c.height);
    let mut summary = RunSummary {
        from_height: first,
        height: first,
        app_hash: app
            .last_commit()
            .map(|c| c.app_hash.to_hex())
            .unwrap_or_default(),
        blocks: 0,
        txs_ok: 0,
        txs_failed: 0,
        seconds: 0.0,
        upgrades: Vec::new(),
        keys_migrated: 0,
        migration_blocks: 0,
        migration: app.storage().migration_counters(),
    };
    let started = Instant::now();
    let mut result = run_loop(chain, app, home, options, &mut summary);
    // The last block's batch, if it moves between blocks, is counted too.
    match app.settle_migration_batch() {
        Ok(Some(batch)) => {
            summary.keys_migrated += batch.moved;
            summary.migration_blocks += 1;
        }
        Ok(None) => {}
        Err(e) => result = result.and(Err(e.into())),
    }
    summary.seconds = started.elapsed().as_secs_f64();
    summary.migration = app.storage().migration_counters();
    (summary, result)
}

fn run_loop(
    chain: &Chain,
    app: &mut App,
    home: &Home,
    options: &RunOptions,
    summary: &mut RunSummary,
) -> anyhow::Result<()> {
    // Listing accounts costs a full scan: only when there are sends to make.
    let generator = if options.txs_per_block > 0 {
        chain.extensions().tx_source(app, options.seed)?
    } else {
        None
    };
    let mut included = decode_included(app.storage().node_meta(INCLUDED_META)?);
    let bar = progress::bar(
        options.target_height.saturating_sub(summary.height),
        "blocks",
    );
    while summary.height < options.target_height {
        let mut block = app.begin_block()?;
        if let Some(applied) = block.applied_upgrade() {
            summary.upgrades.push(applied.clone());
        }
        let pool = Mempool::load(&home.mempool_file())?;
        for entry in pool.pending(included) {
            let outcome = app.deliver_tx_bytes(&mut block, &entry.bytes()?);
            if outcome.code != 0 {
                tracing::warn!(seq = entry.seq, log = %outcome.log, "submitted transaction rejected");
            }
            included = entry.seq;
            block.set_node_meta(INCLUDED_META, included.to_be_bytes().to_vec());
        }
        let txs = match &generator {
            Some(g) => g.block_txs(app, &block, options.txs_per_block)?,
            None => Vec::new(),
        };
        for tx in txs {
            if app.deliver_tx_bytes(&mut block, &tx).code == 0 {
                summary.txs_ok += 1;
            } else {
                summary.txs_failed += 1;
            }
        }
        app.end_block(&mut block)?;
        let info: CommitInfo = app.commit(block)?;
        if let Some(batch) = app.storage().last_batch() {
            summary.keys_migrated += batch.moved;
            summary.migration_blocks += 1;
            bar.set_message(format!(
                "blocks (migration: {} moved, {} left)",
                batch.counters.moved, batch.counters.left
            ));
        }
        summary.height = info.height;
        summary.app_hash = info.app_hash.to_hex();
        summary.blocks += 1;
        bar.inc(1);
        if info.height.is_multiple_of(100) {
            tracing::info!(height = info.height, app_hash = %info.app_hash, "committed");
        }
    }
    bar.finish_and_clear();
    Ok(())
}
