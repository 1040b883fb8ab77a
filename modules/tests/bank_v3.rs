//! Bank version 3: the denom -> owner index. Built by the 2 -> 3 migration
//! and by InitGenesis, kept in step by sends, read by `denom_owners`; the
//! export never changes.

mod common;

use std::collections::{BTreeMap, BTreeSet};

use app_modules::bank::{self, MsgSend};
use app_modules::{Address, Coin, genesis};
use common::*;
use upgrade_runtime::store::{CommitOptions, Layout, StateDelta, StateWrite, Storage};
use upgrade_runtime::{Module, ModuleManager, Tx};

/// Prefix of the index, and of the stamp, as documented in `bank::keys::v3`.
const INDEX: u8 = 0x03;
const STAMP: &[u8] = &[0x06];

/// The index key of `address` holding `denom`, built by hand from the
/// documented layout `0x03 || len(denom) || denom || len(addr) || addr`.
fn index_key(denom: &str, address: &Address) -> Vec<u8> {
    let mut key = vec![INDEX, u8::try_from(denom.len()).expect("short denom")];
    key.extend_from_slice(denom.as_bytes());
    key.extend(address.length_prefixed());
    key
}

/// What the index must be: one key per positive balance, from a scan of the
/// balances through the export (which does not read the index).
fn expected_index(mgr: &ModuleManager, state: &mut dyn StateWrite) -> BTreeSet<Vec<u8>> {
    let exported = mgr.export_genesis(&*state).expect("export");
    let mut keys = BTreeSet::new();
    for balance in exported["bank"]["balances"].as_array().expect("balances") {
        let address = addr(balance["address"].as_str().expect("address"));
        for coin in balance["coins"].as_array().expect("coins") {
            assert_ne!(coin["amount"], "0", "a zero balance is stored");
            keys.insert(index_key(coin["denom"].as_str().expect("denom"), &address));
        }
    }
    keys
}

/// Every index entry in the store; their values must be empty.
fn stored_index(mgr: &ModuleManager, state: &mut dyn StateWrite) -> BTreeSet<Vec<u8>> {
    read(mgr, state, "bank", |r| {
        r.prefix(&[INDEX])
            .expect("iterate")
            .map(|item| {
                let (key, value) = item.expect("read");
                assert!(value.is_empty(), "index value {value:?} under {key:?}");
                key
            })
            .collect()
    })
}

/// The index is exactly the positive balances, and `denom_owners` of every
/// denom (plus one nobody holds) agrees with a scan of the balances.
fn assert_index_matches_balances(mgr: &ModuleManager, state: &mut dyn StateWrite) {
    let expected = expected_index(mgr, state);
    assert_eq!(stored_index(mgr, state), expected);
    let exported = mgr.export_genesis(&*state).expect("export");
    let mut by_denom: BTreeMap<String, Vec<Address>> = BTreeMap::new();
    for balance in exported["bank"]["balances"].as_array().expect("balances") {
        let address = addr(balance["address"].as_str().expect("address"));
        for coin in balance["coins"].as_array().expect("coins") {
            let denom = coin["denom"].as_str().expect("denom").to_owned();
            by_denom.entry(denom).or_default().push(address.clone());
        }
    }
    by_denom.entry("unheld".into()).or_default();
    for (denom, mut holders) in by_denom {
        holders.sort();
        let owners = read(mgr, state, "bank", |r| {
            bank::denom_owners(r, &denom).expect("query")
        });
        assert_eq!(owners, holders, "owners of {denom}");
    }
}

fn owners(mgr: &ModuleManager, state: &mut dyn StateWrite, denom: &str) -> Vec<Address> {
    read(mgr, state, "bank", |r| {
        bank::denom_owners(r, denom).expect("query")
    })
}

fn send(from: &str, to: &str, amount: &[(&str, u128)]) -> Tx {
    let msg = MsgSend {
        from_address: addr(from),
        to_address: addr(to),
        amount: amount.iter().map(|(d, a)| Coin::new(*d, *a)).collect(),
    };
    Tx {
        signer: from.to_owned(),
        msgs: vec![msg.to_msg()],
    }
}

