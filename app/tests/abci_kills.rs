//! The app killed (SIGKILL) between any two ABCI calls of a run, at points
//! proptest draws, then restarted and driven as CometBFT recovers it
//! (`Info`, InitChain again while it reports height 0, then FinalizeBlock
//! and Commit from the height after the last committed one): every run
//! reaches the app hashes of a run without a kill.

#![allow(clippy::unwrap_used, clippy::expect_used)]

mod abci_node;

use std::collections::BTreeSet;
use std::path::Path;

use abci_node::{
    Node, Signer, app_state, authority_key, finalize, info, init_chain, schedule_msg, send_msg,
    sender_key,
};
use proptest::prelude::*;
use serde_json::Value;

const HEIGHTS: i64 = 6;
/// InitChain, then FinalizeBlock and Commit per height.
const CALLS: usize = 1 + 2 * HEIGHTS as usize;

/// Every height's signed transactions, made once so that a replayed height
/// carries the same bytes: a send from sender 0 at each height, and the
/// authority's plan at height 2.
fn blocks(genesis: &Value, sender_number: u64, authority_number: u64) -> Vec<Vec<Vec<u8>>> {
    let balances = genesis["bank"]["balances"].as_array().unwrap();
    let mut sender = Signer {
        key: sender_key(0),
        account_number: sender_number,
        sequence: 0,
        chain_id: "kills-1".into(),
    };
    let mut authority = Signer {
        key: authority_key(),
        account_number: authority_number,
        sequence: 0,
        chain_id: "kills-1".into(),
    };
    (0..=HEIGHTS)
        .map(|h| {
            if h == 0 {
                return Vec::new();
            }
            let to = balances[(h as usize + 3) % balances.len()]["address"]
                .as_str()
                .unwrap();
            let from = sender.address();
            let mut txs = vec![sender.sign(vec![send_msg(&from, to, "stake", 2)])];
            if h == 2 {
                // Scheduled far ahead: the plan is state every block carries.
                let address = authority.address();
                txs.push(authority.sign(vec![schedule_msg(&address, "v9.0.0", 1000)]));
            }
            txs
        })
        .collect()
}

/// Runs the chain to `HEIGHTS`, killing the app after each call whose index
/// is in `kills`; returns the app hash of every height.
fn run(
    home: &Path,
    genesis: &[u8],
    blocks: &[Vec<Vec<u8>>],
    kills: &BTreeSet<usize>,
) -> Vec<Vec<u8>> {
    let mut hashes = vec![Vec::new(); HEIGHTS as usize + 1];
    let mut call = 0usize;
    let mut node = Node::start(home, "v1.0.0", &[]);
    'recover: loop {
        let mut c = node.client();
        let (last, _) = info(&mut c);
        let killed = |call: &mut usize| {
            *call += 1;
            kills.contains(&(*call - 1))
        };
        if last == 0 {
            init_chain(&mut c, "kills-1", genesis);
            if killed(&mut call) {
                node.kill();
                node = Node::start(home, "v1.0.0", &[]);
                continue 'recover;
            }
        }
        for h in last + 1..=HEIGHTS {
            let block: Vec<_> = blocks[h as usize].iter().cloned().map(Into::into).collect();
            let finalized = finalize(&mut c, h, &block);
            hashes[h as usize] = finalized.app_hash.to_vec();
            if killed(&mut call) {
                node.kill();
                node = Node::start(home, "v1.0.0", &[]);
                continue 'recover;
            }
            c.commit().expect("Commit");
            if killed(&mut call) {
                node.kill();
                node = Node::start(home, "v1.0.0", &[]);
                continue 'recover;
            }
        }
        let (height, hash) = info(&mut c);
        assert_eq!(height, HEIGHTS);
        assert_eq!(hash, hashes[HEIGHTS as usize]);
        return hashes;
    }
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 8, ..ProptestConfig::default() })]

    #[test]
    fn killed_between_any_two_calls_the_app_reaches_the_same_hashes(
        kills in proptest::collection::btree_set(0..CALLS, 1..4)
    ) {
        let dir = tempfile::tempdir().unwrap();
        let genesis = app_state(&dir.path().join("scratch"), 8, "v1.0.0");
        let want_home = dir.path().join("reference");
        // The account numbers, from the reference node's first state.
        let node = Node::start(&want_home, "v1.0.0", &[]);
        let mut c = node.client();
        init_chain(&mut c, "kills-1", &genesis);
        let sender = Signer::new(&mut c, sender_key(0), "kills-1").account_number;
        let authority = Signer::new(&mut c, authority_key(), "kills-1").account_number;
        node.kill();
        let parsed: Value = serde_json::from_slice(&genesis).unwrap();
        let blocks = blocks(&parsed, sender, authority);
        let want = run(&want_home, &genesis, &blocks, &BTreeSet::new());
        let got = run(&dir.path().join("killed"), &genesis, &blocks, &kills);
        prop_assert_eq!(got, want, "killed after calls {:?}", kills);
    }
}
