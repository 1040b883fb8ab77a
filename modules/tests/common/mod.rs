//! Fixtures shared by the integration tests: a realistic Cosmos-shaped
//! genesis, module managers at chosen versions, fresh state.

#![allow(dead_code)]

use app_modules::{Address, Auth, Bank, Crisis};
use serde_json::{Map, Value, json};
use std::collections::BTreeMap;

use upgrade_runtime::store::{Layout, ModuleReader, Snapshot, StateDelta, StateWrite, Storage};
use upgrade_runtime::{ModuleManager, VersionMap};

/// 20 bytes of 0x01.
pub const ALICE: &str = "cosmos1qyqszqgpqyqszqgpqyqszqgpqyqszqgpjnp7du";
/// 20 bytes of 0x02.
pub const BOB: &str = "cosmos1qgpqyqszqgpqyqszqgpqyqszqgpqyqszrh8mx2";
/// 20 bytes of 0x03, a continuous vesting account.
pub const VESTING: &str = "cosmos1qvpsxqcrqvpsxqcrqvpsxqcrqvpsxqcrz8x6vt";
/// 32 bytes 0..=31, an interchain account.
pub const ICA: &str = "cosmos1qqqsyqcyq5rqwzqfpg9scrgwpugpzysnzs23v9ccrydpk8qarc0sxaggsw";
/// Module accounts, as on the Cosmos Hub.
pub const FEE_COLLECTOR: &str = "cosmos17xpfvakm2amg962yls6f84z3kell8c5lserqta";
pub const BONDED_POOL: &str = "cosmos1fl48vsnmsdzcv85q5d2q4z5ajdha8yu34mf0eh";
pub const MINT: &str = "cosmos1m3h30wlvsf8llruxtpukdvsy0km2kum8g38c8q";
/// Valid, but not an account in the fixture.
pub const STRANGER: &str = "cosmos1qszqgpqyqszqgpqyqszqgpqyqszqgpqyzhplth";

pub const IBC_ATOM: &str = "ibc/27394FB092D2ECCD56123C74F36E4C1F926001CEADA9CA97EA622B25F41E5EB2";

fn base(address: &str, pub_key: Value, number: u64, sequence: u64) -> Value {
    json!({
        "@type": "/cosmos.auth.v1beta1.BaseAccount",
        "address": address,
        "pub_key": pub_key,
        "account_number": number.to_string(),
        "sequence": sequence.to_string(),
    })
}

fn module_account(address: &str, number: u64, name: &str, permissions: &[&str]) -> Value {
    json!({
        "@type": "/cosmos.auth.v1beta1.ModuleAccount",
        "base_account": { "address": address, "pub_key": null, "account_number": number.to_string(), "sequence": "0" },
        "name": name,
        "permissions": permissions,
    })
}

fn coins(pairs: &[(&str, &str)]) -> Value {
    Value::Array(
        pairs
            .iter()
            .map(|(d, a)| json!({"denom": d, "amount": a}))
            .collect(),
    )
}

/// Sorts JSON objects the way the modules export them: by the address at
/// `pointer`, shorter addresses first.
pub fn sort_by_address(items: &mut [Value], pointer: &str) {
    items.sort_by_key(|v| {
        v.pointer(pointer)
            .and_then(Value::as_str)
            .and_then(|s| Address::parse(s).ok())
    });
}

/// The accounts of the fixture, in the order given (not canonical).
pub fn fixture_accounts() -> Vec<Value> {
    vec![
        base(
            ALICE,
            json!({"@type": "/cosmos.crypto.secp256k1.PubKey", "key": "A8hkTbFm1LQHbdImTKVxzGd1BcyuFkyfRn4sTIuNVQ3a"}),
            5,
            12,
        ),
        base(BOB, Value::Null, 6, 0),
        json!({
            "@type": "/cosmos.vesting.v1beta1.ContinuousVestingAccount",
            "base_vesting_account": {
                "base_account": { "address": VESTING, "pub_key": null, "account_number": "7", "sequence": "1" },
                "original_vesting": [{"denom": "stake", "amount": "5000000"}],
                "delegated_free": [],
                "delegated_vesting": [{"denom": "stake", "amount": "1000000"}],
                "end_time": "1767225600",
            },
            "start_time": "1704067200",
        }),
        base(
            ICA,
            json!({"@type": "/cosmos.crypto.ed25519.PubKey", "key": "m8f7GGJSt8vGCV+ZKexSt2NYiMHvXN3DPx0PjWxb+Xs="}),
            8,
            3,
        ),
        module_account(FEE_COLLECTOR, 0, "fee_collector", &[]),
        module_account(BONDED_POOL, 1, "bonded_tokens_pool", &["burner", "staking"]),
        module_account(MINT, 2, "mint", &["minter"]),
    ]
}

