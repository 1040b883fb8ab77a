//! CometBFT's ABCI call grammar against `appd start --abci` over loopback:
//! a clean start (Info at 0, InitChain, heights), recovery after a restart
//! (Info, then the heights not committed), and the same app hashes as a
//! node that ran without a break.

#![allow(clippy::unwrap_used, clippy::expect_used)]

mod abci_node;

use abci_node::{Node, app_state, height, info, init_chain};

#[test]
fn clean_start_then_recovery_after_a_restart() {
    let dir = tempfile::tempdir().unwrap();
    let genesis = app_state(&dir.path().join("scratch"), 20, "v1.0.0");
    let home = dir.path().join("node");

    let node = Node::start(&home, "v1.0.0", &[]);
    let mut consensus = node.client();
    assert_eq!(info(&mut consensus), (0, vec![]));
    let genesis_hash = init_chain(&mut consensus, "abci-1", &genesis);
    assert_eq!(genesis_hash.len(), 32);
    let mut hashes = Vec::new();
    for h in 1..=3 {
        hashes.push(height(&mut consensus, h, &[]).app_hash.to_vec());
    }
    assert_eq!(info(&mut consensus), (3, hashes[2].clone()));
    node.kill();

    // Recovery: Info says where the app is; CometBFT goes on from there.
    let node = Node::start(&home, "v1.0.0", &[]);
    let mut consensus = node.client();
    assert_eq!(info(&mut consensus), (3, hashes[2].clone()));
    let fourth = height(&mut consensus, 4, &[]).app_hash.to_vec();

    // Another node fed the same blocks without a break agrees.
    let other = Node::start(&dir.path().join("other"), "v1.0.0", &[]);
    let mut c = other.client();
    assert_eq!(init_chain(&mut c, "abci-1", &genesis), genesis_hash);
    for (h, want) in (1..=3).zip(&hashes) {
        assert_eq!(&height(&mut c, h, &[]).app_hash.to_vec(), want);
    }
    assert_eq!(height(&mut c, 4, &[]).app_hash.to_vec(), fourth);
}

#[test]
fn a_genesis_with_a_later_initial_height_starts_there() {
    let dir = tempfile::tempdir().unwrap();
    let genesis = app_state(&dir.path().join("scratch"), 5, "v1.0.0");
    let node = Node::start(&dir.path().join("node"), "v1.0.0", &[]);
    let mut c = node.client();
    let hash = c
        .init_chain(tendermint_proto::v0_38::abci::RequestInitChain {
            chain_id: "later-1".into(),
            app_state_bytes: genesis.into(),
            initial_height: 5,
            ..Default::default()
        })
        .unwrap()
        .app_hash
        .to_vec();
    // Until the first block, CometBFT must see height 0 (it would call
    // InitChain again after a crash).
    assert_eq!(info(&mut c), (0, hash));
    let fifth = height(&mut c, 5, &[]).app_hash.to_vec();
    assert_eq!(info(&mut c), (5, fifth));
}
