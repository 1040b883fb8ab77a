//! Store isolation: a module reads its own store and its declared
//! dependencies, writes only its own store, and never reaches the runtime's
//! reserved stores. Registration rejects modules that would break that.
#![allow(clippy::unwrap_used)]

mod common;

use common::{AUTHORITY, Kv, dump, kv, manager, tx};
use serde_json::json;
use upgrade_runtime::app::{App, AppConfig};
use upgrade_runtime::store::{
    ChangeSet, Layout, MIGRATION_STORE, ModuleReader, StateDelta, StateRead, Storage, UPGRADE_STORE,
};
use upgrade_runtime::upgrade::UpgradeRegistry;
use upgrade_runtime::{Module, ModuleManager};

const BANK_MSG: &str = "/test.bank.Msg";

fn modules() -> Vec<Kv> {
    vec![
        kv("auth").store("accounts"),
        kv("bank").deps(&["auth"]).msgs(&[BANK_MSG]),
        kv("other"),
    ]
}

/// A committed chain of [`modules`] after InitGenesis, plus a reserved
/// `upgrade` record.
fn initialised(manager: &ModuleManager) -> Storage {
    let mut storage = Storage::in_memory(Layout::V1).unwrap();
    let mut delta = StateDelta::new(storage.snapshot().unwrap());
    manager
        .init_genesis(&mut delta, &common::genesis(manager).app_state, 0)
        .unwrap();
    manager.version_map().store(&mut delta).unwrap();
    let (_, changes) = delta.into_parts();
    common::commit(&mut storage, 0, changes);
    storage
}

fn read_err(reader: Result<ModuleReader<'_>, upgrade_runtime::store::StoreError>) -> String {
    match reader {
        Ok(r) => panic!("read of {} was allowed", r.name()),
        Err(e) => e.to_string(),
    }
}

#[test]
fn a_context_reads_its_dependencies_but_not_reserved_or_undeclared_stores() {
    let manager = manager(modules());
    let storage = initialised(&manager);
    let mut delta = StateDelta::new(storage.snapshot().unwrap());
    let ctx = manager.context("bank", &mut delta, 1).unwrap();

    insta::assert_snapshot!(
        read_err(ctx.read("upgrade")),
        @r#"module "bank" cannot access the reserved store "upgrade": it belongs to the runtime"#
    );
    insta::assert_snapshot!(
        read_err(ctx.read("migration")),
        @r#"module "bank" cannot access the reserved store "migration": it belongs to the runtime"#
    );
    insta::assert_snapshot!(
        read_err(ctx.read("other")),
        @r#"module "bank" cannot read store "other": it is not among its declared dependencies ["auth"]; add it to `Module::dependencies`"#
    );
    insta::assert_snapshot!(
        read_err(ctx.read("nosuchmodule")),
        @r#"module "bank" cannot read store "nosuchmodule": it is not among its declared dependencies ["auth"]; add it to `Module::dependencies`"#
    );
    // Dependencies are named by module, not by store: naming auth's store
    // does not open it.
    insta::assert_snapshot!(
        read_err(ctx.read("accounts")),
        @r#"module "bank" cannot read store "accounts": it is not among its declared dependencies ["auth"]; add it to `Module::dependencies`"#
    );

    // The declared dependency reads auth's store, wherever it lives.
    let auth = ctx.read("auth").unwrap();
    assert_eq!(auth.name(), "accounts");
    assert_eq!(auth.get(b"k").unwrap(), Some(b"v".to_vec()));
    assert_eq!(ctx.read("bank").unwrap().name(), "bank");
    // The reserved store exists and holds data: refusing it was not
    // merely an empty store.
    assert!(
        storage
            .snapshot()
            .unwrap()
            .has(UPGRADE_STORE, b"\x02bank")
            .unwrap()
    );
}

#[test]
fn a_module_without_dependencies_reads_only_itself() {
    let manager = manager(modules());
    let storage = initialised(&manager);
    let mut delta = StateDelta::new(storage.snapshot().unwrap());
    let ctx = manager.context("other", &mut delta, 1).unwrap();
    insta::assert_snapshot!(
        read_err(ctx.read("auth")),
        @r#"module "other" cannot read store "auth": it is not among its declared dependencies []; add it to `Module::dependencies`"#
    );
    assert_eq!(
        ctx.read("other").unwrap().get(b"k").unwrap(),
        Some(b"v".to_vec())
    );
}