#[test]
fn bank_2_to_3_builds_the_index_and_keeps_the_export() {
    let v2 = modules(2, 2);
    let v3 = modules(2, 3);
    let mut state = init(&v2, &fixture());
    let before = v2.export_genesis(&state).expect("export");
    let totals_before = bank_totals(&v2, &mut state);
    assert!(stored_index(&v2, &mut state).is_empty());

    let vm = migrate(&v2, &v3, &mut state);
    assert_eq!(
        (vm.get("auth"), vm.get("bank"), vm.get("crisis")),
        (Some(2), Some(3), Some(1))
    );
    assert_eq!(
        text(&v3.export_genesis(&state).expect("export")),
        text(&before)
    );
    assert_eq!(bank_totals(&v3, &mut state), totals_before);
    assert_index_matches_balances(&v3, &mut state);
    assert_eq!(stored_index(&v3, &mut state).len() as u64, totals_before.0);
    // Addresses in Address order: 20-byte ones first, the 32-byte ICA last.
    assert_eq!(
        owners(&v3, &mut state, "stake"),
        [addr(ALICE), addr(VESTING), addr(BONDED_POOL)]
    );
    assert_eq!(owners(&v3, &mut state, "ufoo"), [addr(ICA)]);
    assert_eq!(owners(&v3, &mut state, IBC_ATOM), [addr(ALICE)]);
}

#[test]
fn the_migration_and_init_genesis_write_the_same_bytes() {
    // Upgrading in place and importing the export at v3 must give the same
    // logical state (hence app hash): same index, same stamp.
    let all = |mgr: &ModuleManager, state: &mut dyn StateWrite| -> Vec<(Vec<u8>, Vec<u8>)> {
        read(mgr, state, "bank", |r| {
            r.prefix(b"")
                .expect("iterate")
                .collect::<Result<_, _>>()
                .expect("read")
        })
    };
    let v3 = modules(2, 3);
    let mut migrated = init(&modules(1, 1), &fixture());
    migrate(&modules(1, 1), &v3, &mut migrated);
    let mut imported = init(&v3, &fixture());
    let bytes = all(&v3, &mut imported);
    assert_eq!(all(&v3, &mut migrated), bytes);
    assert!(bytes.iter().any(|(k, v)| k == STAMP && v == b"3"));
    assert_index_matches_balances(&v3, &mut imported);
}

#[test]
fn init_genesis_at_v3_builds_the_index_and_round_trips() {
    let v3 = modules(2, 3);
    let mut state = init(&v3, &fixture());
    assert_eq!(
        text(&v3.export_genesis(&state).expect("export")),
        text(&fixture())
    );
    assert_index_matches_balances(&v3, &mut state);
    assert_eq!(stored_index(&v3, &mut state).len(), 7);
    assert_eq!(owners(&v3, &mut state, "uatom"), [addr(ALICE), addr(BOB)]);
    // A chain born at v3 with no balances has an empty index.
    let mut empty = fixture();
    empty["bank"] = bank::Bank::new(3).default_genesis();
    let mut state = init(&v3, &empty);
    assert!(stored_index(&v3, &mut state).is_empty());
    assert_eq!(owners(&v3, &mut state, "uatom"), Vec::<Address>::new());
}

#[test]
fn sends_at_v3_keep_the_index_in_step() {
    let v3 = modules(2, 3);
    let mut state = init(&v3, &fixture());
    let deliver = |tx: &Tx, state: &mut dyn StateWrite| {
        let outcome = v3.deliver_tx(state, tx, 1);
        assert_eq!(outcome.code, 0, "{}", outcome.log);
    };

    // Emptying a balance removes the owner.
    deliver(&send(BOB, ALICE, &[("uatom", 750)]), &mut state);
    assert_eq!(owners(&v3, &mut state, "uatom"), [addr(ALICE)]);
    assert_index_matches_balances(&v3, &mut state);

    // Funding a new holder adds it; a partial send keeps the sender.
    deliver(&send(ALICE, BOB, &[("stake", 1), ("uatom", 1)]), &mut state);
    assert_eq!(
        owners(&v3, &mut state, "stake"),
        [addr(ALICE), addr(BOB), addr(VESTING), addr(BONDED_POOL)]
    );
    assert_eq!(owners(&v3, &mut state, "uatom"), [addr(ALICE), addr(BOB)]);
    assert_index_matches_balances(&v3, &mut state);

    // Topping up an existing holder changes nothing in the index.
    let index = stored_index(&v3, &mut state);
    deliver(&send(ALICE, BOB, &[("stake", 5)]), &mut state);
    assert_eq!(stored_index(&v3, &mut state), index);

    // Sending one's whole balance to oneself keeps the owner.
    deliver(&send(ICA, ICA, &[("ufoo", u128::MAX)]), &mut state);
    assert_eq!(owners(&v3, &mut state, "ufoo"), [addr(ICA)]);

    // Moving a whole balance moves the owner, and a rejected send (the second
    // coin fails after the first was debited) leaves the index as it was.
    deliver(&send(ICA, BOB, &[("ufoo", u128::MAX)]), &mut state);
    assert_eq!(owners(&v3, &mut state, "ufoo"), [addr(BOB)]);
    let index = stored_index(&v3, &mut state);
    let outcome = v3.deliver_tx(
        &mut state,
        &send(BOB, ALICE, &[("stake", 6), ("uatom", 2)]),
        1,
    );
    assert_ne!(outcome.code, 0);
    assert_eq!(stored_index(&v3, &mut state), index);
    assert_index_matches_balances(&v3, &mut state);
    v3.validate_genesis(&v3.export_genesis(&state).expect("export"), &[])
        .expect("valid");
}

