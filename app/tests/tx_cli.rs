//! The keys and tx commands on a node home: a send signed with a key of
//! the keyring, queued and included by the next block; `--generate-only`
//! prints the signed TxRaw without touching the node; the authority
//! schedules and cancels an upgrade; `keys list` shows every key.

mod common;

use common::{appd, init, s, status};
use cosmos_sdk_proto::cosmos::tx::v1beta1::{AuthInfo, TxRaw};
use cosmos_sdk_proto::prost::Message;

#[test]
fn send_generate_only_schedule_cancel_and_list() {
    let tmp = tempfile::tempdir().expect("tempdir");
    let home = tmp.path().join("node");
    init(&home, 10, 2);
    let h = s(&home);
    let genesis: serde_json::Value = serde_json::from_str(
        &std::fs::read_to_string(home.join("config/genesis.json")).expect("genesis"),
    )
    .expect("JSON");
    let to = genesis["app_state"]["bank"]["balances"][0]["address"]
        .as_str()
        .expect("an address")
        .to_owned();
    let before = appd(&["query", "bank", "balance", &to, "stake", "--home", h])
        .ok()
        .json();
    let amount = |v: &serde_json::Value| {
        v["balance"]["amount"]
            .as_str()
            .expect("amount")
            .parse::<u128>()
            .expect("n")
    };

    appd(&[
        "tx",
        "bank",
        "send",
        "authority",
        &to,
        "10stake",
        "--home",
        h,
    ])
    .ok();
    appd(&[
        "start",
        "--home",
        h,
        "--release",
        "v1.0.0",
        "--blocks",
        "1",
        "--txs-per-block",
        "0",
    ])
    .ok();
    let after = appd(&["query", "bank", "balance", &to, "stake", "--home", h])
        .ok()
        .json();
    assert_eq!(amount(&after), amount(&before) + 10);

    // Offline: the same bytes twice (RFC 6979), the given sequence, nothing queued.
    let offline = [
        "tx",
        "bank",
        "send",
        "authority",
        &to,
        "1stake",
        "--home",
        h,
        "--generate-only",
        "--chain-id",
        "other-9",
        "--sequence",
        "7",
        "--account-number",
        "3",
    ];
    let first = appd(&offline).ok().stdout;
    assert_eq!(appd(&offline).ok().stdout, first);
    let raw = TxRaw::decode(
        base64::Engine::decode(&base64::engine::general_purpose::STANDARD, first.trim())
            .expect("base64")
            .as_slice(),
    )
    .expect("a TxRaw");
    let info = AuthInfo::decode(raw.auth_info_bytes.as_slice()).expect("auth info");
    assert_eq!(info.signer_infos[0].sequence, 7);
    assert_eq!(raw.signatures[0].len(), 64);
    let queued: serde_json::Value = serde_json::from_str(
        &std::fs::read_to_string(home.join("data/mempool.json")).expect("mempool"),
    )
    .expect("JSON");
    assert_eq!(
        queued["entries"].as_array().expect("entries").len(),
        1,
        "--generate-only queued nothing"
    );

    // The authority schedules, then cancels.
    appd(&[
        "tx",
        "upgrade",
        "software-upgrade",
        "v2.0.0",
        "--upgrade-height",
        "30",
        "--from",
        "authority",
        "--home",
        h,
    ])
    .ok();
    appd(&[
        "start",
        "--home",
        h,
        "--release",
        "v1.0.0",
        "--blocks",
        "1",
        "--txs-per-block",
        "0",
    ])
    .ok();
    assert_eq!(status(&home)["pending_plan"]["name"], "v2.0.0");
    appd(&[
        "tx",
        "upgrade",
        "cancel-software-upgrade",
        "--from",
        "authority",
        "--home",
        h,
    ])
    .ok();
    appd(&[
        "start",
        "--home",
        h,
        "--release",
        "v1.0.0",
        "--blocks",
        "1",
        "--txs-per-block",
        "0",
    ])
    .ok();
    assert_eq!(status(&home)["pending_plan"], serde_json::Value::Null);

    appd(&["keys", "add", "alice", "--home", h]).ok();
    let keys = appd(&["keys", "list", "--home", h, "--output", "json"])
        .ok()
        .json();
    let names: Vec<&str> = keys
        .as_array()
        .expect("a list")
        .iter()
        .map(|k| k["name"].as_str().expect("name"))
        .collect();
    assert_eq!(names, ["alice", "authority"]);
    let missing = appd(&["tx", "bank", "send", "nobody", &to, "1stake", "--home", h]).failed();
    assert!(
        missing.error().contains("\"nobody\" is neither a key in"),
        "{}",
        missing.error()
    );
}
