//! Driving `appd start --abci` the way CometBFT does, with a client this
//! project did not write (tendermint-abci's `Client`) over a real loopback
//! socket: a node process, and the calls of CometBFT's ABCI grammar
//! (`spec/abci/abci++_comet_expected_behavior.md`).
#![allow(dead_code, clippy::unwrap_used, clippy::expect_used)]

use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::Duration;

use cosmrs::Any;
use cosmrs::crypto::secp256k1::SigningKey;
use cosmrs::tx::{self, Msg as _};
use serde_json::{Value, json};
use tendermint_abci::{Client, ClientBuilder};
use tendermint_proto::v0_38::abci::{
    RequestFinalizeBlock, RequestInfo, RequestInitChain, ResponseFinalizeBlock,
};

/// The binary under test.
pub const APPD: &str = env!("CARGO_BIN_EXE_appd");

/// A running `appd start --abci` process.
pub struct Node {
    pub child: Child,
    pub address: String,
    pub home: PathBuf,
}

impl Node {
    /// Starts `appd start --abci tcp://127.0.0.1:0 --home HOME --release R
    /// [extra...]` and waits for the address it announces.
    pub fn start(home: &Path, release: &str, extra: &[&str]) -> Node {
        let mut child = Command::new(APPD)
            .args(["start", "--abci", "tcp://127.0.0.1:0", "--home"])
            .arg(home)
            .args(["--release", release])
            .args(extra)
            .env_remove("APPD_HOME")
            .env("RUST_LOG", "warn")
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .expect("spawn appd");
        let stdout = child.stdout.take().expect("stdout");
        let mut line = String::new();
        BufReader::new(stdout).read_line(&mut line).expect("read");
        let address = line
            .trim()
            .strip_prefix("ABCI server listening on tcp://")
            .unwrap_or_else(|| panic!("appd did not announce its address: {line:?}"))
            .to_owned();
        Node {
            child,
            address,
            home: home.to_owned(),
        }
    }

    /// A stand-in while a node is being replaced: no process.
    pub fn placeholder() -> Node {
        Node {
            child: Command::new("true").spawn().expect("spawn true"),
            address: String::new(),
            home: PathBuf::new(),
        }
    }

    /// A new connection (CometBFT opens one per role).
    pub fn client(&self) -> Client {
        ClientBuilder::default()
            .connect(&self.address)
            .expect("connect")
    }

    /// SIGKILLs the process.
    pub fn kill(mut self) {
        self.child.kill().expect("kill");
        self.child.wait().expect("reap");
    }

    /// Waits for the process to exit (bounded) and returns its code and stderr.
    pub fn exit(mut self) -> (Option<i32>, String) {
        for _ in 0..200 {
            if let Some(status) = self.child.try_wait().expect("wait") {
                let mut stderr = String::new();
                if let Some(mut e) = self.child.stderr.take() {
                    std::io::Read::read_to_string(&mut e, &mut stderr).expect("stderr");
                }
                return (status.code(), stderr);
            }
            std::thread::sleep(Duration::from_millis(25));
        }
        self.child.kill().expect("kill");
        panic!("appd did not exit within 5 s");
    }
}

impl Drop for Node {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// The private key of the test chains' upgrade authority.
pub const AUTHORITY_HEX: &str = "a1a1a1a1a1a1a1a1a1a1a1a1a1a1a1a1a1a1a1a1a1a1a1a1a1a1a1a1a1a1a1a1";

/// The `app_state` of a generated genesis of `accounts` accounts as
/// release `release` (via `appd init` on a scratch home), whose upgrade
/// authority is the key [`authority_key`], funded.
pub fn app_state(scratch: &Path, accounts: u64, release: &str) -> Vec<u8> {
    let run = |args: &[&str]| {
        let out = Command::new(APPD)
            .args(args)
            .arg("--home")
            .arg(scratch)
            .env("RUST_LOG", "warn")
            .output()
            .expect("appd");
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
    };
    run(&["keys", "add", "authority", "--private-key", AUTHORITY_HEX]);
    run(&[
        "init",
        "--accounts",
        &accounts.to_string(),
        "--release",
        release,
        "--authority",
        "authority",
        "--fund",
        "authority=1000000stake",
    ]);
    let genesis: Value =
        serde_json::from_slice(&std::fs::read(scratch.join("config/genesis.json")).unwrap())
            .unwrap();
    serde_json::to_vec(&genesis["app_state"]).unwrap()
}

/// The upgrade authority's key.
pub fn authority_key() -> SigningKey {
    SigningKey::from_slice(&hex_bytes(AUTHORITY_HEX)).unwrap()
}

/// The key of the generator's funded sender `index` (the binary derives
/// them the same way: SHA-256 of `appd-sender/<index>/0`).
pub fn sender_key(index: u64) -> SigningKey {
    use sha2::{Digest, Sha256};
    SigningKey::from_slice(&Sha256::digest(format!("appd-sender/{index}/0"))).unwrap()
}

fn hex_bytes(text: &str) -> Vec<u8> {
    (0..text.len())
        .step_by(2)
        .map(|i| u8::from_str_radix(&text[i..i + 2], 16).unwrap())
        .collect()
}

/// A key with its account number and next sequence, signing with cosmrs
/// (SIGN_MODE_DIRECT) for one chain.
pub struct Signer {
    pub key: SigningKey,
    pub account_number: u64,
    pub sequence: u64,
    pub chain_id: String,
}

impl Signer {
    /// `key` on `chain_id`, its account read through the node's
    /// `/cosmos.auth.v1beta1.Query/Account`.
    pub fn new(client: &mut Client, key: SigningKey, chain_id: &str) -> Signer {
        let address = key.public_key().account_id("cosmos").unwrap().to_string();
        let answer = client
            .query(tendermint_proto::v0_38::abci::RequestQuery {
                path: "/cosmos.auth.v1beta1.Query/Account".into(),
                data: serde_json::to_vec(&json!({"address": address}))
                    .unwrap()
                    .into(),
                ..Default::default()
            })
            .unwrap();
        assert_eq!(answer.code, 0, "{}", answer.log);
        let account: Value = serde_json::from_slice(&answer.value).unwrap();
        let field = |name: &str| {
            account["account"][name]
                .as_str()
                .unwrap()
                .parse::<u64>()
                .unwrap()
        };
        Signer {
            account_number: field("account_number"),
            sequence: field("sequence"),
            key,
            chain_id: chain_id.to_owned(),
        }
    }