#[test]
fn a_transaction_writes_only_the_store_of_the_module_that_ran_it() {
    let manager = manager(modules());
    let storage = Storage::in_memory(Layout::V2).unwrap();
    let genesis = common::genesis(&manager);
    let config = AppConfig {
        authority: AUTHORITY.into(),
        ..AppConfig::default()
    };
    let mut app = App::new(storage, manager, UpgradeRegistry::new(), config).unwrap();
    app.init_chain(&genesis).unwrap();
    let before = app.export_genesis().unwrap().app_state;

    let mut block = app.begin_block().unwrap();
    let copy = tx("user", BANK_MSG, json!({"copy_from": "auth", "key": "k"}));
    assert_eq!(app.deliver_tx(&mut block, &copy).code, 0);
    let upgrade = tx(
        "user",
        BANK_MSG,
        json!({"copy_from": "upgrade", "key": "\u{2}bank"}),
    );
    let refused = app.deliver_tx(&mut block, &upgrade);
    assert_eq!(refused.code, 1);
    insta::assert_snapshot!(
        refused.log,
        @r#"module "bank" cannot access the reserved store "upgrade": it belongs to the runtime"#
    );
    let other = tx("user", BANK_MSG, json!({"copy_from": "other", "key": "k"}));
    insta::assert_snapshot!(
        app.deliver_tx(&mut block, &other).log,
        @r#"module "bank" cannot read store "other": it is not among its declared dependencies ["auth"]; add it to `Module::dependencies`"#
    );
    let stores: Vec<&str> = block.state().changes().stores().map(|(s, _)| s).collect();
    assert_eq!(stores, ["bank"]);
    app.end_block(&mut block).unwrap();
    app.commit(block).unwrap();

    let after = app.export_genesis().unwrap().app_state;
    assert_eq!(after["auth"], before["auth"]);
    assert_eq!(after["other"], before["other"]);
    assert_eq!(after["upgrade"], before["upgrade"]);
    assert_eq!(
        after["bank"],
        json!({"entries": {"copied/k": "v", "k": "v"}})
    );
    assert_eq!(
        dump(&app.snapshot().unwrap(), "accounts"),
        [("k".into(), "v".into())]
    );
}

#[test]
fn storage_refuses_a_change_set_that_writes_the_migration_store() {
    let manager = manager(modules());
    let mut storage = initialised(&manager);
    let last = storage.last_commit();
    let mut changes = ChangeSet::new();
    changes.put("bank", b"k".to_vec(), Some(b"changed".to_vec()));
    changes.put(MIGRATION_STORE, b"layout".to_vec(), Some(vec![2]));
    let err = common::try_commit(&mut storage, 1, changes).unwrap_err();
    insta::assert_snapshot!(
        err.to_string(),
        @r#"module "<block>" cannot access the reserved store "migration": it belongs to the runtime"#
    );
    assert_eq!(storage.last_commit(), last);
    assert_eq!(storage.app_hash_at(1).unwrap(), None);
    let snapshot = storage.snapshot().unwrap();
    assert_eq!(snapshot.get("bank", b"k").unwrap(), Some(b"v".to_vec()));
    assert_eq!(
        snapshot.get(MIGRATION_STORE, b"layout").unwrap(),
        Some(vec![1])
    );
}

fn new_err(modules: Vec<Kv>) -> String {
    let boxed: Vec<Box<dyn Module>> = modules
        .into_iter()
        .map(|m| Box::new(m) as Box<dyn Module>)
        .collect();
    ModuleManager::new(boxed).unwrap_err().to_string()
}

#[test]
fn registration_rejects_reserved_invalid_and_duplicate_stores() {
    insta::assert_snapshot!(
        new_err(vec![kv("auth"), kv("kv").store("upgrade")]),
        @r#"module "kv": module "kv" cannot access the reserved store "upgrade": it belongs to the runtime"#
    );
    insta::assert_snapshot!(
        new_err(vec![kv("kv").store("migration")]),
        @r#"module "kv": module "kv" cannot access the reserved store "migration": it belongs to the runtime"#
    );
    insta::assert_snapshot!(
        new_err(vec![kv("upgrade")]),
        @r#"module name "upgrade" is reserved for the runtime (its store and genesis section); rename the module"#
    );
    insta::assert_snapshot!(
        new_err(vec![kv("kv"), kv("auth"), kv("kv").store("kv2")]),
        @r#"module "kv" is registered twice"#
    );
    insta::assert_snapshot!(
        new_err(vec![kv("a").store("shared"), kv("b"), kv("c").store("shared")]),
        @r#"modules "a" and "c" both use store "shared""#
    );
    // A module's store may not be another module's default store either.
    insta::assert_snapshot!(
        new_err(vec![kv("a"), kv("b").store("a")]),
        @r#"modules "a" and "b" both use store "a""#
    );
    insta::assert_snapshot!(
        new_err(vec![kv("kv").store("Kv/x")]),
        @r#"module "kv": invalid store name "Kv/x": only lowercase ASCII letters, digits and '_' are allowed"#
    );
    insta::assert_snapshot!(
        new_err(vec![kv("bank").deps(&["auth"])]),
        @r#"module "bank" depends on "auth", which is not registered"#
    );
}

#[test]
fn a_module_named_like_a_reserved_store_is_refused_for_its_name() {
    // The module's store is `upgrade_data`, which is fine; its *name* is
    // what clashes (with the runtime's `upgrade` genesis section). The
    // message must not claim the store `upgrade_data` is reserved.
    let msg = new_err(vec![kv("upgrade").store("upgrade_data")]);
    assert!(
        !msg.contains(r#"reserved store "upgrade_data""#),
        "misleading message: {msg}"
    );
    assert!(msg.contains("name"), "{msg}");
}
