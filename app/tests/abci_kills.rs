//! The app killed (SIGKILL) between any two ABCI calls of a run, at points
//! proptest draws, then restarted and driven as CometBFT recovers it
//! (`Info`, InitChain again while it reports height 0, then FinalizeBlock
//! and Commit from the height after the last committed one): every run
//! reaches the app hashes of a run without a kill.

#![allow(clippy::unwrap_used, clippy::expect_used)]

mod abci_node;

use std::collections::BTreeSet;
use std::path::Path;

use abci_node::{Node, app_state, finalize, info, init_chain, schedule_tx};
use proptest::prelude::*;
use serde_json::{Value, json};

const HEIGHTS: i64 = 6;
/// InitChain, then FinalizeBlock and Commit per height.
const CALLS: usize = 1 + 2 * HEIGHTS as usize;

fn txs(genesis: &Value, height: i64) -> Vec<Vec<u8>> {
    let balances = genesis["bank"]["balances"].as_array().unwrap();
    let from = &balances[height as usize % balances.len()];
    let to = &balances[(height as usize + 3) % balances.len()];
    let mut txs = vec![
        serde_json::to_vec(&json!({
            "signer": from["address"],
            "msgs": [{
                "@type": "/cosmos.bank.v1beta1.MsgSend",
                "from_address": from["address"],
                "to_address": to["address"],
                "amount": [{"denom": from["coins"][0]["denom"], "amount": "2"}],
            }],
        }))
        .unwrap(),
    ];
    if height == 2 {
        // Scheduled far ahead: the plan is state every block carries.
        txs.push(schedule_tx("v9.0.0", 1000));
    }
    txs
}

/// Runs the chain to `HEIGHTS`, killing the app after each call whose index
/// is in `kills`; returns the app hash of every height.
fn run(home: &Path, genesis: &[u8], kills: &BTreeSet<usize>) -> Vec<Vec<u8>> {
    let parsed: Value = serde_json::from_slice(genesis).unwrap();
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
            let block: Vec<_> = txs(&parsed, h).into_iter().map(Into::into).collect();
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
        let want = run(&dir.path().join("reference"), &genesis, &BTreeSet::new());
        let got = run(&dir.path().join("killed"), &genesis, &kills);
        prop_assert_eq!(got, want, "killed after calls {:?}", kills);
    }
}
