//! `StateDelta` semantics over committed snapshots: nesting, merged
//! iteration, reads-your-writes, and a model check against a `BTreeMap`.
#![allow(clippy::unwrap_used)]

use std::collections::BTreeMap;
use std::ops::Bound;

mod common;

use proptest::prelude::*;
use upgrade_runtime::store::{
    ChangeSet, KeyRange, Layout, StateDelta, StateRead, StateWrite, Storage,
};

fn committed(layout: Layout, writes: &[(&str, &[u8], &[u8])]) -> Storage {
    let mut storage = Storage::in_memory(layout).unwrap();
    let mut changes = ChangeSet::new();
    for (store, key, value) in writes {
        changes.put(store, key.to_vec(), Some(value.to_vec()));
    }
    common::commit(&mut storage, 1, changes);
    storage
}

fn pairs<S: StateRead + ?Sized>(
    state: &S,
    store: &str,
    range: KeyRange,
) -> Vec<(Vec<u8>, Vec<u8>)> {
    state
        .range(store, range)
        .unwrap()
        .collect::<Result<_, _>>()
        .unwrap()
}

fn keys<S: StateRead + ?Sized>(state: &S, store: &str, range: KeyRange) -> Vec<Vec<u8>> {
    pairs(state, store, range)
        .into_iter()
        .map(|(k, _)| k)
        .collect()
}

fn s(items: &[(&str, &str)]) -> Vec<(Vec<u8>, Vec<u8>)> {
    items
        .iter()
        .map(|(k, v)| (k.as_bytes().to_vec(), v.as_bytes().to_vec()))
        .collect()
}

#[test]
fn child_applies_into_parent_and_discarded_grandchild_leaves_no_trace() {
    let storage = committed(Layout::V1, &[("s", b"a", b"1"), ("s", b"b", b"2")]);
    let mut parent = StateDelta::new(storage.snapshot().unwrap());
    parent.set("s", b"p".to_vec(), b"parent".to_vec());
    let before_child = parent.changes().clone();
    {
        let mut child = StateDelta::new(&mut parent);
        child.set("s", b"c".to_vec(), b"child".to_vec());
        child.delete("s", b"a".to_vec());
        let child_view = pairs(&child, "s", KeyRange::all());
        {
            let mut grandchild = StateDelta::new(&mut child);
            grandchild.set("s", b"g".to_vec(), b"grandchild".to_vec());
            grandchild.set("s", b"a".to_vec(), b"resurrected".to_vec());
            grandchild.delete("s", b"b".to_vec());
            grandchild.delete("s", b"c".to_vec());
            assert_eq!(
                pairs(&grandchild, "s", KeyRange::all()),
                s(&[("a", "resurrected"), ("g", "grandchild"), ("p", "parent")])
            );
            // Dropped without apply.
        }
        assert_eq!(pairs(&child, "s", KeyRange::all()), child_view);
        assert_eq!(
            child_view,
            s(&[("b", "2"), ("c", "child"), ("p", "parent")])
        );
        // The parent does not see the child's writes before apply.
        assert_eq!(child.base().changes(), &before_child);
        child.apply();
    }
    assert_eq!(
        pairs(&parent, "s", KeyRange::all()),
        s(&[("b", "2"), ("c", "child"), ("p", "parent")])
    );
    let mut expected = ChangeSet::new();
    expected.put("s", b"a".to_vec(), None);
    expected.put("s", b"c".to_vec(), Some(b"child".to_vec()));
    expected.put("s", b"p".to_vec(), Some(b"parent".to_vec()));
    assert_eq!(parent.changes(), &expected);
    // The committed snapshot is untouched by all of it.
    assert_eq!(
        pairs(&storage.snapshot().unwrap(), "s", KeyRange::all()),
        s(&[("a", "1"), ("b", "2")])
    );
}

#[test]
fn discarded_child_leaves_parent_unchanged() {
    let storage = committed(Layout::V2, &[("s", b"a", b"1")]);
    let mut parent = StateDelta::new(storage.snapshot().unwrap());
    parent.set("s", b"x".to_vec(), b"1".to_vec());
    let before = parent.changes().clone();
    let mut child = StateDelta::new(&mut parent);
    child.delete("s", b"a".to_vec());
    child.delete("s", b"x".to_vec());
    child.set("t", b"y".to_vec(), b"2".to_vec());
    drop(child);
    assert_eq!(parent.changes(), &before);
    assert_eq!(parent.get("s", b"a").unwrap(), Some(b"1".to_vec()));
    assert_eq!(parent.get("s", b"x").unwrap(), Some(b"1".to_vec()));
    assert_eq!(parent.get("t", b"y").unwrap(), None);
}

