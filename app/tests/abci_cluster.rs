//! Four app processes fed the same blocks through ABCI agree on every app
//! hash, transaction result and event, across the v2.0.0 and v3.0.0
//! upgrades with the lazy store migration running at a different
//! `--migration-batch` on each node, and with the fourth node joining
//! halfway by state sync from the first one's snapshot.

#![allow(clippy::unwrap_used, clippy::expect_used)]

mod abci_node;

use std::path::Path;

use abci_node::{
    Node, Signer, app_state, authority_key, info, init_chain, schedule_msg, send_msg, sender_key,
};
use serde_json::{Value, json};
use tendermint_abci::Client;
use tendermint_proto::v0_38::abci::{
    RequestApplySnapshotChunk, RequestFinalizeBlock, RequestLoadSnapshotChunk,
    RequestOfferSnapshot, RequestQuery, ResponseFinalizeBlock,
};

const RELEASES: [&str; 3] = ["v1.0.0", "v2.0.0", "v3.0.0"];

/// One node of the cluster: restarted as the next release when it halts
/// for an upgrade, as cosmovisor does.
struct Member {
    node: Node,
    client: Client,
    release: usize,
    extra: Vec<String>,
}

impl Member {
    fn start(home: &Path, release: usize, extra: &[&str]) -> Member {
        let node = Node::start(home, RELEASES[release], extra);
        let client = node.client();
        Member {
            node,
            client,
            release,
            extra: extra.iter().map(|s| (*s).to_owned()).collect(),
        }
    }

    /// FinalizeBlock + Commit of `height`; on `UPGRADE NEEDED` the node
    /// exits, and the next release replays the height.
    fn step(&mut self, height: i64, txs: &[Vec<u8>]) -> ResponseFinalizeBlock {
        let request = RequestFinalizeBlock {
            txs: txs.iter().map(|t| t.clone().into()).collect(),
            height,
            ..Default::default()
        };
        match self.client.finalize_block(request.clone()) {
            Ok(r) => {
                self.client.commit().expect("Commit");
                r
            }
            Err(_) => {
                let home = self.node.home.clone();
                let old = std::mem::replace(&mut self.node, Node::placeholder());
                let (code, stderr) = old.exit();
                assert_eq!(code, Some(1), "{stderr}");
                assert!(stderr.contains("NEEDED"), "{stderr}");
                self.release += 1;
                let extra: Vec<&str> = self.extra.iter().map(String::as_str).collect();
                *self = Member::start(&home, self.release, &extra);
                let r = self
                    .client
                    .finalize_block(request)
                    .expect("replayed FinalizeBlock");
                self.client.commit().expect("Commit");
                r
            }
        }
    }
}

/// Three signed sends of 1 unit from the generator's funded senders to
/// genesis accounts, deterministic in `height`.
fn sends(genesis: &Value, senders: &mut [Signer], height: i64) -> Vec<Vec<u8>> {
    let balances = genesis["bank"]["balances"].as_array().expect("balances");
    (0..3)
        .map(|i| {
            let n = senders.len();
            let signer = &mut senders[(height as usize * 3 + i) % n];
            let to = balances[(height as usize * 7 + i + 1) % balances.len()]["address"]
                .as_str()
                .unwrap()
                .to_owned();
            let from = signer.address();
            signer.sign(vec![send_msg(&from, &to, "stake", 1)])
        })
        .collect()
}

/// Restores `member` (fresh) from `source`'s newest snapshot, trusting
/// `source`'s app hash at that height.
fn state_sync(member: &mut Member, source: &mut Member, trusted: &[u8]) -> u64 {
    let snapshot = source
        .client
        .list_snapshots()
        .unwrap()
        .snapshots
        .into_iter()
        .next()
        .expect("a snapshot");
    let offered = member
        .client
        .offer_snapshot(RequestOfferSnapshot {
            snapshot: Some(snapshot.clone()),
            app_hash: trusted.to_vec().into(),
        })
        .unwrap();
    assert_eq!(offered.result, 1, "ACCEPT");
    for index in 0..snapshot.chunks {
        let chunk = source
            .client
            .load_snapshot_chunk(RequestLoadSnapshotChunk {
                height: snapshot.height,
                format: snapshot.format,
                chunk: index,
            })
            .unwrap()
            .chunk;
        let applied = member
            .client
            .apply_snapshot_chunk(RequestApplySnapshotChunk {
                index,
                chunk,
                sender: "peer-a".into(),
            })
            .unwrap();
        assert_eq!(applied.result, 1, "ACCEPT chunk {index}");
    }
    snapshot.height
}

