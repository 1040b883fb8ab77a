//! State sync refusals: a chunk that does not match its hash is refetched
//! from another peer; a snapshot whose restored state does not hash to the
//! trusted app hash is refused and nothing is written; a node with state
//! aborts; an unknown format is refused.

#![allow(clippy::unwrap_used, clippy::expect_used)]

mod abci_node;

use abci_node::{Node, app_state, height, info, init_chain};
use tendermint_abci::Client;
use tendermint_proto::v0_38::abci::{
    RequestApplySnapshotChunk, RequestLoadSnapshotChunk, RequestOfferSnapshot, Snapshot,
};

fn offer(c: &mut Client, snapshot: &Snapshot, trusted: &[u8]) -> i32 {
    c.offer_snapshot(RequestOfferSnapshot {
        snapshot: Some(snapshot.clone()),
        app_hash: trusted.to_vec().into(),
    })
    .unwrap()
    .result
}

fn chunk(source: &mut Client, snapshot: &Snapshot, index: u32) -> Vec<u8> {
    source
        .load_snapshot_chunk(RequestLoadSnapshotChunk {
            height: snapshot.height,
            format: snapshot.format,
            chunk: index,
        })
        .unwrap()
        .chunk
        .to_vec()
}

fn apply(c: &mut Client, index: u32, chunk: Vec<u8>) -> (i32, Vec<u32>, Vec<String>) {
    let r = c
        .apply_snapshot_chunk(RequestApplySnapshotChunk {
            index,
            chunk: chunk.into(),
            sender: "peer-x".into(),
        })
        .unwrap();
    (r.result, r.refetch_chunks, r.reject_senders)
}

#[test]
fn bad_chunks_wrong_hashes_and_formats_are_refused() {
    let dir = tempfile::tempdir().unwrap();
    let genesis = app_state(&dir.path().join("scratch"), 30, "v1.0.0");
    let source_node = Node::start(
        &dir.path().join("source"),
        "v1.0.0",
        &["--snapshot-interval", "2", "--snapshot-chunk-bytes", "1500"],
    );
    let mut source = source_node.client();
    init_chain(&mut source, "sync-1", &genesis);
    for h in 1..=4 {
        height(&mut source, h, &[]);
    }
    let (h, trusted) = info(&mut source);
    let snapshots = source.list_snapshots().unwrap().snapshots;
    assert_eq!(
        snapshots.iter().map(|s| s.height).collect::<Vec<_>>(),
        [4, 2],
        "newest first, two kept"
    );
    let snapshot = snapshots[0].clone();
    assert!(snapshot.chunks > 1, "several chunks: {}", snapshot.chunks);

    let fresh = Node::start(&dir.path().join("fresh"), "v1.0.0", &[]);
    let mut c = fresh.client();
    // An unknown format.
    let mut other = snapshot.clone();
    other.format = 7;
    assert_eq!(offer(&mut c, &other, &trusted), 4, "REJECT_FORMAT");
    // Metadata that does not match the snapshot's hash.
    let mut tampered = snapshot.clone();
    tampered.hash = vec![0u8; 32].into();
    assert_eq!(offer(&mut c, &tampered, &trusted), 3, "REJECT");

    // A corrupted chunk is refetched, its sender rejected.
    assert_eq!(offer(&mut c, &snapshot, &trusted), 1, "ACCEPT");
    let mut bad = chunk(&mut source, &snapshot, 0);
    bad[3] ^= 0x40;
    assert_eq!(
        apply(&mut c, 0, bad),
        (3, vec![0], vec!["peer-x".into()]),
        "RETRY"
    );
    for i in 0..snapshot.chunks {
        assert_eq!(
            apply(&mut c, i, chunk(&mut source, &snapshot, i)).0,
            1,
            "ACCEPT"
        );
    }
    assert_eq!(info(&mut c), (h, trusted.clone()));
    // A node with state does not restore.
    assert_eq!(offer(&mut c, &snapshot, &trusted), 2, "ABORT");

    // Another trusted hash: every chunk applies, the last refuses the
    // snapshot, and nothing is written.
    let fresh = Node::start(&dir.path().join("fresh2"), "v1.0.0", &[]);
    let mut c = fresh.client();
    let mut wrong = trusted.clone();
    wrong[0] ^= 1;
    assert_eq!(offer(&mut c, &snapshot, &wrong), 1);
    let last = snapshot.chunks - 1;
    for i in 0..last {
        assert_eq!(apply(&mut c, i, chunk(&mut source, &snapshot, i)).0, 1);
    }
    assert_eq!(
        apply(&mut c, last, chunk(&mut source, &snapshot, last)).0,
        5,
        "REJECT_SNAPSHOT"
    );
    assert_eq!(info(&mut c), (0, vec![]));
}