#[test]
fn range_and_prefix_merge_deletes_and_overwrites_over_committed_keys() {
    for layout in [Layout::V1, Layout::V2] {
        let storage = committed(
            layout,
            &[
                ("s", b"a", b"1"),
                ("s", b"b", b"2"),
                ("s", b"ba", b"3"),
                ("s", b"c", b"4"),
                ("s", b"d", b"5"),
                // Neighbouring stores must not leak into `s`.
                ("r", b"b0", b"other"),
                ("s0", b"b1", b"other"),
                ("t", b"b2", b"other"),
            ],
        );
        let mut delta = StateDelta::new(storage.snapshot().unwrap());
        delta.delete("s", b"b".to_vec());
        delta.set("s", b"ba".to_vec(), b"3'".to_vec());
        delta.set("s", b"bb".to_vec(), b"new".to_vec());
        delta.delete("s", b"zz".to_vec());
        delta.set("s", b"e".to_vec(), b"6".to_vec());
        assert_eq!(
            pairs(&delta, "s", KeyRange::all()),
            s(&[
                ("a", "1"),
                ("ba", "3'"),
                ("bb", "new"),
                ("c", "4"),
                ("d", "5"),
                ("e", "6")
            ]),
            "{layout:?}"
        );
        assert_eq!(
            pairs(&delta, "s", KeyRange::between("b", "d")),
            s(&[("ba", "3'"), ("bb", "new"), ("c", "4")]),
            "{layout:?}"
        );
        assert_eq!(
            pairs(&delta, "s", KeyRange::after("c")),
            s(&[("d", "5"), ("e", "6")]),
            "{layout:?}"
        );
        let prefixed: Vec<_> = delta
            .prefix("s", b"b")
            .unwrap()
            .map(Result::unwrap)
            .collect();
        assert_eq!(prefixed, s(&[("ba", "3'"), ("bb", "new")]), "{layout:?}");

        // A child merges over the merged view.
        let mut child = StateDelta::new(&mut delta);
        child.delete("s", b"bb".to_vec());
        child.delete("s", b"c".to_vec());
        child.set("s", b"b".to_vec(), b"back".to_vec());
        child.set("s", b"bc".to_vec(), b"child".to_vec());
        assert_eq!(
            pairs(&child, "s", KeyRange::prefix(b"b")),
            s(&[("b", "back"), ("ba", "3'"), ("bc", "child")]),
            "{layout:?}"
        );
        assert_eq!(
            keys(&child, "s", KeyRange::all()),
            [&b"a"[..], b"b", b"ba", b"bc", b"d", b"e"],
            "{layout:?}"
        );
        assert_eq!(keys(&child, "t", KeyRange::all()), [b"b2".to_vec()]);
    }
}

#[test]
fn reads_see_own_writes_and_the_snapshot_does_not() {
    let storage = committed(Layout::V1, &[("s", b"k", b"old")]);
    let snapshot = storage.snapshot().unwrap();
    let mut delta = StateDelta::new(&snapshot);
    delta.set("s", b"k".to_vec(), b"new".to_vec());
    delta.set("s", b"n".to_vec(), b"fresh".to_vec());
    assert_eq!(delta.get("s", b"k").unwrap(), Some(b"new".to_vec()));
    assert!(delta.has("s", b"n").unwrap());
    assert_eq!(snapshot.get("s", b"k").unwrap(), Some(b"old".to_vec()));
    assert!(!snapshot.has("s", b"n").unwrap());
    delta.delete("s", b"k".to_vec());
    assert_eq!(delta.get("s", b"k").unwrap(), None);
    assert!(!delta.has("s", b"k").unwrap());
    assert_eq!(snapshot.get("s", b"k").unwrap(), Some(b"old".to_vec()));
    // Same key in another store is another key.
    assert_eq!(delta.get("t", b"n").unwrap(), None);
}

#[test]
fn set_then_delete_hides_the_key_and_commits_as_a_delete() {
    let mut storage = committed(Layout::V2, &[("s", b"old", b"1")]);
    let before = storage.last_commit().unwrap().app_hash;
    let mut delta = StateDelta::new(storage.snapshot().unwrap());
    delta.set("s", b"new".to_vec(), b"x".to_vec());
    delta.delete("s", b"new".to_vec());
    delta.set("s", b"old".to_vec(), b"2".to_vec());
    delta.delete("s", b"old".to_vec());
    assert_eq!(delta.get("s", b"new").unwrap(), None);
    assert!(keys(&delta, "s", KeyRange::all()).is_empty());
    assert_eq!(delta.changes().get("s", b"new"), Some(&None));
    assert_eq!(delta.changes().len(), 2);
    let (_, changes) = delta.into_parts();
    let after = common::commit(&mut storage, 2, changes);
    assert!(keys(&storage.snapshot().unwrap(), "s", KeyRange::all()).is_empty());
    assert_ne!(after.app_hash, before);

    // Setting a new key and deleting it again within one delta commits nothing.
    let mut delta = StateDelta::new(storage.snapshot().unwrap());
    delta.set("s", b"tmp".to_vec(), b"x".to_vec());
    delta.delete("s", b"tmp".to_vec());
    let (_, changes) = delta.into_parts();
    assert_eq!(
        common::commit(&mut storage, 3, changes).app_hash,
        after.app_hash
    );
}

