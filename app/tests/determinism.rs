//! Determinism of the real binary: nodes started from the same genesis with
//! the same transaction seed commit the same app hash at every height,
//! whether they run in one go or in several restarts; another seed diverges.

#![allow(clippy::unwrap_used)] // test helpers outside #[test] fns

mod common;

use std::path::Path;
use std::process::Child;

use common::{appd, command, init, s, state_file};
use upgrade_runtime::AppHash;
use upgrade_runtime::store::Storage;

const BLOCKS: u64 = 100;

/// Every app hash from height 0 (InitChain) to `top`, read from the state file.
fn hashes(home: &Path, top: u64) -> Vec<AppHash> {
    let storage = Storage::open_read_only(&state_file(home)).expect("state file opens");
    assert_eq!(
        storage.last_commit().map(|c| c.height),
        Some(top),
        "last height of {}",
        home.display()
    );
    (0..=top)
        .map(|h| {
            storage
                .app_hash_at(h)
                .expect("app hash history readable")
                .unwrap_or_else(|| {
                    panic!("no app hash recorded at height {h} in {}", home.display())
                })
        })
        .collect()
}

fn start_args<'a>(home: &'a str, blocks: &'a str, seed: &'a str) -> [&'a str; 13] {
    [
        "start",
        "--home",
        home,
        "--release",
        "v1.0.0",
        "--blocks",
        blocks,
        "--txs-per-block",
        "10",
        "--seed",
        seed,
        "--output",
        "json",
    ]
}

fn spawn_start(home: &Path, blocks: u64, seed: u64) -> Child {
    let blocks = blocks.to_string();
    let seed = seed.to_string();
    command(&start_args(s(home), &blocks, &seed))
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .expect("spawn appd start")
}

/// Waits for a spawned `start` and returns its JSON summary.
fn finish(child: Child) -> serde_json::Value {
    let out = child.wait_with_output().expect("wait for appd start");
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.success(),
        "appd start failed: {}\n{stdout}",
        String::from_utf8_lossy(&out.stderr)
    );
    serde_json::from_str(&stdout).expect("JSON summary")
}

#[test]
fn same_genesis_and_seed_give_the_same_app_hash_at_every_height_even_across_restarts() {
    let tmp = tempfile::tempdir().unwrap();
    let (a, b, c, d) = (
        tmp.path().join("a"),
        tmp.path().join("b"),
        tmp.path().join("c"),
        tmp.path().join("d"),
    );
    // A generates the genesis; B imports A's file; C and D generate it again.
    init(&a, 200, 5);
    appd(&[
        "init",
        "--home",
        s(&b),
        "--release",
        "v1.0.0",
        "--genesis",
        s(&a.join("config/genesis.json")),
    ])
    .ok();
    init(&c, 200, 5);
    init(&d, 200, 5);

    // A, B and D (another transaction seed) run side by side.
    let runs = [
        spawn_start(&a, BLOCKS, 9),
        spawn_start(&b, BLOCKS, 9),
        spawn_start(&d, BLOCKS, 10),
    ];
    let [sa, sb, sd] = runs.map(finish);
    for summary in [&sa, &sb, &sd] {
        assert_eq!(summary["from_height"], 0);
        assert_eq!(summary["height"], BLOCKS);
        assert_eq!(summary["blocks"], BLOCKS);
        // Real work happened: most synthetic sends went through.
        assert!(
            summary["txs_ok"].as_u64().unwrap() > BLOCKS * 10 * 9 / 10,
            "{summary}"
        );
    }

    // C runs the same 100 blocks in three restarts.
    let mut from = 0;
    for chunk in [30u64, 30, 40] {
        let out = appd(&start_args(s(&c), &chunk.to_string(), "9"))
            .ok()
            .json();
        assert_eq!(out["from_height"], from);
        assert_eq!(out["height"], from + chunk);
        from += chunk;
    }

    let ha = hashes(&a, BLOCKS);
    let hb = hashes(&b, BLOCKS);
    let hc = hashes(&c, BLOCKS);
    let hd = hashes(&d, BLOCKS);
    for h in 0..=BLOCKS as usize {
        assert_eq!(
            ha[h], hb[h],
            "A and B (same genesis file, same seed) differ at height {h}"
        );
        assert_eq!(
            ha[h], hc[h],
            "A and C (run in three restarts) differ at height {h}"
        );
    }
    // The summaries report the hash the state file recorded.
    assert_eq!(sa["app_hash"], ha[BLOCKS as usize].to_hex());
    assert_eq!(sb["app_hash"], sa["app_hash"]);
    // Every block changed the state: the history is one hash per height.
    let distinct: std::collections::BTreeSet<_> = ha.iter().map(AppHash::to_hex).collect();
    assert_eq!(
        distinct.len(),
        ha.len(),
        "a block left the app hash unchanged"
    );

    // Another seed: same genesis, different blocks.
    assert_eq!(hd[0], ha[0], "same genesis, same initial app hash");
    assert_ne!(
        hd[1], ha[1],
        "block 1 with another seed has the same app hash"
    );
    assert_ne!(hd[BLOCKS as usize], ha[BLOCKS as usize]);
    assert_ne!(sd["app_hash"], sa["app_hash"]);
}