#[test]
fn four_nodes_agree_across_upgrades_with_the_lazy_migration_and_a_state_synced_node() {
    let dir = tempfile::tempdir().unwrap();
    let genesis_bytes = app_state(&dir.path().join("scratch"), 40, "v1.0.0");
    let genesis: Value = serde_json::from_slice(&genesis_bytes).unwrap();
    let home = |n: &str| dir.path().join(n);
    let snapshotting = [
        "--migration-batch",
        "1",
        "--snapshot-interval",
        "4",
        "--snapshot-chunk-bytes",
        "2000",
    ];
    let mut members = vec![
        Member::start(&home("a"), 0, &snapshotting),
        Member::start(&home("b"), 0, &["--migration-batch", "7"]),
        Member::start(&home("c"), 0, &["--migration-batch", "10000"]),
    ];
    for m in &mut members {
        init_chain(&mut m.client, "cluster-1", &genesis_bytes);
    }
    let mut senders: Vec<Signer> = (0..4)
        .map(|i| Signer::new(&mut members[0].client, sender_key(i), "cluster-1"))
        .collect();
    let mut authority = Signer::new(&mut members[0].client, authority_key(), "cluster-1");
    let authority_address = authority.address();
    let mut joined = false;
    for h in 1..=18i64 {
        let mut txs = sends(&genesis, &mut senders, h);
        match h {
            2 => txs.push(authority.sign(vec![schedule_msg(&authority_address, "v2.0.0", 5)])),
            7 => txs.push(authority.sign(vec![schedule_msg(&authority_address, "v3.0.0", 10)])),
            _ => {}
        }
        if h == 13 && !joined {
            // The fourth node joins by state sync from a's newest snapshot.
            let (height, hash) = info(&mut members[0].client);
            let mut d = Member::start(&home("d"), 2, &["--migration-batch", "3"]);
            let restored = state_sync(&mut d, &mut members[0], &hash);
            assert_eq!(restored, 12);
            assert_eq!(info(&mut d.client), (height, hash));
            members.push(d);
            joined = true;
        }
        let results: Vec<ResponseFinalizeBlock> =
            members.iter_mut().map(|m| m.step(h, &txs)).collect();
        for (i, r) in results.iter().enumerate().skip(1) {
            assert_eq!(r.app_hash, results[0].app_hash, "node {i} at height {h}");
            assert_eq!(
                r.tx_results, results[0].tx_results,
                "node {i} at height {h}"
            );
            assert_eq!(r.events, results[0].events, "node {i} at height {h}");
        }
        assert!(
            results[0].tx_results.iter().all(|t| t.code == 0),
            "height {h}: {:?}",
            results[0].tx_results
        );
    }
    assert!(
        members.iter().all(|m| m.release == 2),
        "every node ran v3.0.0"
    );
    let migration = |m: &mut Member| -> Value {
        let r = m
            .client
            .query(RequestQuery {
                path: "/upgrade/migration".into(),
                ..Default::default()
            })
            .unwrap();
        serde_json::from_slice(&r.value).unwrap()
    };
    // The lazy migration runs at each node's pace: still going on a, done on c.
    assert_eq!(migration(&mut members[0])["status"], "running");
    assert_eq!(migration(&mut members[2])["status"], "complete");
    // A bank query through a Cosmos gRPC path, answered alike everywhere.
    let address = genesis["bank"]["balances"][0]["address"].as_str().unwrap();
    let balances: Vec<Vec<u8>> = members
        .iter_mut()
        .map(|m| {
            let r = m
                .client
                .query(RequestQuery {
                    path: "/cosmos.bank.v1beta1.Query/AllBalances".into(),
                    data: serde_json::to_vec(&json!({"address": address}))
                        .unwrap()
                        .into(),
                    ..Default::default()
                })
                .unwrap();
            assert_eq!(r.code, 0, "{}", r.log);
            r.value.to_vec()
        })
        .collect();
    assert!(balances.windows(2).all(|w| w[0] == w[1]));
}
