//! `testnet in-place`: a copy of a node's state, in one block given a new
//! chain id and upgrade authority and funded operator accounts; the source
//! home is left byte for byte as it was, and only the new authority can
//! schedule the next upgrade on the copy.

mod common;

use common::{appd, init, s, status, tree};

#[test]
fn a_copy_of_real_state_with_a_new_chain_id_authority_and_funds() {
    let tmp = tempfile::tempdir().unwrap();
    let (mainnet, testnet) = (tmp.path().join("mainnet"), tmp.path().join("testnet"));
    init(&mainnet, 60, 5);
    appd(&[
        "start",
        "--home",
        s(&mainnet),
        "--release",
        "v1.0.0",
        "--blocks",
        "3",
        "--txs-per-block",
        "6",
    ])
    .ok();
    let source = tree(&mainnet);
    let main_status = status(&mainnet);

    let ops = appd(&[
        "keys",
        "add",
        "ops",
        "--private-key",
        &"d4".repeat(32),
        "--home",
        s(&testnet),
        "--output",
        "json",
    ])
    .ok()
    .json();
    let ops = ops["address"].as_str().unwrap().to_owned();
    appd(&[
        "testnet",
        "in-place",
        "--from-home",
        s(&mainnet),
        "--home",
        s(&testnet),
        "--chain-id",
        "rehearsal-1",
        "--authority",
        "ops",
        "--fund",
        "ops=5000stake",
    ])
    .ok();
    assert_eq!(tree(&mainnet), source, "the source home was written");

    let test_status = status(&testnet);
    assert_eq!(test_status["chain_id"], "rehearsal-1");
    assert_eq!(
        test_status["height"],
        main_status["height"].as_u64().unwrap() + 1
    );
    assert_eq!(test_status["version_map"], main_status["version_map"]);
    let balance = appd(&[
        "query",
        "bank",
        "balance",
        &ops,
        "stake",
        "--home",
        s(&testnet),
    ])
    .ok()
    .json();
    assert_eq!(balance["balance"]["amount"], "5000");

    // The old authority's key no longer schedules; the new one does.
    let old = appd(&[
        "upgrade",
        "schedule",
        "--home",
        s(&testnet),
        "--name",
        "v2.0.0",
        "--height",
        "20",
    ]);
    assert_ne!(old.code, Some(0));
    appd(&[
        "keys",
        "add",
        "authority",
        "--private-key",
        common::AUTHORITY_KEY_HEX,
        "--home",
        s(&testnet),
    ])
    .ok();
    let old = appd(&[
        "upgrade",
        "schedule",
        "--home",
        s(&testnet),
        "--name",
        "v2.0.0",
        "--height",
        "20",
    ])
    .failed();
    assert!(
        old.error()
            .contains(&format!("is not the upgrade authority (expected {ops})")),
        "{}",
        old.error()
    );
    appd(&[
        "upgrade",
        "schedule",
        "--home",
        s(&testnet),
        "--name",
        "v2.0.0",
        "--height",
        "20",
        "--from",
        "ops",
    ])
    .ok();
    appd(&[
        "start",
        "--home",
        s(&testnet),
        "--release",
        "v1.0.0",
        "--blocks",
        "1",
        "--txs-per-block",
        "0",
    ])
    .ok();
    assert_eq!(status(&testnet)["pending_plan"]["name"], "v2.0.0");

    // A second testnet into the same home is refused.
    let again = appd(&[
        "testnet",
        "in-place",
        "--from-home",
        s(&mainnet),
        "--home",
        s(&testnet),
        "--chain-id",
        "x-1",
        "--authority",
        "ops",
    ])
    .failed();
    assert!(
        again.error().contains("already holds a chain"),
        "{}",
        again.error()
    );
}
