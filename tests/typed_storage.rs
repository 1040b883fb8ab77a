//! Typed storage (`upgrade_runtime::typed`): items and maps over a module's
//! byte store, key ordering, prefix iteration, corrupt bytes, and the legacy
//! pattern a migration uses to rewrite old encodings.
#![allow(clippy::unwrap_used)]

mod common;

use std::ops::Bound;

use common::{kv, manager};
use serde::{Deserialize, Serialize};
use upgrade_runtime::store::{Layout, StateDelta, StateRead, Storage};
use upgrade_runtime::typed::{Codec, CodecError, Item, Json, Map};
use upgrade_runtime::{Context, ModuleError, ModuleManager};

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
struct Params {
    max_supply: u64,
    denom: String,
}

const PARAMS: Item<Params> = Item::new(b"params");
const COUNTER: Item<u64> = Item::new(b"counter");
const NAMES: Map<&str, String> = Map::new(b"names/");
const BY_HEIGHT: Map<u64, String> = Map::new(b"height/");
const BALANCES: Map<(&str, u64), u64> = Map::new(b"bal/");

/// Runs `f` with a context of module `typed` (which may read `dep`) over a
/// fresh in-memory state.
fn with_ctx<R>(f: impl FnOnce(&mut Context<'_>) -> R) -> R {
    let manager: ModuleManager = manager(vec![kv("dep"), kv("typed").deps(&["dep"])]);
    let storage = Storage::in_memory(Layout::V1).unwrap();
    let mut delta = StateDelta::new(storage.snapshot().unwrap());
    let mut ctx = manager.context("typed", &mut delta, 1).unwrap();
    f(&mut ctx)
}

fn corrupt_parts(err: ModuleError) -> (String, String, String) {
    match err {
        ModuleError::CorruptState { store, key, reason } => (store, key, reason),
        other => panic!("expected CorruptState, got {other:?}"),
    }
}

#[test]
fn item_round_trips_and_reports_missing() {
    with_ctx(|ctx| {
        assert_eq!(PARAMS.may_load(ctx).unwrap(), None);
        assert!(!PARAMS.exists(ctx).unwrap());
        let err = PARAMS.load(ctx).unwrap_err();
        assert!(matches!(err, ModuleError::Rejected(_)), "{err:?}");
        assert!(err.to_string().contains(&hex::encode(b"params")), "{err}");

        let params = Params {
            max_supply: 21,
            denom: "stake".into(),
        };
        PARAMS.save(ctx, &params).unwrap();
        assert_eq!(PARAMS.load(ctx).unwrap(), params);
        // Stored as JSON under the raw key, readable through any handle.
        assert_eq!(
            ctx.own().get(b"params").unwrap().unwrap(),
            br#"{"max_supply":21,"denom":"stake"}"#
        );
        assert_eq!(PARAMS.load(&ctx.store()).unwrap(), params);

        COUNTER.save(&mut ctx.store(), &1).unwrap();
        let bumped = COUNTER
            .update(ctx, |n| Ok::<_, ModuleError>(n + 41))
            .unwrap();
        assert_eq!((bumped, COUNTER.load(ctx).unwrap()), (42, 42));
        // A failing update writes nothing.
        let err = COUNTER
            .update(ctx, |_| Err(ModuleError::Rejected("no".into())))
            .unwrap_err();
        assert_eq!(err.to_string(), "no");
        assert_eq!(COUNTER.load(ctx).unwrap(), 42);

        PARAMS.remove(ctx);
        assert_eq!(PARAMS.may_load(ctx).unwrap(), None);
    });
}

#[test]
fn map_saves_loads_updates_and_iterates_with_owned_keys() {
    with_ctx(|ctx| {
        let mut store = ctx.store();
        for (k, v) in [("carol", "c"), ("alice", "a"), ("bob", "b")] {
            NAMES.save(&mut store, k, &v.to_owned()).unwrap();
        }
        let local = String::from("alice");
        assert_eq!(NAMES.load(&store, &local).unwrap(), "a");
        assert!(NAMES.has(&store, "bob").unwrap());
        assert_eq!(NAMES.may_load(&store, "dave").unwrap(), None);
        assert!(matches!(
            NAMES.load(&store, "dave"),
            Err(ModuleError::Rejected(_))
        ));
        assert_eq!(NAMES.key_bytes(&"bob"), b"names/bob");
        assert_eq!(NAMES.decode_key(b"names/bob").unwrap(), "bob");
        assert!(NAMES.decode_key(b"other/bob").is_err());

        let updated = NAMES
            .update(&mut store, "dave", |old| {
                assert_eq!(old, None);
                Ok::<_, ModuleError>("d".to_owned())
            })
            .unwrap();
        assert_eq!(updated, "d");
        NAMES.remove(&mut store, "bob");

        let all: Vec<(String, String)> = NAMES.iter(&store).collect::<Result<_, _>>().unwrap();
        assert_eq!(
            all,
            [("alice", "a"), ("carol", "c"), ("dave", "d")]
                .map(|(k, v)| (k.to_owned(), v.to_owned()))
        );
        // Other keys of the store are not part of the map.
        store.set("names", "not in the map");
        store.set("namet", "not in the map");
        assert_eq!(NAMES.iter(&store).count(), 3);
    });
}

#[test]
fn u64_keys_iterate_in_numeric_order() {
    with_ctx(|ctx| {
        for h in [10u64, 2, 300, 1, u64::MAX] {
            BY_HEIGHT.save(ctx, h, &format!("h{h}")).unwrap();
        }
        let keys: Vec<u64> = BY_HEIGHT.iter(ctx).map(|r| r.unwrap().0).collect();
        assert_eq!(keys, [1, 2, 10, 300, u64::MAX]);
        let mid: Vec<(u64, String)> = BY_HEIGHT
            .range(ctx, 2..300)
            .collect::<Result<_, _>>()
            .unwrap();
        assert_eq!(mid, [(2, "h2".to_owned()), (10, "h10".to_owned())]);
        let tail: Vec<u64> = BY_HEIGHT.range(ctx, 10..).map(|r| r.unwrap().0).collect();
        assert_eq!(tail, [10, 300, u64::MAX]);
        // A reversed range is empty, not a panic.
        let reversed = (Bound::Included(300), Bound::Included(2));
        assert_eq!(BY_HEIGHT.range(ctx, reversed).count(), 0);
        let after_two: Vec<u64> = BY_HEIGHT
            .range(ctx, (Bound::Excluded(2), Bound::Included(300)))
            .map(|r| r.unwrap().0)
            .collect();
        assert_eq!(after_two, [10, 300]);
    });
}

#[test]
fn tuple_prefix_iterates_exactly_the_second_components_under_one_first() {
    with_ctx(|ctx| {
        let entries = [
            (("a", 10), 1),
            (("a", 2), 2),
            (("ab", 1), 3),
            (("", 5), 4),
            (("b", 3), 5),
        ];
        for (key, amount) in entries {
            BALANCES.save(ctx, key, &amount).unwrap();
        }
        let under_a: Vec<(u64, u64)> = BALANCES.prefix(ctx, "a").collect::<Result<_, _>>().unwrap();
        assert_eq!(under_a, [(2, 2), (10, 1)]);
        let under_ab: Vec<(u64, u64)> = BALANCES
            .prefix(ctx, "ab")
            .collect::<Result<_, _>>()
            .unwrap();
        assert_eq!(under_ab, [(1, 3)]);
        assert_eq!(BALANCES.prefix(ctx, "c").count(), 0);

        // Whole-map iteration decodes tuple keys back.
        let all: Vec<((String, u64), u64)> = BALANCES.iter(ctx).collect::<Result<_, _>>().unwrap();
        assert_eq!(all.len(), 5);
        assert!(all.contains(&(("ab".to_owned(), 1), 3)));
        assert!(all.contains(&(("".to_owned(), 5), 4)));
        for (key, _) in &all {
            let raw = BALANCES.key_bytes(&(key.0.as_str(), key.1));
            assert_eq!(&BALANCES.decode_key(&raw).unwrap(), key);
        }
    });
}

#[test]
fn a_dependency_is_read_through_its_reader() {
    let manager = manager(vec![kv("dep"), kv("typed").deps(&["dep"])]);
    let storage = Storage::in_memory(Layout::V1).unwrap();
    let mut delta = StateDelta::new(storage.snapshot().unwrap());
    {
        let mut dep = manager.context("dep", &mut delta, 1).unwrap();
        BY_HEIGHT.save(&mut dep, 7, &"seven".to_owned()).unwrap();
    }
    let ctx = manager.context("typed", &mut delta, 1).unwrap();
    let reader = ctx.read("dep").unwrap();
    assert_eq!(BY_HEIGHT.load(&reader, 7).unwrap(), "seven");
    assert_eq!(BY_HEIGHT.may_load(&ctx, 7).unwrap(), None);
    assert!(
        delta
            .get("dep", b"height/\0\0\0\0\0\0\0\x07")
            .unwrap()
            .is_some()
    );
}

#[test]
fn corrupt_bytes_are_corrupt_state_naming_store_and_key() {
    with_ctx(|ctx| {
        let raw = BY_HEIGHT.key_bytes(&2);
        ctx.store().set(raw.clone(), "not json");
        let (store, key, reason) = corrupt_parts(BY_HEIGHT.load(ctx, 2).unwrap_err());
        assert_eq!((store.as_str(), key.clone()), ("typed", hex::encode(&raw)));
        assert!(reason.contains("JSON"), "{reason}");
        // Iteration yields the same error as an item, not a panic.
        let items: Vec<_> = BY_HEIGHT.iter(ctx).collect();
        assert_eq!(items.len(), 1);
        let (_, key, _) = corrupt_parts(items.into_iter().next().unwrap().unwrap_err());
        assert_eq!(key, hex::encode(&raw));

        // A key that is not 8 bytes under the u64 map's namespace.
        BY_HEIGHT.remove(ctx, 2);
        ctx.store().set("height/xyz", "\"ok\"");
        let err = BY_HEIGHT
            .iter(ctx)
            .find_map(Result::err)
            .map(corrupt_parts)
            .unwrap();
        assert_eq!(err.1, hex::encode(b"height/xyz"));
        assert!(err.2.contains("expected 8"), "{}", err.2);

        ctx.store().set("params", [0xff, 0x00]);
        let msg = PARAMS.load(ctx).unwrap_err().to_string();
        assert!(
            msg.starts_with(&format!(
                "corrupt state in store \"typed\" under key {}",
                hex::encode(b"params")
            )),
            "{msg}"
        );
    });
}

#[derive(Serialize, Deserialize)]
struct AccountV1 {
    balance: String,
}

#[derive(Debug, PartialEq, Serialize, Deserialize)]
struct Account {
    balance: u64,
    nonce: u64,
}

const ACCOUNTS: Map<&str, Account> = Map::new(b"acct/");

#[test]
fn legacy_value_type_is_read_then_rewritten_in_the_new_one() {
    with_ctx(|ctx| {
        // Version 1 wrote balances as strings.
        let v1 = ACCOUNTS.legacy::<AccountV1>();
        for (addr, balance) in [("alice", "12"), ("bob", "7")] {
            v1.save(
                ctx,
                addr,
                &AccountV1 {
                    balance: balance.into(),
                },
            )
            .unwrap();
        }
        // The new type cannot read the old encoding.
        let (_, key, _) = corrupt_parts(ACCOUNTS.load(ctx, "alice").unwrap_err());
        assert_eq!(key, hex::encode(b"acct/alice"));

        let count = ACCOUNTS
            .migrate_from::<AccountV1, Json, _, _>(ctx, |addr, old| {
                let balance = old
                    .balance
                    .parse()
                    .map_err(|_| ModuleError::Rejected(format!("bad balance of {addr}")))?;
                Ok(Account { balance, nonce: 0 })
            })
            .unwrap();
        assert_eq!(count, 2);
        assert_eq!(
            ACCOUNTS.load(ctx, "alice").unwrap(),
            Account {
                balance: 12,
                nonce: 0
            }
        );
        assert_eq!(
            ctx.own().get(b"acct/bob").unwrap().unwrap(),
            br#"{"balance":7,"nonce":0}"#
        );
        // Now the old view is the one that fails.
        assert!(matches!(
            v1.load(ctx, "bob"),
            Err(ModuleError::CorruptState { .. })
        ));
    });
}

/// An old codec: u64 as 8 big-endian bytes.
struct BigEndian;

impl Codec<u64> for BigEndian {
    fn encode(value: &u64) -> Result<Vec<u8>, CodecError> {
        Ok(value.to_be_bytes().to_vec())
    }
    fn decode(bytes: &[u8]) -> Result<u64, CodecError> {
        let array: [u8; 8] = bytes
            .try_into()
            .map_err(|_| CodecError::new("expected 8 bytes"))?;
        Ok(u64::from_be_bytes(array))
    }
}

#[test]
fn legacy_codec_is_read_then_rewritten_in_json() {
    with_ctx(|ctx| {
        const SUPPLY: Map<&str, u64> = Map::new(b"supply/");
        const TOTAL: Item<u64> = Item::new(b"total");
        let old = SUPPLY.with_codec::<BigEndian>();
        old.save(ctx, "atom", &300).unwrap();
        old.save(ctx, "osmo", &5).unwrap();
        TOTAL.with_codec::<BigEndian>().save(ctx, &305).unwrap();
        assert_eq!(
            ctx.own().get(b"supply/atom").unwrap().unwrap(),
            300u64.to_be_bytes()
        );

        // A failing conversion writes nothing.
        let err = SUPPLY
            .migrate_from::<u64, BigEndian, _, _>(ctx, |denom, n| {
                if denom == "osmo" {
                    Err(ModuleError::Rejected("stop".into()))
                } else {
                    Ok(n)
                }
            })
            .unwrap_err();
        assert_eq!(err.to_string(), "stop");
        assert_eq!(old.load(ctx, "atom").unwrap(), 300);

        let n = SUPPLY
            .migrate_from::<u64, BigEndian, _, _>(ctx, |_, n| Ok(n))
            .unwrap();
        assert_eq!(n, 2);
        assert!(TOTAL.migrate_from::<u64, BigEndian, _, _>(ctx, Ok).unwrap());
        assert!(
            !Item::<u64>::new(b"absent")
                .migrate_from::<u64, BigEndian, _, _>(ctx, Ok)
                .unwrap()
        );

        assert_eq!(ctx.own().get(b"supply/atom").unwrap().unwrap(), b"300");
        let all: Vec<(String, u64)> = SUPPLY.iter(ctx).collect::<Result<_, _>>().unwrap();
        assert_eq!(all, [("atom".to_owned(), 300), ("osmo".to_owned(), 5)]);
        assert_eq!(TOTAL.load(ctx).unwrap(), 305);
    });
}