#[test]
fn iteration_order_is_bytewise() {
    let mut expected: Vec<Vec<u8>> = vec![
        b"".to_vec(),
        vec![0x00],
        vec![0x00, 0x00],
        b"B".to_vec(),
        b"a".to_vec(),
        b"a\x00".to_vec(),
        b"a\x7f".to_vec(),
        b"a\x80".to_vec(),
        b"ab".to_vec(),
        vec![0x7f],
        vec![0x80],
        vec![0xff],
        vec![0xff, 0x00],
        vec![0xff, 0xff],
    ];
    expected.sort();
    for layout in [Layout::V1, Layout::V2] {
        // Half committed, half pending, interleaved.
        let committed_keys: Vec<(&str, &[u8], &[u8])> = expected
            .iter()
            .step_by(2)
            .map(|k| ("s", k.as_slice(), &b"c"[..]))
            .collect();
        let storage = committed(layout, &committed_keys);
        let mut delta = StateDelta::new(storage.snapshot().unwrap());
        for k in expected.iter().skip(1).step_by(2) {
            delta.set("s", k.clone(), b"p".to_vec());
        }
        assert_eq!(keys(&delta, "s", KeyRange::all()), expected, "{layout:?}");
        let prefixed = keys(&delta, "s", KeyRange::prefix(&[0xff]));
        assert_eq!(prefixed, [vec![0xff], vec![0xff, 0x00], vec![0xff, 0xff]]);
    }
}

#[test]
fn an_inverted_range_is_empty_rather_than_a_panic() {
    // redb itself answers an inverted range with nothing; the delta's
    // pending writes must do the same instead of panicking the node.
    let dir = tempfile::tempdir().unwrap();
    let mut storage = Storage::create(&dir.path().join("state.redb"), Layout::V2).unwrap();
    let mut changes = ChangeSet::new();
    changes.put("s", b"a".to_vec(), Some(b"1".to_vec()));
    common::commit(&mut storage, 1, changes);
    let snapshot = storage.snapshot().unwrap();
    assert!(keys(&snapshot, "s", KeyRange::between("c", "a")).is_empty());
    let mut delta = StateDelta::new(snapshot);
    delta.set("s", b"b".to_vec(), b"2".to_vec());
    let excluded_both = KeyRange {
        start: Bound::Excluded(b"b".to_vec()),
        end: Bound::Excluded(b"b".to_vec()),
    };
    assert!(keys(&delta, "s", excluded_both).is_empty());
    assert!(keys(&delta, "s", KeyRange::between("c", "a")).is_empty());
}

// ---- model check --------------------------------------------------------

const STORES: [&str; 2] = ["s", "t"];
const KEYS: [&[u8]; 7] = [b"", b"a", b"a\x00", b"ab", b"b", b"\xff", b"\xff\xff"];

#[derive(Clone, Debug)]
enum Op {
    Set(usize, usize, u8),
    Delete(usize, usize),
    Get(usize, usize),
    Range(usize, usize, usize, bool),
    Prefix(usize, usize),
    Push,
    Apply,
    Discard,
    Commit,
}

fn op() -> impl Strategy<Value = Op> {
    let store = 0..STORES.len();
    let key = 0..KEYS.len();
    prop_oneof![
        4 => (store.clone(), key.clone(), 0u8..4).prop_map(|(s, k, v)| Op::Set(s, k, v)),
        3 => (store.clone(), key.clone()).prop_map(|(s, k)| Op::Delete(s, k)),
        2 => (store.clone(), key.clone()).prop_map(|(s, k)| Op::Get(s, k)),
        2 => (store.clone(), key.clone(), key.clone(), any::<bool>())
            .prop_map(|(s, a, b, inc)| Op::Range(s, a, b, inc)),
        1 => (store, key).prop_map(|(s, k)| Op::Prefix(s, k)),
        2 => Just(Op::Push),
        1 => Just(Op::Apply),
        1 => Just(Op::Discard),
        1 => Just(Op::Commit),
    ]
}

