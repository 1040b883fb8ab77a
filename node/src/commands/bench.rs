//! `bench migration`: the lazy layout migration measured side by side
//! with its alternatives, in one run, on the embedded store.
//!
//! (a) lazy migration's total time across blocks vs one bulk copy of every
//! key in a single transaction; (b) block commit time with a migration batch
//! vs without; (c) routed reads during the migration vs direct reads.

use std::path::Path;
use std::time::{Duration, Instant};

use anyhow::Context;
use serde_json::json;
use upgrade_runtime::store::{ChangeSet, CommitOptions, Layout, LayoutState, StateRead, Storage};

use crate::cli::BenchMigrationArgs;

const STORES: [&str; 3] = ["auth", "bank", "staking"];

/// splitmix64: a fixed, seeded stream for keys and values.
fn mix(mut x: u64) -> u64 {
    x = x.wrapping_add(0x9E37_79B9_7F4A_7C15);
    x = (x ^ (x >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    x = (x ^ (x >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    x ^ (x >> 31)
}

fn entry(i: u64) -> (&'static str, Vec<u8>, Vec<u8>) {
    let h = mix(i);
    let store = STORES[(h % 3) as usize];
    let key = format!("key/{h:016x}").into_bytes();
    let value: Vec<u8> = (0..8).flat_map(|j| mix(h ^ j).to_le_bytes()).collect();
    (store, key, value)
}

fn build(path: &Path, keys: u64) -> anyhow::Result<()> {
    let mut storage = Storage::create(path, Layout::V1)?;
    let mut height = 0;
    let mut i = 0;
    while i < keys {
        let mut changes = ChangeSet::new();
        for _ in 0..200_000.min(keys - i) {
            let (store, key, value) = entry(i);
            changes.put(store, key, Some(value));
            i += 1;
        }
        storage.commit(height, changes, &CommitOptions::default())?;
        height += 1;
    }
    Ok(())
}

/// A block's own writes: `n` updates of existing keys, chosen by `height`.
fn block_writes(keys: u64, n: u64, height: u64) -> ChangeSet {
    let mut changes = ChangeSet::new();
    for j in 0..n {
        let (store, key, _) = entry(mix(height * 1_000_003 + j) % keys);
        changes.put(store, key, Some(height.to_le_bytes().to_vec()));
    }
    changes
}

fn commit(
    storage: &mut Storage,
    changes: ChangeSet,
    start: bool,
    batch: u64,
) -> anyhow::Result<Duration> {
    let height = storage.last_commit().map_or(0, |c| c.height) + 1;
    let t = Instant::now();
    storage.commit(
        height,
        changes,
        &CommitOptions {
            start_migration: start,
            migration_batch: batch,
            ..CommitOptions::default()
        },
    )?;
    Ok(t.elapsed())
}

fn reads(storage: &Storage, keys: u64, n: u64) -> anyhow::Result<Duration> {
    let snapshot = storage.snapshot()?;
    let t = Instant::now();
    for j in 0..n {
        let (store, key, _) = entry(mix(j ^ 0xABCD) % keys);
        if snapshot.get(store, &key)?.is_none() {
            anyhow::bail!(
                "key {} of store {store} is missing",
                String::from_utf8_lossy(&key)
            );
        }
    }
    Ok(t.elapsed())
}

/// Runs the benchmark.
pub fn run(args: BenchMigrationArgs) -> anyhow::Result<()> {
    let dir = tempfile::tempdir().context("cannot create a temporary directory")?;
    let base = dir.path().join("base.redb");
    eprintln!("building a layout-v1 state of {} keys...", args.keys);
    let t = Instant::now();
    build(&base, args.keys)?;
    eprintln!("built in {:.1}s", t.elapsed().as_secs_f64());
    let copy = |name: &str| -> anyhow::Result<Storage> {
        let path = dir.path().join(name);
        std::fs::copy(&base, &path)?;
        Ok(Storage::open(&path)?)
    };

    // (a) lazy, a batch per block, vs bulk, everything in one transaction.
    let mut lazy = copy("lazy.redb")?;
    let mut bulk = copy("bulk.redb")?;
    let bulk_time = commit(&mut bulk, ChangeSet::new(), true, args.keys + 1)?;
    anyhow::ensure!(
        bulk.layout_state() == &LayoutState::V2,
        "the bulk copy did not complete"
    );
    let mut lazy_time = commit(&mut lazy, ChangeSet::new(), true, args.batch)?;
    let mut lazy_blocks = 1;
    while lazy.layout_state() != &LayoutState::V2 {
        lazy_time += commit(&mut lazy, ChangeSet::new(), false, args.batch)?;
        lazy_blocks += 1;
    }
    anyhow::ensure!(
        lazy.last_commit().map(|c| c.app_hash) == bulk.last_commit().map(|c| c.app_hash),
        "app hashes differ"
    );

    // (b) and (c): nodes side by side: migrating with the batch inside the
    // commit, migrating with the batch moved between blocks, and not
    // migrating. Each commit is timed alone: a batch moving between blocks
    // is waited for (and timed) before the next node commits.
    let mut migrating = copy("migrating.redb")?;
    let mut between = copy("between.redb")?;
    let mut plain = copy("plain.redb")?;
    commit(&mut migrating, ChangeSet::new(), true, 0)?;
    commit(&mut between, ChangeSet::new(), true, 0)?;
    commit(&mut plain, ChangeSet::new(), false, 0)?;
    between.move_batches_between_blocks(true);
    let (mut with_batch, mut without) = (Duration::ZERO, Duration::ZERO);
    let (mut with_between, mut gap) = (Duration::ZERO, Duration::ZERO);
    let mut measured = 0;
    for round in 0..args.blocks {
        let h = 10_000 + round;
        if matches!(migrating.layout_state(), LayoutState::V2) {
            break;
        }
        let writes = || block_writes(args.keys, args.block_writes, h);
        with_batch += commit(&mut migrating, writes(), false, args.batch)?;
        with_between += commit(&mut between, writes(), false, args.batch)?;
        let t = Instant::now();
        between.settle_batch()?;
        gap += t.elapsed();
        without += commit(&mut plain, writes(), false, 0)?;
        measured += 1;
    }
    anyhow::ensure!(
        between.last_commit().map(|c| c.app_hash) == plain.last_commit().map(|c| c.app_hash),
        "app hashes differ"
    );
    let (mut routed, mut direct) = (Duration::ZERO, Duration::ZERO);
    for _ in 0..3 {
        routed += reads(&migrating, args.keys, args.reads)?;
        direct += reads(&plain, args.keys, args.reads)?;
    }
    let per_block = |d: Duration| d.as_secs_f64() * 1e3 / measured.max(1) as f64;
    let report = json!({
        "keys": args.keys,
        "batch": args.batch,
        "a_lazy_total_seconds": lazy_time.as_secs_f64(),
        "a_lazy_blocks": lazy_blocks,
        "a_bulk_seconds": bulk_time.as_secs_f64(),
        "a_ratio_lazy_over_bulk": lazy_time.as_secs_f64() / bulk_time.as_secs_f64(),
        "b_blocks_measured": measured,
        "b_block_writes": args.block_writes,
        "b_commit_ms_with_batch": with_batch.as_secs_f64() * 1e3 / f64::from(measured.max(1) as u32),
        "b_commit_ms_without": without.as_secs_f64() * 1e3 / f64::from(measured.max(1) as u32),
        "b_ratio_with_over_without": with_batch.as_secs_f64() / without.as_secs_f64(),
        "b_commit_ms_with_batch_between_blocks": per_block(with_between),
        "b_batch_ms_between_blocks": per_block(gap),
        "b_ratio_between_blocks_over_without": with_between.as_secs_f64() / without.as_secs_f64(),
        "c_reads": args.reads * 3,
        "c_routed_us_per_read": routed.as_secs_f64() * 1e6 / (args.reads * 3) as f64,
        "c_direct_us_per_read": direct.as_secs_f64() * 1e6 / (args.reads * 3) as f64,
        "c_ratio_routed_over_direct": routed.as_secs_f64() / direct.as_secs_f64(),
    });
    println!("{}", serde_json::to_string_pretty(&report)?);
    Ok(())
}