/// The balances of the fixture, in the order given (not canonical).
pub fn fixture_balances() -> Vec<Value> {
    vec![
        json!({"address": ALICE, "coins": coins(&[(IBC_ATOM, "42"), ("stake", "1000000"), ("uatom", "250")])}),
        json!({"address": BOB, "coins": coins(&[("uatom", "750")])}),
        json!({"address": VESTING, "coins": coins(&[("stake", "5000000")])}),
        json!({"address": ICA, "coins": coins(&[("ufoo", "340282366920938463463374607431768211455")])}),
        json!({"address": BONDED_POOL, "coins": coins(&[("stake", "90000000")])}),
    ]
}

/// A realistic `app_state` (auth, bank, crisis) in canonical order: what an
/// export of it must reproduce exactly.
pub fn fixture() -> Map<String, Value> {
    let mut accounts = fixture_accounts();
    accounts.sort_by_key(|a| {
        [
            "/address",
            "/base_account/address",
            "/base_vesting_account/base_account/address",
        ]
        .iter()
        .find_map(|p| a.pointer(p).and_then(Value::as_str))
        .and_then(|s| Address::parse(s).ok())
    });
    let mut balances = fixture_balances();
    sort_by_address(&mut balances, "/address");
    let mut app_state = Map::new();
    app_state.insert(
        "auth".into(),
        json!({
            "params": {
                "max_memo_characters": "256",
                "tx_sig_limit": "7",
                "tx_size_cost_per_byte": "10",
                "sig_verify_cost_ed25519": "590",
                "sig_verify_cost_secp256k1": "1000",
            },
            "accounts": accounts,
        }),
    );
    app_state.insert(
        "bank".into(),
        json!({
            "params": {"send_enabled": [], "default_send_enabled": true},
            "balances": balances,
            "supply": coins(&[
                (IBC_ATOM, "42"),
                ("stake", "96000000"),
                ("uatom", "1000"),
                ("ufoo", "340282366920938463463374607431768211455"),
            ]),
            "denom_metadata": [{
                "description": "The native staking token of the Cosmos Hub.",
                "denom_units": [
                    {"denom": "uatom", "exponent": 0, "aliases": ["microatom"]},
                    {"denom": "atom", "exponent": 6, "aliases": []},
                ],
                "base": "uatom",
                "display": "atom",
                "name": "Cosmos Hub Atom",
                "symbol": "ATOM",
                "uri": "",
                "uri_hash": "",
            }],
            "send_enabled": [{"denom": IBC_ATOM, "enabled": false}],
        }),
    );
    app_state.insert(
        "crisis".into(),
        json!({"constant_fee": {"denom": "uatom", "amount": "1000"}}),
    );
    app_state
}

/// auth, bank and crisis at the given auth and bank versions.
pub fn modules(auth: u64, bank: u64) -> ModuleManager {
    ModuleManager::new(vec![
        Box::new(Auth::new(auth)),
        Box::new(Bank::new(bank)),
        Box::new(Crisis::new()),
    ])
    .expect("modules register")
}

/// An empty state to write into.
pub fn fresh_state() -> StateDelta<Snapshot> {
    let storage = Storage::in_memory(Layout::V1).expect("in-memory storage");
    StateDelta::new(storage.snapshot().expect("snapshot"))
}

/// `app_state` validated and initialised by `mgr` into a fresh state.
pub fn init(mgr: &ModuleManager, app_state: &Map<String, Value>) -> StateDelta<Snapshot> {
    mgr.validate_genesis(app_state, &[]).expect("valid genesis");
    let mut state = fresh_state();
    mgr.init_genesis(&mut state, app_state, 0)
        .expect("init genesis");
    state
}

/// Runs `f` with a read-only view of `module`'s store.
pub fn read<T>(
    mgr: &ModuleManager,
    state: &mut dyn StateWrite,
    module: &str,
    f: impl FnOnce(&ModuleReader<'_>) -> T,
) -> T {
    let ctx = mgr.context(module, state, 0).expect("registered module");
    f(&ctx.own())
}

/// Every raw key of `module`'s store.
pub fn raw_keys(mgr: &ModuleManager, state: &mut dyn StateWrite, module: &str) -> Vec<Vec<u8>> {
    read(mgr, state, module, |r| {
        r.prefix(b"")
            .expect("iterate")
            .map(|item| item.expect("read").0)
            .collect()
    })
}

/// A parsed address.
pub fn addr(s: &str) -> Address {
    Address::parse(s).expect("valid address")
}

/// A section map as compact JSON text, to compare exports byte for byte.
pub fn text(v: &Map<String, Value>) -> String {
    serde_json::to_string(v).expect("serialise")
}

/// Balance count and per-denom sums of the bank store in `state`.
pub fn bank_totals(
    mgr: &ModuleManager,
    state: &mut dyn StateWrite,
) -> (u64, BTreeMap<String, u128>) {
    read(mgr, state, "bank", |r| {
        app_modules::bank::balance_count_and_sums(r).expect("read")
    })
}

/// Migrates `state` from the versions of `old` to those of `new`.
pub fn migrate(old: &ModuleManager, new: &ModuleManager, state: &mut dyn StateWrite) -> VersionMap {
    let cfg = new.configurator().expect("migrations register");
    let (vm, _) = new
        .run_migrations(state, &cfg, &old.version_map(), 1)
        .expect("migrations run");
    vm
}
