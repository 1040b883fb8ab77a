//! Nodes with different lazy-migration batch sizes run identical blocks
//! through v2.0.0 and v3.0.0: the app hash agrees at every height and the
//! exported state agrees once every node has finished its migration.

mod common;

use common::*;

use app_modules::address::Address;
use app_modules::auth::query::accounts;
use app_modules::bank::msgs::MsgSend;
use app_modules::bank::query::balances_of;
use app_modules::coin::Coin;
use app_upgrades::release;
use upgrade_runtime::app::{App, AppConfig, AppError};
use upgrade_runtime::genesis::AppGenesis;
use upgrade_runtime::store::{Layout, LayoutState, StateDelta, Storage};
use upgrade_runtime::{AppHash, Tx};

const V2_HEIGHT: u64 = 4;
const V3_HEIGHT: u64 = 8;

fn open(path: &std::path::Path, name: &str, batch: u64) -> App {
    let storage = if path.exists() {
        Storage::open(path).expect("open")
    } else {
        Storage::create(path, Layout::V1).expect("create")
    };
    let config = AppConfig {
        migration_batch: batch,
        // The shipped migrations' pre/post checks run, and pass, on every node.
        checked_upgrades: true,
        ..config()
    };
    node(storage, name, config)
}

/// Block `h`'s sends: account h sends 1 of its first denom to account h+1.
fn sends(app: &App, height: u64) -> Vec<Tx> {
    let mut scratch = StateDelta::new(app.snapshot().expect("snapshot"));
    let addrs: Vec<Address> = {
        let ctx = app
            .manager()
            .context("auth", &mut scratch, 0)
            .expect("auth");
        accounts(&ctx.own())
            .expect("accounts")
            .collect::<Result<_, _>>()
            .expect("addresses")
    };
    let ctx = app
        .manager()
        .context("bank", &mut scratch, 0)
        .expect("bank");
    let mut txs = Vec::new();
    for j in 0..3u64 {
        let from = &addrs[((height * 3 + j) % addrs.len() as u64) as usize];
        let to = &addrs[((height * 7 + j + 1) % addrs.len() as u64) as usize];
        if let Some(coin) = balances_of(&ctx.own(), from).expect("balances").first() {
            let msg = MsgSend {
                from_address: from.clone(),
                to_address: to.clone(),
                amount: vec![Coin::new(coin.denom.clone(), 1)],
            };
            txs.push(Tx {
                signer: from.to_bech32(),
                msgs: vec![msg.to_msg()],
            });
        }
    }
    txs
}

/// Runs one node with `batch` until its migration is done and `end` is
/// reached; returns the app hash of every height and the final export.
fn run_node(batch: u64, end: u64) -> (Vec<AppHash>, serde_json::Value, u64) {
    let dir = tempfile::tempdir().expect("tempdir");
    let path = dir.path().join("state.redb");
    let r = release("v1.0.0").expect("v1");
    let manager = r.manager().expect("manager");
    let generated = app_modules::genesis::generate(25, 3);
    let mut app_state = serde_json::Map::new();
    for m in manager.modules() {
        app_state.insert(m.name().into(), generated[m.name()].clone());
    }
    let mut hashes = Vec::new();
    let mut app = open(&path, "v1.0.0", batch);
    hashes.push(
        app.init_chain(&AppGenesis::new("batches-1", app_state))
            .expect("init")
            .app_hash,
    );
    let mut completed_at = 0;
    for name in ["v1.0.0", "v2.0.0", "v3.0.0"] {
        if name != "v1.0.0" {
            drop(app);
            app = open(&path, name, batch);
        }
        loop {
            let height = app.last_commit().expect("committed").height + 1;
            if height > end {
                break;
            }
            let mut txs = sends(&app, height);
            if height == 1 {
                txs.push(schedule("v2.0.0", V2_HEIGHT));
            }
            if height == V2_HEIGHT + 1 {
                txs.push(schedule("v3.0.0", V3_HEIGHT));
            }
            match app.execute_block(&txs) {
                Ok((info, outcomes)) => {
                    assert!(outcomes.iter().all(|o| o.code == 0), "{outcomes:?}");
                    hashes.push(info.app_hash);
                    if completed_at == 0 && app.storage().layout_state() == &LayoutState::V2 {
                        completed_at = info.height;
                    }
                }
                Err(AppError::UpgradeNeeded { .. }) => break,
                Err(e) => panic!("block {height} as {name}: {e}"),
            }
        }
    }
    let export =
        serde_json::to_value(app.export_genesis().expect("export").app_state).expect("json");
    (hashes, export, completed_at)
}

#[test]
fn batch_sizes_1_997_and_10000_agree_on_every_app_hash_and_the_export() {
    // 25 accounts hold a few hundred keys: batch 1 needs hundreds of blocks.
    let end = 420;
    let (h1, e1, done1) = run_node(1, end);
    let (h997, e997, done997) = run_node(997, end);
    let (h10k, e10k, done10k) = run_node(10_000, end);
    assert_eq!(h1.len() as u64, end + 1);
    assert_eq!(h1, h997, "batch 1 and 997 disagree");
    assert_eq!(h1, h10k, "batch 1 and 10000 disagree");
    assert_eq!(e1, e997);
    assert_eq!(e1, e10k);
    // Every node finished, the small batch much later than the large ones.
    assert_eq!(
        done997, V3_HEIGHT,
        "997 keys per block drain this state in the upgrade's own commit"
    );
    assert_eq!(done10k, V3_HEIGHT);
    assert!(done1 > V3_HEIGHT + 100, "batch 1 finished at {done1}");
}
