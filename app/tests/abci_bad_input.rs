//! Bad input on the ABCI socket: malformed and oversized frames, empty or
//! unknown request types, calls out of the grammar's order (FinalizeBlock
//! before InitChain, a skipped height, Commit twice), transactions that do
//! not decode, a query at a height the node does not keep. Each gets an
//! exception or an error code, never a panic or a half-committed block,
//! and the node keeps serving new connections.

#![allow(clippy::unwrap_used, clippy::expect_used)]

mod abci_node;

use std::io::{Read, Write};
use std::net::TcpStream;
use std::time::Duration;

use abci_node::{Node, app_state, height, info, init_chain};
use prost::Message;
use tendermint_proto::v0_38::abci::{
    Request, RequestCheckTx, RequestFinalizeBlock, RequestPrepareProposal, RequestProcessProposal,
    RequestQuery, Response, request, response,
};

/// A raw connection speaking the socket protocol with prost.
struct Raw(TcpStream);

impl Raw {
    fn connect(node: &Node) -> Raw {
        let s = TcpStream::connect(&node.address).unwrap();
        s.set_read_timeout(Some(Duration::from_secs(5))).unwrap();
        Raw(s)
    }
    fn send_bytes(&mut self, bytes: &[u8]) {
        self.0.write_all(bytes).unwrap();
    }
    fn send(&mut self, value: request::Value) {
        let bytes = Request { value: Some(value) }.encode_length_delimited_to_vec();
        self.send_bytes(&bytes);
    }
    /// The next response, `None` once the server closed the connection.
    fn recv(&mut self) -> Option<response::Value> {
        let mut all = Vec::new();
        let mut byte = [0u8; 1];
        loop {
            if self.0.read(&mut byte).unwrap() == 0 {
                return None;
            }
            all.push(byte[0]);
            if let Ok(r) = Response::decode_length_delimited(all.as_slice()) {
                return r.value;
            }
        }
    }
    fn closed(&mut self) -> bool {
        let mut byte = [0u8; 1];
        matches!(self.0.read(&mut byte), Ok(0))
    }
}

fn exception(value: Option<response::Value>) -> String {
    match value {
        Some(response::Value::Exception(e)) => e.error,
        other => panic!("expected an exception, got {other:?}"),
    }
}

#[test]
fn malformed_frames_get_an_exception_and_the_connection_closes() {
    let dir = tempfile::tempdir().unwrap();
    let node = Node::start(
        &dir.path().join("n"),
        "v1.0.0",
        &["--abci-max-frame", "4096"],
    );

    let mut raw = Raw::connect(&node);
    raw.send_bytes(&[0x05, 0xff, 0xff, 0xff, 0xff, 0xff]);
    assert!(exception(raw.recv()).contains("malformed frame: the body is not an ABCI request"));
    assert!(raw.closed());

    let mut raw = Raw::connect(&node);
    let mut huge = Vec::new();
    prost::encoding::encode_varint(1 << 30, &mut huge);
    raw.send_bytes(&huge);
    assert_eq!(
        exception(raw.recv()),
        "frame of 1073741824 bytes exceeds the limit of 4096 bytes"
    );
    assert!(raw.closed());

    let mut raw = Raw::connect(&node);
    raw.send_bytes(&[0xff; 11]);
    assert!(exception(raw.recv()).contains("length prefix is not a valid unsigned varint"));

    // An empty request (no type, or one this version does not know).
    let mut raw = Raw::connect(&node);
    raw.send_bytes(&[0x00]);
    assert_eq!(exception(raw.recv()), "empty or unknown ABCI request type");
    let mut unknown = Vec::new();
    prost::encoding::encode_key(99, prost::encoding::WireType::Varint, &mut unknown);
    unknown.push(1);
    let mut framed = Vec::new();
    prost::encoding::encode_varint(unknown.len() as u64, &mut framed);
    framed.extend(unknown);
    raw.send_bytes(&framed);
    assert_eq!(exception(raw.recv()), "empty or unknown ABCI request type");

    // The node still serves.
    let mut c = node.client();
    assert_eq!(info(&mut c), (0, vec![]));
}

