//! The block executor over redb: InitChain, blocks, failures that must leave
//! the committed state untouched, and restarts that must not change any
//! app hash.
#![allow(clippy::unwrap_used)]

mod common;

use std::path::Path;

use common::{Kv, dump, kv, open_app, tx};
use serde_json::json;
use upgrade_runtime::app::{App, AppError};
use upgrade_runtime::store::{Layout, StateRead, Storage, UPGRADE_STORE};
use upgrade_runtime::upgrade::UpgradeRegistry;
use upgrade_runtime::{AppHash, Tx};

const ALPHA_SET: &str = "/test.alpha.Set";
const STORES: [&str; 3] = ["alpha", "auth", UPGRADE_STORE];

fn modules() -> Vec<Kv> {
    vec![kv("alpha").msgs(&[ALPHA_SET]).record_height(), kv("auth")]
}

/// Deterministic transactions of block `height`.
fn txs(height: u64) -> Vec<Tx> {
    let mut txs = vec![tx(
        "user",
        ALPHA_SET,
        json!({"key": format!("h{}", height % 3), "value": format!("v{height}")}),
    )];
    if height % 2 == 0 {
        txs.push(tx("user", ALPHA_SET, json!({"key": "k", "delete": true})));
    }
    txs
}

fn run(app: &mut App, heights: std::ops::RangeInclusive<u64>) -> Vec<AppHash> {
    heights
        .map(|h| {
            let (info, outcomes) = app.execute_block(&txs(h)).unwrap();
            assert_eq!(info.height, h);
            assert!(outcomes.iter().all(|o| o.code == 0), "{outcomes:?}");
            info.app_hash
        })
        .collect()
}

fn history(app: &App, heights: std::ops::RangeInclusive<u64>) -> Vec<AppHash> {
    heights
        .map(|h| app.storage().app_hash_at(h).unwrap().unwrap())
        .collect()
}

/// Everything a failed block must not have touched.
fn observed(app: &App) -> impl PartialEq + std::fmt::Debug + use<> {
    let snapshot = app.snapshot().unwrap();
    (
        app.last_commit(),
        app.export_genesis().unwrap(),
        STORES.map(|s| dump(&snapshot, s)),
    )
}

#[test]
fn init_chain_then_blocks_record_the_app_hash_of_every_height() {
    let home = tempfile::tempdir().unwrap();
    let mut app = open_app(home.path(), modules(), UpgradeRegistry::new(), &[]).unwrap();
    let genesis = app.last_commit().unwrap();
    assert_eq!(genesis.height, 0);
    let hashes = run(&mut app, 1..=5);
    assert_eq!(app.last_commit().unwrap().height, 5);
    assert_eq!(app.last_commit().unwrap().app_hash, hashes[4]);
    assert_eq!(
        app.storage().app_hash_at(0).unwrap(),
        Some(genesis.app_hash)
    );
    assert_eq!(history(&app, 1..=5), hashes);
    assert_eq!(app.storage().app_hash_at(6).unwrap(), None);
    let mut distinct = hashes.clone();
    distinct.push(genesis.app_hash);
    distinct.sort();
    distinct.dedup();
    assert_eq!(distinct.len(), 6, "every block changed the state");
    assert_eq!(app.chain_id().unwrap(), "test-chain");
    assert_eq!(
        dump(&app.snapshot().unwrap(), "alpha"),
        [
            ("h0".into(), "v3".into()),
            ("h1".into(), "v4".into()),
            ("h2".into(), "v5".into()),
            ("height".into(), "5".into()),
        ]
    );

    let again = common::genesis(app.manager());
    insta::assert_snapshot!(
        app.init_chain(&again).unwrap_err().to_string(),
        @"the chain is already initialised (last committed height 5); InitChain runs once per chain: start the chain instead, or initialise another chain on new storage"
    );
}

