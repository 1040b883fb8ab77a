//! App hash properties through `Storage::commit`: it commits to the logical
//! state only (not write order, commit count or physical layout), it sees
//! every byte, and the incrementally kept lattice equals one rebuilt from
//! scratch.
#![allow(clippy::unwrap_used)]

mod common;

use std::collections::BTreeSet;

use common::commit;
use proptest::prelude::*;
use upgrade_runtime::AppHash;
use upgrade_runtime::commitment::LatticeHash;
use upgrade_runtime::store::{
    ChangeSet, KeyRange, Layout, RedbBackend, StateDelta, StateRead, StateWrite, Storage,
    UPGRADE_STORE,
};

type Write<'a> = (&'a str, &'a [u8], Option<&'a [u8]>);

fn changes(writes: &[Write<'_>]) -> ChangeSet {
    let mut set = ChangeSet::new();
    for (store, key, value) in writes {
        set.put(store, key.to_vec(), value.map(<[u8]>::to_vec));
    }
    set
}

/// Commits each block of writes at heights 1, 2, ... and returns the hashes.
fn run(storage: &mut Storage, blocks: &[&[Write<'_>]]) -> Vec<AppHash> {
    blocks
        .iter()
        .zip(1..)
        .map(|(writes, height)| commit(storage, height, changes(writes)).app_hash)
        .collect()
}

fn final_hash(layout: Layout, blocks: &[&[Write<'_>]]) -> AppHash {
    let mut storage = Storage::in_memory(layout).unwrap();
    *run(&mut storage, blocks).last().unwrap()
}

/// The lattice of every triple of `stores`, rebuilt from a snapshot.
fn rebuilt<S: StateRead>(state: &S, stores: &[&str]) -> LatticeHash {
    let mut lattice = LatticeHash::new();
    for store in stores {
        for item in state.range(store, KeyRange::all()).unwrap() {
            let (key, value) = item.unwrap();
            lattice.insert(store, &key, &value);
        }
    }
    lattice
}

#[test]
fn equal_for_the_same_state_whatever_the_write_order_and_number_of_commits() {
    let one_block: &[Write<'_>] = &[
        ("auth", b"a1", Some(b"1")),
        ("auth", b"a2", Some(b"2")),
        ("bank", b"b1", Some(b"x")),
        (UPGRADE_STORE, b"\x02auth", Some(b"v")),
    ];
    let reference = final_hash(Layout::V1, &[one_block]);
    let reversed: Vec<Write<'_>> = one_block.iter().rev().copied().collect();
    let per_key: Vec<&[Write<'_>]> = reversed.chunks(1).collect();
    assert_eq!(final_hash(Layout::V1, &per_key), reference);
    let detour: &[&[Write<'_>]] = &[
        &[
            ("bank", b"b1", Some(b"old")),
            ("auth", b"a2", Some(b"tmp")),
            ("bank", b"junk", Some(b"z")),
        ],
        &[
            (UPGRADE_STORE, b"\x02auth", Some(b"v")),
            ("auth", b"a1", Some(b"1")),
        ],
        &[
            ("auth", b"a2", Some(b"2")),
            ("bank", b"b1", Some(b"x")),
            ("bank", b"junk", None),
        ],
    ];
    assert_eq!(final_hash(Layout::V1, detour), reference);

    // Writes through a delta in two different orders, with an overwrite.
    let mut hashes = Vec::new();
    for order in [[0usize, 1, 2, 3], [3, 2, 1, 0]] {
        let mut storage = Storage::in_memory(Layout::V2).unwrap();
        let mut delta = StateDelta::new(storage.snapshot().unwrap());
        delta.set("auth", b"a1".to_vec(), b"overwritten".to_vec());
        for i in order {
            let (store, key, value) = one_block[i];
            delta.set(store, key.to_vec(), value.unwrap().to_vec());
        }
        let (_, set) = delta.into_parts();
        hashes.push(commit(&mut storage, 1, set).app_hash);
    }
    assert_eq!(hashes, [reference, reference]);
    // And it is not a constant.
    assert_ne!(reference, final_hash(Layout::V1, &[&one_block[1..]]));
    assert_ne!(reference, final_hash(Layout::V1, &[&[]]));
}

const BLOCKS: &[&[Write<'static>]] = &[
    &[
        ("auth", b"acct/1", Some(b"alice")),
        ("auth", b"acct/2", Some(b"bob")),
        ("bank", b"bal/1", Some(b"100")),
        (UPGRADE_STORE, b"\x02auth", Some(b"\0\0\0\0\0\0\0\x01")),
    ],
    &[
        ("bank", b"bal/1", Some(b"90")),
        ("bank", b"bal/2", Some(b"10")),
    ],
    &[
        ("auth", b"acct/2", None),
        ("bank", b"bal/2", None),
        ("crisis", b"c", Some(b"")),
    ],
    &[
        ("bank", b"bal/1", Some(b"100")),
        ("auth", b"acct/2", Some(b"bob")),
        ("crisis", b"c", None),
    ],
];

#[test]
fn equal_under_layout_v1_and_v2_at_every_height_while_the_tables_differ() {
    let dir = tempfile::tempdir().unwrap();
    let paths = [dir.path().join("v1.redb"), dir.path().join("v2.redb")];
    let mut hashes = Vec::new();
    for (path, layout) in paths.iter().zip([Layout::V1, Layout::V2]) {
        let mut storage = Storage::create(path, layout).unwrap();
        assert_eq!(storage.layout(), layout);
        let per_height = run(&mut storage, BLOCKS);
        for (height, hash) in (1..).zip(&per_height) {
            assert_eq!(storage.app_hash_at(height).unwrap(), Some(*hash));
        }
        assert_eq!(
            rebuilt(
                &storage.snapshot().unwrap(),
                &["auth", "bank", "crisis", UPGRADE_STORE]
            )
            .app_hash(),
            *per_height.last().unwrap()
        );
        hashes.push(per_height);
    }
    assert_eq!(hashes[0], hashes[1]);
    // The last block restored the first block's state, and only that.
    assert_eq!(hashes[0][3], hashes[0][0]);
    assert_eq!(hashes[0][..3].iter().collect::<BTreeSet<_>>().len(), 3);

    // Reopened, each file still reads the same logical state and hash.
    for (path, layout) in paths.iter().zip([Layout::V1, Layout::V2]) {
        let storage = Storage::open(path).unwrap();
        assert_eq!(storage.layout(), layout);
        assert_eq!(storage.last_commit().unwrap().app_hash, hashes[0][3]);
        assert_eq!(
            common::dump(&storage.snapshot().unwrap(), "bank"),
            [("bal/1".into(), "100".into())]
        );
    }

    // Physically: v1 keeps every module store in one prefixed table, v2 one
    // table per store; the reserved upgrade store has its own table in both.
    let table = |path: &std::path::Path, table: &str| -> Vec<(String, String)> {
        let backend = RedbBackend::open(path).unwrap();
        let reader = upgrade_runtime::store::Backend::begin_read(&backend).unwrap();
        reader
            .range(table, &KeyRange::all(), 100)
            .unwrap()
            .into_iter()
            .map(|(k, v)| {
                (
                    String::from_utf8_lossy(&k).into_owned(),
                    String::from_utf8_lossy(&v).into_owned(),
                )
            })
            .collect()
    };
    let kv = |k: &str, v: &str| (k.to_owned(), v.to_owned());
    assert_eq!(
        table(&paths[0], "layout_v1"),
        [
            kv("s/k:auth/acct/1", "alice"),
            kv("s/k:auth/acct/2", "bob"),
            kv("s/k:bank/bal/1", "100"),
        ]
    );
    assert!(table(&paths[0], "layout_v2:bank").is_empty());
    assert!(table(&paths[1], "layout_v1").is_empty());
    assert_eq!(
        table(&paths[1], "layout_v2:auth"),
        [kv("acct/1", "alice"), kv("acct/2", "bob")]
    );
    assert_eq!(table(&paths[1], "layout_v2:bank"), [kv("bal/1", "100")]);
    assert!(table(&paths[1], "layout_v2:crisis").is_empty());
    for path in &paths {
        assert_eq!(table(path, "reserved:upgrade").len(), 1);
    }
}

#[test]
fn any_one_byte_change_of_a_key_value_or_store_changes_the_hash() {
    let store = "bank";
    let key: &[u8] = b"k\x00\xffey";
    let value: &[u8] = b"\x01v\x80al";
    let with = |store: &str, key: &[u8], value: &[u8]| {
        final_hash(
            Layout::V1,
            &[&[
                ("auth", b"other", Some(b"triple")),
                (store, key, Some(value)),
            ]],
        )
    };
    let mut hashes = vec![with(store, key, value)];
    for i in 0..key.len() {
        let mut k = key.to_vec();
        k[i] ^= 0x01;
        hashes.push(with(store, &k, value));
    }
    for i in 0..value.len() {
        let mut v = value.to_vec();
        v[i] ^= 0x80;
        hashes.push(with(store, key, &v));
    }
    hashes.push(with("banl", key, value));
    // Moving a byte across the key/value boundary is a different triple too.
    hashes.push(with(
        store,
        &key[..key.len() - 1],
        &[&key[key.len() - 1..], value].concat(),
    ));
    hashes.push(with(store, &[key, &value[..1]].concat(), &value[1..]));
    let distinct: BTreeSet<_> = hashes.iter().collect();
    assert_eq!(distinct.len(), hashes.len(), "{hashes:?}");
}

#[test]
fn set_then_delete_of_a_new_key_leaves_the_hash_unchanged() {
    let mut storage = Storage::in_memory(Layout::V1).unwrap();
    let h0 = commit(&mut storage, 0, changes(&[("bank", b"b", Some(b"1"))])).app_hash;

    // Within one block: the later delete replaces the set.
    let mut within = ChangeSet::new();
    within.put("bank", b"new".to_vec(), Some(b"x".to_vec()));
    within.put("bank", b"new".to_vec(), None);
    within.put("bank", b"never".to_vec(), None);
    assert_eq!(commit(&mut storage, 1, within).app_hash, h0);
    let mut delta = StateDelta::new(storage.snapshot().unwrap());
    delta.set("auth", b"new".to_vec(), b"x".to_vec());
    delta.delete("auth", b"new".to_vec());
    let (_, set) = delta.into_parts();
    assert_eq!(commit(&mut storage, 2, set).app_hash, h0);

    // Across blocks: set, then delete, returns to the first state's hash.
    let h3 = commit(&mut storage, 3, changes(&[("bank", b"new", Some(b"x"))])).app_hash;
    assert_ne!(h3, h0);
    let h4 = commit(&mut storage, 4, changes(&[("bank", b"new", None)])).app_hash;
    assert_eq!(h4, h0);
    // Overwriting an existing value and restoring it does too.
    let h5 = commit(&mut storage, 5, changes(&[("bank", b"b", Some(b"2"))])).app_hash;
    assert_ne!(h5, h0);
    let h6 = commit(&mut storage, 6, changes(&[("bank", b"b", Some(b"1"))])).app_hash;
    assert_eq!(h6, h0);
    // Rewriting the same value is not a change.
    let h7 = commit(&mut storage, 7, changes(&[("bank", b"b", Some(b"1"))])).app_hash;
    assert_eq!(h7, h0);
    assert_eq!(
        storage.lattice(),
        &rebuilt(&storage.snapshot().unwrap(), &["bank", "auth"])
    );
}

const STORES: [&str; 3] = ["auth", "bank", UPGRADE_STORE];
const KEYS: [&[u8]; 6] = [b"", b"a", b"ab", b"b", b"\x00", b"\xff"];

fn block() -> impl Strategy<Value = Vec<(usize, usize, Option<Vec<u8>>)>> {
    let value = proptest::option::weighted(0.7, proptest::collection::vec(any::<u8>(), 0..4));
    proptest::collection::vec((0..STORES.len(), 0..KEYS.len(), value), 0..12)
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(96))]

    /// After many random commits the incrementally kept lattice equals one
    /// rebuilt from every triple, and both layouts agree at every height.
    #[test]
    fn incremental_lattice_equals_the_lattice_rebuilt_from_scratch(
        blocks in proptest::collection::vec(block(), 1..12),
    ) {
        let mut v1 = Storage::in_memory(Layout::V1).unwrap();
        let mut v2 = Storage::in_memory(Layout::V2).unwrap();
        for (height, writes) in (1..).zip(blocks) {
            let mut set = ChangeSet::new();
            for (s, k, v) in writes {
                set.put(STORES[s], KEYS[k].to_vec(), v);
            }
            let a = commit(&mut v1, height, set.clone());
            let b = commit(&mut v2, height, set);
            prop_assert_eq!(a, b);
            let scratch = rebuilt(&v1.snapshot().unwrap(), &STORES);
            prop_assert_eq!(&scratch, v1.lattice());
            prop_assert_eq!(scratch.app_hash(), a.app_hash);
        }
    }
}

#[test]
fn persisted_lattice_survives_reopening_after_many_seeded_commits() {
    // A small deterministic generator: no randomness leaks into the test.
    let mut seed: u64 = 0x9e37_79b9_7f4a_7c15;
    let mut next = move |n: u64| {
        seed ^= seed << 13;
        seed ^= seed >> 7;
        seed ^= seed << 17;
        seed % n
    };
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("state.redb");
    let mut storage = Storage::create(&path, Layout::V1).unwrap();
    for height in 1..=60 {
        let mut set = ChangeSet::new();
        for _ in 0..next(20) {
            let store = STORES[next(3) as usize];
            let key = format!("k{}", next(40)).into_bytes();
            let value = (next(4) != 0).then(|| next(1000).to_string().into_bytes());
            set.put(store, key, value);
        }
        commit(&mut storage, height, set);
    }
    let last = storage.last_commit().unwrap();
    drop(storage);
    let storage = Storage::open(&path).unwrap();
    assert_eq!(storage.last_commit(), Some(last));
    let scratch = rebuilt(&storage.snapshot().unwrap(), &STORES);
    assert_eq!(&scratch, storage.lattice());
    assert_eq!(scratch.app_hash(), last.app_hash);
    assert_ne!(last.app_hash, LatticeHash::new().app_hash());
}