type Model = BTreeMap<(usize, Vec<u8>), Vec<u8>>;

/// How a nesting level ended.
enum End {
    Ops,
    Apply,
    Discard,
    Commit,
}

fn model_range(model: &Model, store: usize, range: &KeyRange) -> Vec<(Vec<u8>, Vec<u8>)> {
    model
        .iter()
        .filter(|((s, k), _)| *s == store && range.contains(k))
        .map(|((_, k), v)| (k.clone(), v.clone()))
        .collect()
}

fn run_level(
    state: &mut dyn StateWrite,
    model: &mut Model,
    ops: &mut std::vec::IntoIter<Op>,
    depth: usize,
) -> Result<End, TestCaseError> {
    while let Some(op) = ops.next() {
        match op {
            Op::Set(s, k, v) => {
                state.set(STORES[s], KEYS[k].to_vec(), vec![v; usize::from(v) + 1]);
                model.insert((s, KEYS[k].to_vec()), vec![v; usize::from(v) + 1]);
            }
            Op::Delete(s, k) => {
                state.delete(STORES[s], KEYS[k].to_vec());
                model.remove(&(s, KEYS[k].to_vec()));
            }
            Op::Get(s, k) => {
                prop_assert_eq!(
                    state.get(STORES[s], KEYS[k]).unwrap(),
                    model.get(&(s, KEYS[k].to_vec())).cloned()
                );
            }
            Op::Range(s, a, b, inclusive_end) => {
                let (lo, hi) = (KEYS[a.min(b)].to_vec(), KEYS[a.max(b)].to_vec());
                let end = if inclusive_end || lo == hi {
                    Bound::Included(hi)
                } else {
                    Bound::Excluded(hi)
                };
                let range = KeyRange {
                    start: Bound::Included(lo),
                    end,
                };
                prop_assert_eq!(
                    pairs(&*state, STORES[s], range.clone()),
                    model_range(model, s, &range)
                );
            }
            Op::Prefix(s, k) => {
                let got: Vec<_> = state
                    .prefix(STORES[s], KEYS[k])
                    .unwrap()
                    .collect::<Result<_, _>>()
                    .unwrap();
                prop_assert_eq!(got, model_range(model, s, &KeyRange::prefix(KEYS[k])));
            }
            Op::Push => {
                let saved = model.clone();
                let mut child = StateDelta::new(&mut *state);
                match run_level(&mut child, model, ops, depth + 1)? {
                    End::Ops => return Ok(End::Ops),
                    End::Apply => {
                        child.apply();
                    }
                    End::Discard => {
                        drop(child);
                        *model = saved;
                    }
                    End::Commit => {
                        child.apply();
                        return Ok(End::Commit);
                    }
                }
            }
            Op::Apply if depth > 0 => return Ok(End::Apply),
            Op::Discard if depth > 0 => return Ok(End::Discard),
            Op::Apply | Op::Discard => {}
            Op::Commit => return Ok(End::Commit),
        }
    }
    Ok(End::Ops)
}

fn check_ops(layout: Layout, ops: Vec<Op>) -> Result<(), TestCaseError> {
    let mut storage = Storage::in_memory(layout).unwrap();
    let mut model = Model::new();
    let mut ops = ops.into_iter();
    let mut height = 0;
    loop {
        let committed = model.clone();
        let mut root = StateDelta::new(storage.snapshot().unwrap());
        match run_level(&mut root, &mut model, &mut ops, 0)? {
            End::Commit => {
                height += 1;
                let (_, changes) = root.into_parts();
                common::commit(&mut storage, height, changes);
                let snapshot = storage.snapshot().unwrap();
                for (s, store) in STORES.iter().enumerate() {
                    prop_assert_eq!(
                        pairs(&snapshot, store, KeyRange::all()),
                        model_range(&model, s, &KeyRange::all())
                    );
                }
            }
            End::Ops => {
                // The committed state never saw the uncommitted tail.
                let snapshot = storage.snapshot().unwrap();
                for (s, store) in STORES.iter().enumerate() {
                    prop_assert_eq!(
                        pairs(&snapshot, store, KeyRange::all()),
                        model_range(&committed, s, &KeyRange::all())
                    );
                }
                return Ok(());
            }
            End::Apply | End::Discard => unreachable!("depth 0 never ends with apply/discard"),
        }
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(256))]

    #[test]
    fn nested_deltas_agree_with_a_btreemap_model(
        v2 in any::<bool>(),
        ops in proptest::collection::vec(op(), 1..80),
    ) {
        check_ops(if v2 { Layout::V2 } else { Layout::V1 }, ops)?;
    }
}