#[test]
fn a_chain_refuses_blocks_before_init_and_a_bad_genesis_writes_nothing() {
    let home = tempfile::tempdir().unwrap();
    let path = common::state_path(home.path());
    std::fs::create_dir_all(path.parent().unwrap()).unwrap();
    let storage = Storage::create(&path, Layout::V1).unwrap();
    let manager = common::manager(modules());
    let good = common::genesis(&manager);
    let mut app = App::new(
        storage,
        manager,
        UpgradeRegistry::new(),
        common::config(home.path(), &[]),
    )
    .unwrap();
    insta::assert_snapshot!(
        app.begin_block().err().unwrap().to_string(),
        @"the chain has not been initialised: InitChain has not run"
    );

    let mut unknown = good.clone();
    unknown.app_state.insert("bank".into(), json!({}));
    insta::assert_snapshot!(
        app.init_chain(&unknown).unwrap_err().to_string(),
        @"invalid genesis: app_state: unknown sections bank: no module of this binary has them (modules: alpha, auth); drop them to import the rest"
    );
    let mut invalid = good.clone();
    invalid.app_state["alpha"] = json!({"entries": {"k": 1}});
    insta::assert_snapshot!(
        app.init_chain(&invalid).unwrap_err().to_string(),
        @"invalid genesis: app_state.alpha.entries.k: expected a string"
    );
    let mut other_versions = good.clone();
    other_versions.app_state.insert(
        "upgrade".into(),
        json!({"module_versions": [
            {"name": "alpha", "version": "2"},
            {"name": "auth", "version": "1"}
        ]}),
    );
    insta::assert_snapshot!(
        app.init_chain(&other_versions).unwrap_err().to_string(),
        @r#"invalid genesis: app_state.upgrade: the file records module versions {"alpha": 2, "auth": 1} but this binary has {"alpha": 1, "auth": 1}; migrate the file to this release first (genesis migrate)"#
    );
    let mut wrong_hash = good.clone();
    wrong_hash.app_hash = "00".repeat(32);
    let err = app.init_chain(&wrong_hash).unwrap_err();
    assert!(matches!(err, AppError::AppHashMismatch { .. }), "{err}");
    assert!(
        err.to_string().starts_with(&format!(
            "genesis app_hash {} does not match the initialised state's app hash ",
            "00".repeat(32)
        )),
        "{err}"
    );
    assert_eq!(app.last_commit(), None);
    assert!(dump(&app.snapshot().unwrap(), "alpha").is_empty());

    // The hash it computed is the one a correct genesis commits with.
    let AppError::AppHashMismatch { computed, .. } = err else {
        unreachable!()
    };
    let mut right_hash = good;
    right_hash.app_hash = computed.clone();
    assert_eq!(
        app.init_chain(&right_hash).unwrap().app_hash.to_hex(),
        computed
    );
}

