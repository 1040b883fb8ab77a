//! The whole upgrade life under ABCI, as with cosmovisor: the authority's
//! transaction schedules v2.0.0; at its height the v1.0.0 binary answers
//! FinalizeBlock with an exception, writes `data/upgrade-info.json` and
//! exits non-zero; `pre-upgrade` (ADR-047 exit codes) vets the new binary;
//! the v2.0.0 binary answers `Info` with the last committed height, and
//! CometBFT's replay of that block applies the upgrade; the chain goes on.

#![allow(clippy::unwrap_used, clippy::expect_used)]

mod abci_node;

use std::process::Command;

use abci_node::{
    APPD, Node, Signer, app_state, authority_key, finalize, height, info, init_chain, schedule_msg,
};
use serde_json::Value;
use tendermint_proto::v0_38::abci::RequestFinalizeBlock;

fn pre_upgrade(home: &std::path::Path, release: &str) -> (Option<i32>, String) {
    let out = Command::new(APPD)
        .args(["pre-upgrade", "--home"])
        .arg(home)
        .args(["--release", release])
        .env("RUST_LOG", "warn")
        .output()
        .expect("pre-upgrade");
    (
        out.status.code(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

#[test]
fn halt_upgrade_info_new_binary_replays_the_block_and_the_chain_goes_on() {
    let dir = tempfile::tempdir().unwrap();
    let genesis = app_state(&dir.path().join("scratch"), 10, "v1.0.0");
    let home = dir.path().join("node");

    // No upgrade-info.json yet: nothing to vet, and retrying will not help.
    assert_eq!(pre_upgrade(&home, "v2.0.0").0, Some(30));

    let node = Node::start(&home, "v1.0.0", &[]);
    let mut c = node.client();
    init_chain(&mut c, "abci-up-1", &genesis);
    height(&mut c, 1, &[]);
    // The authority's signed MsgSoftwareUpgrade.
    let mut authority = Signer::new(&mut c, authority_key(), "abci-up-1");
    let tx = authority.sign(vec![schedule_msg(&authority.address(), "v2.0.0", 4)]);
    let scheduled = height(&mut c, 2, &[tx]);
    assert_eq!(
        scheduled.tx_results[0].code, 0,
        "{}",
        scheduled.tx_results[0].log
    );
    let third = height(&mut c, 3, &[]).app_hash.to_vec();

    // The halt: an exception (CometBFT stops on it), upgrade-info.json, exit 1.
    let halted = c.finalize_block(RequestFinalizeBlock {
        height: 4,
        ..Default::default()
    });
    assert!(
        halted.is_err(),
        "FinalizeBlock at the upgrade height must fail"
    );
    let (code, stderr) = node.exit();
    assert_eq!(code, Some(1), "{stderr}");
    assert!(
        stderr.contains("UPGRADE \"v2.0.0\" NEEDED at height: 4: abci test"),
        "{stderr}"
    );
    let info_file: Value =
        serde_json::from_slice(&std::fs::read(home.join("data/upgrade-info.json")).unwrap())
            .unwrap();
    assert_eq!(info_file["name"], "v2.0.0");
    assert_eq!(info_file["height"], 4);

    // cosmovisor's pre-upgrade with each binary.
    let (code, stderr) = pre_upgrade(&home, "v1.0.0");
    assert_eq!(code, Some(30), "{stderr}");
    assert!(
        stderr.contains("no handler for upgrade \"v2.0.0\""),
        "{stderr}"
    );
    let (code, stderr) = pre_upgrade(&home, "v2.0.0");
    assert_eq!(code, Some(0), "{stderr}");

    // The new binary: Info, then the replayed block applies the upgrade.
    let node = Node::start(&home, "v2.0.0", &[]);
    let mut c = node.client();
    assert_eq!(info(&mut c), (3, third));
    let upgraded = finalize(&mut c, 4, &[]);
    let event = upgraded
        .events
        .iter()
        .find(|e| e.r#type == "upgrade")
        .expect("an upgrade event");
    assert_eq!(event.attributes[0].value, "v2.0.0");
    // The new app version goes into the next headers (state sync checks it).
    let version = upgraded.consensus_param_updates.and_then(|p| p.version);
    assert_eq!(version.map(|v| v.app), Some(1));
    c.commit().expect("Commit");
    let reported = c.info(Default::default()).expect("Info").app_version;
    assert_eq!(reported, 1);
    let fifth = height(&mut c, 5, &[]);
    assert_eq!(info(&mut c), (5, fifth.app_hash.to_vec()));
    // The old binary now refuses to start on the upgraded state.
    drop(node);
    let old = Command::new(APPD)
        .args(["start", "--abci", "tcp://127.0.0.1:0", "--home"])
        .arg(&home)
        .args(["--release", "v1.0.0"])
        .env("RUST_LOG", "warn")
        .output()
        .expect("old binary");
    assert!(!old.status.success());
}
