//! Store migrations auth 1 -> 2 and bank 1 -> 2: the logical state (the
//! export) is unchanged, balances are conserved, the keys really change.

mod common;

use app_modules::{auth, bank, genesis};
use common::*;
use upgrade_runtime::store::{CommitOptions, Layout, StateDelta, StateRead, Storage};

#[test]
fn auth_and_bank_1_to_2_keep_the_export_and_change_the_keys() {
    let v1 = modules(1, 1);
    let v2 = modules(2, 2);
    let mut state = init(&v1, &fixture());
    let before = v1.export_genesis(&state).expect("export");
    let sums_before = bank_totals(&v1, &mut state);
    assert!(
        raw_keys(&v1, &mut state, "bank")
            .iter()
            .all(|k| k.is_ascii()),
        "v1 keys are strings"
    );

    let vm = migrate(&v1, &v2, &mut state);
    assert_eq!(
        (vm.get("auth"), vm.get("bank"), vm.get("crisis")),
        (Some(2), Some(2), Some(1))
    );

    let after = v2.export_genesis(&state).expect("export");
    assert_eq!(text(&after), text(&before));
    assert_eq!(bank_totals(&v2, &mut state), sums_before);

    let bank_keys = raw_keys(&v2, &mut state, "bank");
    assert!(
        bank_keys.iter().all(|k| k[0] <= 0x05),
        "a v1 key survived: {bank_keys:?}"
    );
    let balance_keys = bank_keys.iter().filter(|k| k[0] == 0x02).count() as u64;
    assert_eq!(balance_keys, sums_before.0);
    let auth_keys = raw_keys(&v2, &mut state, "auth");
    assert_eq!(
        auth_keys.iter().filter(|k| k[0] == 0x01).count(),
        7,
        "accounts"
    );
    assert_eq!(
        auth_keys.iter().filter(|k| k[0] == 0x03).count(),
        7,
        "account-number index"
    );
    assert!(auth_keys.iter().all(|k| !k.starts_with(b"accounts/")));

    // The new index answers lookups by number without a scan.
    read(&v2, &mut state, "auth", |r| {
        let fee_collector = auth::account_by_number(r, 0)
            .expect("read")
            .expect("exists");
        assert_eq!(fee_collector.address(), &addr(FEE_COLLECTOR));
    });
    // And the migrated state keeps working: a send at v2.
    let tx = upgrade_runtime::Tx {
        signer: BOB.into(),
        msgs: vec![
            bank::MsgSend {
                from_address: addr(BOB),
                to_address: addr(ICA),
                amount: vec![app_modules::Coin::new("uatom", 1)],
            }
            .to_msg(),
        ],
    };
    assert_eq!(v2.deliver_tx(&mut state, &tx, 2).code, 0);
    assert_eq!(
        read(&v2, &mut state, "bank", |r| bank::balance(
            r,
            &addr(ICA),
            "uatom"
        )
        .expect("read")),
        1
    );
}

#[test]
fn only_needed_migrations_are_registered_and_auth_migrates_last() {
    assert_eq!(
        modules(1, 1)
            .configurator()
            .expect("cfg")
            .migrations()
            .count(),
        0
    );
    let v2 = modules(2, 2);
    let cfg = v2.configurator().expect("cfg");
    let steps: Vec<(String, u64)> = cfg
        .migrations()
        .map(|m| (m.module.clone(), m.from))
        .collect();
    assert_eq!(steps, [("auth".to_owned(), 1), ("bank".to_owned(), 1)]);
    let mut state = init(&modules(1, 1), &fixture());
    let (_, report) = v2
        .run_migrations(&mut state, &cfg, &modules(1, 1).version_map(), 1)
        .expect("run");
    let order: Vec<&str> = report.steps.iter().map(|s| s.module.as_str()).collect();
    assert_eq!(order, ["bank", "crisis", "auth"]);
}

#[test]
fn a_module_refuses_to_export_state_of_another_version() {
    let mut state = init(&modules(1, 1), &fixture());
    let err = modules(1, 2)
        .export_genesis(&state)
        .expect_err("bank v2 cannot read v1 keys");
    insta::assert_snapshot!(err, @r#"while exporting module "bank": bank state is encoded as version 1 but this binary runs bank at version 2; run the bank migrations first"#);
    let err = modules(2, 1)
        .export_genesis(&state)
        .expect_err("auth v2 cannot read v1 keys");
    insta::assert_snapshot!(err, @r#"while exporting module "auth": auth state is encoded as version 1 but this binary runs auth at version 2; run the auth migrations first"#);
    // The read helpers detect the encoding and work either way.
    let v2 = modules(2, 2);
    assert_eq!(bank_totals(&v2, &mut state).0, 7);
}

/// Enough balances for several migration batches, migrated over committed
/// storage (paged backend reads under the delta) rather than a delta.
#[test]
fn a_large_committed_state_migrates_in_batches_and_conserves_balances() {
    let genesis = genesis::generate(8_000, 42);
    let v1 = modules(1, 1);
    let v2 = modules(2, 2);
    let mut storage = Storage::in_memory(Layout::V2).expect("storage");
    let (count_before, sums_before, export_before) = {
        let mut state = init(&v1, &genesis);
        let counted = bank_totals(&v1, &mut state);
        let exported = v1.export_genesis(&state).expect("export");
        let (_, changes) = state.into_parts();
        storage
            .commit(1, changes, &CommitOptions::default())
            .expect("commit");
        (counted.0, counted.1, exported)
    };
    assert!(
        count_before > 10_000,
        "only {count_before} balances: not several batches"
    );
    assert_eq!(text(&export_before), text(&genesis));

    let mut state = StateDelta::new(storage.snapshot().expect("snapshot"));
    migrate(&v1, &v2, &mut state);
    assert_eq!(bank_totals(&v2, &mut state), (count_before, sums_before));
    let (_, changes) = state.into_parts();
    storage
        .commit(2, changes, &CommitOptions::default())
        .expect("commit");

    let snapshot = storage.snapshot().expect("snapshot");
    assert_eq!(
        text(&v2.export_genesis(&snapshot).expect("export")),
        text(&genesis)
    );
    let left: usize = snapshot
        .prefix("bank", b"balances/")
        .expect("iterate")
        .count();
    assert_eq!(left, 0, "v1 balance keys left behind");
}