#[test]
fn calls_out_of_order_are_refused_and_nothing_is_half_committed() {
    let dir = tempfile::tempdir().unwrap();
    let genesis = app_state(&dir.path().join("scratch"), 5, "v1.0.0");
    let node = Node::start(&dir.path().join("n"), "v1.0.0", &[]);
    let mut raw = Raw::connect(&node);
    raw.send(request::Value::FinalizeBlock(RequestFinalizeBlock {
        height: 1,
        ..Default::default()
    }));
    assert_eq!(
        exception(raw.recv()),
        "FinalizeBlock before InitChain: the chain has no state yet"
    );

    let mut c = node.client();
    init_chain(&mut c, "bad-1", &genesis);
    let first = height(&mut c, 1, &[]).app_hash.to_vec();
    let mut raw = Raw::connect(&node);
    raw.send(request::Value::FinalizeBlock(RequestFinalizeBlock {
        height: 3,
        ..Default::default()
    }));
    assert_eq!(
        exception(raw.recv()),
        "FinalizeBlock for height 3 but the last committed height is 1; the next block is 2"
    );
    raw.send(request::Value::Commit(Default::default()));
    assert_eq!(
        exception(raw.recv()),
        "Commit without a finalized block: FinalizeBlock must come first"
    );
    assert_eq!(info(&mut c), (1, first));

    // InitChain of another chain on this state.
    let err = c
        .init_chain(tendermint_proto::v0_38::abci::RequestInitChain {
            chain_id: "other-1".into(),
            initial_height: 1,
            ..Default::default()
        })
        .unwrap_err();
    assert!(
        format!("{err:?}").contains("already holds chain"),
        "{err:?}"
    );
}

#[test]
fn undecodable_transactions_and_proposals() {
    let dir = tempfile::tempdir().unwrap();
    let genesis = app_state(&dir.path().join("scratch"), 5, "v1.0.0");
    let node = Node::start(&dir.path().join("n"), "v1.0.0", &[]);
    let mut c = node.client();
    init_chain(&mut c, "bad-2", &genesis);

    let garbage = b"\x00\x01not json".to_vec();
    let checked = c
        .check_tx(RequestCheckTx {
            tx: garbage.clone().into(),
            r#type: 0,
        })
        .unwrap();
    assert_eq!((checked.code, checked.codespace.as_str()), (2, "sdk"));
    let big = vec![b' '; (1 << 20) + 1];
    let checked = c
        .check_tx(RequestCheckTx {
            tx: big.into(),
            r#type: 0,
        })
        .unwrap();
    assert_eq!(checked.code, 21, "{}", checked.log);

    let mut raw = Raw::connect(&node);
    raw.send(request::Value::ProcessProposal(RequestProcessProposal {
        txs: vec![garbage.clone().into()],
        height: 1,
        ..Default::default()
    }));
    match raw.recv() {
        Some(response::Value::ProcessProposal(r)) => assert_eq!(r.status, 2, "REJECT"),
        other => panic!("{other:?}"),
    }
    raw.send(request::Value::PrepareProposal(RequestPrepareProposal {
        txs: vec![garbage.clone().into(), b"{}".to_vec().into()],
        max_tx_bytes: 1000,
        height: 1,
        ..Default::default()
    }));
    match raw.recv() {
        Some(response::Value::PrepareProposal(r)) => assert!(r.txs.is_empty(), "{r:?}"),
        other => panic!("{other:?}"),
    }

    // A decided block may still carry one: it fails alone, the block goes on.
    let block = height(&mut c, 1, &[garbage]);
    assert_eq!(block.tx_results.len(), 1);
    assert_eq!(block.tx_results[0].code, 2);

    let q = c
        .query(RequestQuery {
            path: "/cosmos.upgrade.v1beta1.Query/CurrentPlan".into(),
            height: 7,
            ..Default::default()
        })
        .unwrap();
    assert_eq!(q.code, 1);
    assert!(q.log.contains("height 7 is not retained"), "{}", q.log);
    let q = c
        .query(RequestQuery {
            path: "/no/such/path".into(),
            ..Default::default()
        })
        .unwrap();
    assert_eq!(
        (q.code, q.log.as_str()),
        (1, "unknown query path \"/no/such/path\"")
    );
}