#[test]
fn registered_steps_at_v3_include_1_to_2_and_2_to_3() {
    let cfg = modules(2, 3).configurator().expect("cfg");
    let steps: Vec<(String, u64)> = cfg
        .migrations()
        .map(|m| (m.module.clone(), m.from))
        .collect();
    assert_eq!(
        steps,
        [
            ("auth".to_owned(), 1),
            ("bank".to_owned(), 1),
            ("bank".to_owned(), 2)
        ]
    );
    // A v1 chain goes to v3 in one upgrade: 1 -> 2 then 2 -> 3.
    let v3 = modules(2, 3);
    let mut state = init(&modules(1, 1), &fixture());
    let before = modules(1, 1).export_genesis(&state).expect("export");
    migrate(&modules(1, 1), &v3, &mut state);
    assert_eq!(
        text(&v3.export_genesis(&state).expect("export")),
        text(&before)
    );
    assert_index_matches_balances(&v3, &mut state);
}

#[test]
fn errors_name_the_version_and_the_fix() {
    let mut v2_state = init(&modules(2, 2), &fixture());
    let err = modules(2, 3)
        .export_genesis(&v2_state)
        .expect_err("bank v3 refuses v2 state");
    insta::assert_snapshot!(err, @r#"while exporting module "bank": bank state is encoded as version 2 but this binary runs bank at version 3; run the bank migrations first"#);
    let err = read(&modules(2, 2), &mut v2_state, "bank", |r| {
        bank::denom_owners(r, "uatom").expect_err("no index at v2")
    });
    insta::assert_snapshot!(err, @"bank state is at version 2, which has no denom -> owner index (added in version 3); run the bank migrations first");
    let mut v1_state = init(&modules(1, 1), &fixture());
    let err = read(&modules(1, 1), &mut v1_state, "bank", |r| {
        bank::denom_owners(r, "uatom").expect_err("no index at v1")
    });
    insta::assert_snapshot!(err, @"bank state is at version 1, which has no denom -> owner index (added in version 3); run the bank migrations first");

    let v3 = modules(2, 3);
    let mut state = init(&v3, &fixture());
    let err = read(&v3, &mut state, "bank", |r| {
        bank::denom_owners(r, "u").expect_err("invalid denom")
    });
    insta::assert_snapshot!(err, @r#"invalid denom "u": must match [a-zA-Z][a-zA-Z0-9/:._-]{2,127}"#);
    // A stamp from a newer binary is refused rather than misread.
    {
        let mut ctx = v3.context("bank", &mut state, 0).expect("bank");
        ctx.store().set(STAMP, b"4".to_vec());
    }
    let err = read(&v3, &mut state, "bank", |r| {
        bank::balance(r, &addr(ALICE), "stake").expect_err("unknown stamp")
    });
    insta::assert_snapshot!(err, @r#"bank state is stamped "4", an encoding this build does not implement (versions 1 to 3)"#);
}

/// Enough balances for several batches, migrated 2 -> 3 over committed
/// storage (paged backend reads under the delta).
#[test]
fn a_large_committed_state_is_indexed_in_batches() {
    let app_state = genesis::generate(8_000, 42);
    let v2 = modules(2, 2);
    let v3 = modules(2, 3);
    let mut storage = Storage::in_memory(Layout::V2).expect("storage");
    let before = {
        let mut state = init(&v2, &app_state);
        let counted = bank_totals(&v2, &mut state);
        let (_, changes) = state.into_parts();
        storage
            .commit(1, changes, &CommitOptions::default())
            .expect("commit");
        counted
    };
    assert!(
        before.0 > 10_000,
        "only {} balances: not several batches",
        before.0
    );

    let mut state = StateDelta::new(storage.snapshot().expect("snapshot"));
    migrate(&v2, &v3, &mut state);
    assert_eq!(bank_totals(&v3, &mut state), before);
    let (_, changes) = state.into_parts();
    storage
        .commit(2, changes, &CommitOptions::default())
        .expect("commit");

    let mut state = StateDelta::new(storage.snapshot().expect("snapshot"));
    assert_eq!(
        text(&v3.export_genesis(&state).expect("export")),
        text(&app_state)
    );
    assert_eq!(stored_index(&v3, &mut state).len() as u64, before.0);
    assert_index_matches_balances(&v3, &mut state);
}