    /// The signer's address.
    pub fn address(&self) -> String {
        self.key
            .public_key()
            .account_id("cosmos")
            .unwrap()
            .to_string()
    }

    /// `msgs` signed at the next sequence.
    pub fn sign(&mut self, msgs: Vec<Any>) -> Vec<u8> {
        let body = tx::Body::new(msgs, "", 0u32);
        let fee = tx::Fee {
            amount: vec![],
            gas_limit: 200_000,
            payer: None,
            granter: None,
        };
        let auth_info = tx::SignerInfo::single_direct(Some(self.key.public_key()), self.sequence)
            .auth_info(fee);
        let doc = tx::SignDoc::new(
            &body,
            &auth_info,
            &self.chain_id.parse().unwrap(),
            self.account_number,
        )
        .unwrap();
        self.sequence += 1;
        doc.sign(&self.key).unwrap().to_bytes().unwrap()
    }
}

/// The authority's `MsgSoftwareUpgrade` of `name` at `height`.
pub fn schedule_msg(authority: &str, name: &str, height: u64) -> Any {
    Any {
        type_url: "/cosmos.upgrade.v1beta1.MsgSoftwareUpgrade".into(),
        value: cosmos_sdk_proto::prost::Message::encode_to_vec(
            &cosmos_sdk_proto::cosmos::upgrade::v1beta1::MsgSoftwareUpgrade {
                authority: authority.into(),
                plan: Some(cosmos_sdk_proto::cosmos::upgrade::v1beta1::Plan {
                    name: name.into(),
                    height: height as i64,
                    info: "abci test".into(),
                    ..Default::default()
                }),
            },
        ),
    }
}

/// A `MsgSend` of `amount` `denom` from `from` to `to`.
pub fn send_msg(from: &str, to: &str, denom: &str, amount: u128) -> Any {
    cosmrs::bank::MsgSend {
        from_address: from.parse().unwrap(),
        to_address: to.parse().unwrap(),
        amount: vec![cosmrs::Coin {
            denom: denom.parse().unwrap(),
            amount,
        }],
    }
    .to_any()
    .unwrap()
}

/// InitChain as CometBFT sends it for `chain_id`.
pub fn init_chain(client: &mut Client, chain_id: &str, app_state: &[u8]) -> Vec<u8> {
    client
        .init_chain(RequestInitChain {
            chain_id: chain_id.into(),
            app_state_bytes: app_state.to_vec().into(),
            initial_height: 1,
            time: Some(tendermint_proto::google::protobuf::Timestamp {
                seconds: 1_700_000_000,
                nanos: 0,
            }),
            ..Default::default()
        })
        .expect("InitChain")
        .app_hash
        .to_vec()
}

/// `Info`: (last block height, its app hash).
pub fn info(client: &mut Client) -> (i64, Vec<u8>) {
    let r = client.info(RequestInfo::default()).expect("Info");
    (r.last_block_height, r.last_block_app_hash.to_vec())
}

/// One height as a non-proposer sees it once decided (the grammar's
/// `decide commit`; tendermint-abci's client has no proposal calls, which
/// the grammar makes optional): FinalizeBlock, Commit.
pub fn height(client: &mut Client, height: i64, txs: &[Vec<u8>]) -> ResponseFinalizeBlock {
    let txs: Vec<_> = txs.iter().map(|t| t.clone().into()).collect();
    let finalized = finalize(client, height, &txs);
    client.commit().expect("Commit");
    finalized
}

/// FinalizeBlock alone.
pub fn finalize(
    client: &mut Client,
    height: i64,
    txs: &[prost_bytes::Bytes],
) -> ResponseFinalizeBlock {
    client
        .finalize_block(RequestFinalizeBlock {
            txs: txs.to_vec(),
            height,
            ..Default::default()
        })
        .expect("FinalizeBlock")
}

pub use prost::bytes as prost_bytes;