#[test]
fn a_block_whose_end_block_fails_after_writing_leaves_the_committed_state_untouched() {
    let home = tempfile::tempdir().unwrap();
    let failing = vec![
        kv("alpha")
            .msgs(&[ALPHA_SET])
            .record_height()
            .fail_end_block_at(3),
        kv("auth"),
    ];
    let mut app = open_app(home.path(), failing, UpgradeRegistry::new(), &[]).unwrap();
    run(&mut app, 1..=2);
    let before = observed(&app);
    let err = app.execute_block(&txs(3)).unwrap_err().to_string();
    insta::assert_snapshot!(
        err,
        @r#"end block of module "alpha" failed at height 3: configured failure at height 3"#
    );
    for attempt in 0..2 {
        if attempt > 0 {
            assert_eq!(app.execute_block(&txs(3)).unwrap_err().to_string(), err);
        }
        assert_eq!(observed(&app), before);
        assert_eq!(app.storage().app_hash_at(3).unwrap(), None);
        assert!(
            !app.snapshot()
                .unwrap()
                .has("alpha", b"end_block_partial")
                .unwrap()
        );
        assert!(!app.snapshot().unwrap().has("alpha", b"h0").unwrap());
    }
    // The step by step API fails the same way and commits nothing either.
    let mut block = app.begin_block().unwrap();
    for tx in txs(3) {
        assert_eq!(app.deliver_tx(&mut block, &tx).code, 0);
    }
    assert!(app.end_block(&mut block).is_err());
    drop(block);
    assert_eq!(observed(&app), before);
    drop(app);

    // The failure left no trace: a fixed binary continues exactly like a
    // node that never failed.
    let mut fixed = open_app(home.path(), modules(), UpgradeRegistry::new(), &[]).unwrap();
    let continued = run(&mut fixed, 3..=4);
    let reference_home = tempfile::tempdir().unwrap();
    let mut reference = open_app(
        reference_home.path(),
        modules(),
        UpgradeRegistry::new(),
        &[],
    )
    .unwrap();
    let expected = run(&mut reference, 1..=4);
    assert_eq!(history(&fixed, 1..=4), expected);
    assert_eq!(continued, expected[2..]);
}

fn restarted_run(home: &Path, stops: &[u64], last: u64) -> App {
    let mut app = open_app(home, modules(), UpgradeRegistry::new(), &[]).unwrap();
    let mut from = 1;
    for &stop in stops.iter().chain([&last]) {
        run(&mut app, from..=stop);
        from = stop + 1;
        drop(app);
        app = open_app(home, modules(), UpgradeRegistry::new(), &[]).unwrap();
        assert_eq!(app.last_commit().unwrap().height, stop);
    }
    app
}

#[test]
fn restarting_the_node_does_not_change_any_app_hash() {
    let straight_home = tempfile::tempdir().unwrap();
    let mut straight =
        open_app(straight_home.path(), modules(), UpgradeRegistry::new(), &[]).unwrap();
    let mut expected = vec![straight.last_commit().unwrap().app_hash];
    expected.extend(run(&mut straight, 1..=7));

    for stops in [&[3][..], &[1, 2, 5]] {
        let home = tempfile::tempdir().unwrap();
        let app = restarted_run(home.path(), stops, 7);
        assert_eq!(history(&app, 0..=7), expected, "restarts after {stops:?}");
        assert_eq!(app.last_commit(), straight.last_commit());
        assert_eq!(
            app.export_genesis().unwrap(),
            straight.export_genesis().unwrap()
        );
        assert_eq!(app.chain_id().unwrap(), "test-chain");
    }
}

#[test]
fn a_rejected_transaction_leaves_no_writes_but_the_block_commits() {
    let home = tempfile::tempdir().unwrap();
    let mut app = open_app(home.path(), modules(), UpgradeRegistry::new(), &[]).unwrap();
    let mut block = app.begin_block().unwrap();
    let bad = Tx {
        signer: "user".into(),
        msgs: vec![
            tx("user", ALPHA_SET, json!({"key": "a", "value": "1"})).msgs[0].clone(),
            tx("user", ALPHA_SET, json!({"key": "b"})).msgs[0].clone(),
        ],
    };
    let outcome = app.deliver_tx(&mut block, &bad);
    assert_eq!((outcome.code, outcome.log.as_str()), (1, "missing value"));
    let unknown = app.deliver_tx(&mut block, &tx("user", "/test.nobody.Msg", json!({})));
    insta::assert_snapshot!(
        format!("{}: {}", unknown.code, unknown.log),
        @r#"2: unknown message type "/test.nobody.Msg""#
    );
    assert!(block.state().changes().is_empty());
    app.end_block(&mut block).unwrap();
    assert_eq!(block.outcomes().len(), 2);
    app.commit(block).unwrap();
    assert_eq!(
        dump(&app.snapshot().unwrap(), "alpha"),
        [("height".into(), "1".into()), ("k".into(), "v".into())]
    );
}
