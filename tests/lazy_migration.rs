//! Lazy store migration v1 -> v2 against a reference model: random writes,
//! deletes, reads and range scans interleaved with batches of random sizes.

use std::collections::BTreeMap;

use proptest::prelude::*;
use upgrade_runtime::commitment::LatticeHash;
use upgrade_runtime::store::{
    Boundary, CommitOptions, KeyRange, Layout, LayoutState, StateDelta, StateRead, StateWrite,
    Storage,
};

/// Store names chosen so that one is a prefix of another (`bank`, `bank2`).
const STORES: [&str; 4] = ["auth", "bank", "bank2", "zeta"];

type Model = BTreeMap<(String, Vec<u8>), Vec<u8>>;

#[derive(Clone, Debug)]
enum Op {
    Set(usize, Vec<u8>, u8),
    Delete(usize, Vec<u8>),
    Get(usize, Vec<u8>),
    Range(usize, Vec<u8>, Vec<u8>),
    Commit(u64),
}

fn key() -> impl Strategy<Value = Vec<u8>> {
    prop::collection::vec(
        prop::sample::select(vec![b'a', b'b', b'c', 0u8, 0xff]),
        0..3,
    )
}

fn op() -> impl Strategy<Value = Op> {
    prop_oneof![
        4 => (0..STORES.len(), key(), any::<u8>()).prop_map(|(s, k, v)| Op::Set(s, k, v)),
        2 => (0..STORES.len(), key()).prop_map(|(s, k)| Op::Delete(s, k)),
        2 => (0..STORES.len(), key()).prop_map(|(s, k)| Op::Get(s, k)),
        1 => (0..STORES.len(), key(), key()).prop_map(|(s, a, b)| Op::Range(s, a, b)),
        2 => (0u64..6).prop_map(Op::Commit),
    ]
}

fn genesis() -> impl Strategy<Value = Vec<(usize, Vec<u8>, u8)>> {
    prop::collection::vec((0..STORES.len(), key(), any::<u8>()), 0..40)
}

fn commit(
    storage: &mut Storage,
    height: u64,
    delta: StateDelta<upgrade_runtime::store::Snapshot>,
    start: bool,
    batch: u64,
) {
    let (_, changes) = delta.into_parts();
    let options = CommitOptions {
        start_migration: start,
        migration_batch: batch,
        ..CommitOptions::default()
    };
    storage.commit(height, changes, &options).expect("commit");
}

fn model_range(model: &Model, store: &str, range: &KeyRange) -> Vec<(Vec<u8>, Vec<u8>)> {
    model
        .iter()
        .filter(|((s, k), _)| s == store && range.contains(k))
        .map(|((_, k), v)| (k.clone(), v.clone()))
        .collect()
}

fn lattice_of(model: &Model) -> LatticeHash {
    let mut l = LatticeHash::new();
    for ((s, k), v) in model {
        l.insert(s, k, v);
    }
    l
}

fn check_all(storage: &Storage, model: &Model) {
    let snap = storage.snapshot().expect("snapshot");
    for store in STORES {
        let got: Vec<_> = snap
            .range(store, KeyRange::all())
            .expect("range")
            .collect::<Result<_, _>>()
            .expect("items");
        assert_eq!(
            got,
            model_range(model, store, &KeyRange::all()),
            "store {store}"
        );
    }
    assert_eq!(
        storage.last_commit().expect("committed").app_hash,
        lattice_of(model).app_hash()
    );
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 1000, ..ProptestConfig::default() })]

    /// `between`: batches move between blocks, so every check and every
    /// block's reads run while the last commit's batch may be moving.
    #[test]
    fn routed_state_agrees_with_a_model_at_every_step(initial in genesis(), ops in prop::collection::vec(op(), 1..60), between in any::<bool>()) {
        let mut storage = Storage::in_memory(Layout::V1).expect("storage");
        storage.move_batches_between_blocks(between);
        let mut model = Model::new();
        let mut delta = StateDelta::new(storage.snapshot().expect("snapshot"));
        for (s, k, v) in initial {
            delta.set(STORES[s], k.clone(), vec![v]);
            model.insert((STORES[s].to_owned(), k), vec![v]);
        }
        commit(&mut storage, 0, delta, false, 0);
        // The upgrade's commit starts the migration without moving anything.
        let empty = StateDelta::new(storage.snapshot().expect("snapshot"));
    commit(&mut storage, 1, empty, true, 0);
        prop_assert!(matches!(storage.layout_state(), LayoutState::Migrating(Boundary::NotStarted)) || model.is_empty());
        check_all(&storage, &model);

        let mut height = 1;
        let mut pending = model.clone();
        let mut delta = StateDelta::new(storage.snapshot().expect("snapshot"));
        for op in ops {
            match op {
                Op::Set(s, k, v) => {
                    delta.set(STORES[s], k.clone(), vec![v]);
                    pending.insert((STORES[s].to_owned(), k), vec![v]);
                }
                Op::Delete(s, k) => {
                    delta.delete(STORES[s], k.clone());
                    pending.remove(&(STORES[s].to_owned(), k));
                }
                Op::Get(s, k) => {
                    let want = pending.get(&(STORES[s].to_owned(), k.clone())).cloned();
                    prop_assert_eq!(delta.get(STORES[s], &k).expect("get"), want);
                }
                Op::Range(s, a, b) => {
                    let range = KeyRange::between(a, b);
                    let got: Vec<_> = delta.range(STORES[s], range.clone()).expect("range").collect::<Result<_, _>>().expect("items");
                    prop_assert_eq!(got, model_range(&pending, STORES[s], &range));
                }
                Op::Commit(batch) => {
                    height += 1;
                    commit(&mut storage, height, delta, false, batch);
                    model = pending.clone();
                    check_all(&storage, &model);
                    delta = StateDelta::new(storage.snapshot().expect("snapshot"));
                }
            }
        }
        // Drain: the batch that empties v1 completes the migration eagerly.
        height += 1;
        commit(&mut storage, height, delta, false, 1_000);
        if between {
            check_all(&storage, &pending);
            storage.settle_batch().expect("the last batch");
        }
        model = pending;
        prop_assert_eq!(storage.layout_state(), &LayoutState::V2);
        prop_assert_eq!(storage.migration_counters().left, 0);
        check_all(&storage, &model);
    }
}

#[test]
fn counters_track_moved_and_left_and_completion_is_eager() {
    let mut storage = Storage::in_memory(Layout::V1).expect("storage");
    let mut delta = StateDelta::new(storage.snapshot().expect("snapshot"));
    for i in 0..25u8 {
        delta.set("bank", vec![i], vec![i]);
    }
    delta.set("upgrade", vec![0], b"plan".to_vec());
    commit(&mut storage, 0, delta, false, 0);
    let empty = StateDelta::new(storage.snapshot().expect("snapshot"));
    commit(&mut storage, 1, empty, true, 10);
    let c = storage.migration_counters();
    assert_eq!((c.moved, c.left, c.started_height), (10, 15, 1));
    assert_eq!(
        storage.layout_state(),
        &LayoutState::Migrating(Boundary::InProgress {
            store: "bank".into(),
            key: vec![9]
        })
    );
    // A delete of a key still in v1 reduces what is left; one in the
    // `upgrade` store (its own table, never counted) does not.
    let mut delta = StateDelta::new(storage.snapshot().expect("snapshot"));
    delta.delete("bank", vec![24]);
    delta.delete("upgrade", vec![0]);
    commit(&mut storage, 2, delta, false, 10);
    let c = storage.migration_counters();
    assert_eq!((c.moved, c.left), (20, 4));
    // Exactly the remaining keys: the same batch completes the migration.
    let empty = StateDelta::new(storage.snapshot().expect("snapshot"));
    commit(&mut storage, 3, empty, false, 4);
    assert_eq!(storage.layout_state(), &LayoutState::V2);
    assert_eq!(storage.migration_counters().completed_height, 3);
    assert_eq!(storage.layout(), Layout::V2);
}

/// A batch moved between blocks commits its boundary and counters with its
/// keys: the reopened state file holds what settling reported, and every
/// key reads back.
#[test]
fn a_batch_moved_between_blocks_is_on_disk_with_its_boundary() {
    let dir = tempfile::tempdir().expect("tempdir");
    let path = dir.path().join("state.redb");
    let mut storage = Storage::create(&path, Layout::V1).expect("create");
    let mut delta = StateDelta::new(storage.snapshot().expect("snapshot"));
    for i in 0..25u8 {
        delta.set("bank", vec![i], vec![i]);
    }
    commit(&mut storage, 0, delta, false, 0);
    storage.move_batches_between_blocks(true);
    let empty = StateDelta::new(storage.snapshot().expect("snapshot"));
    commit(&mut storage, 1, empty, true, 10);
    let report = storage
        .settle_batch()
        .expect("the batch")
        .expect("a batch was moving");
    assert_eq!(
        (report.moved, report.counters.moved, report.counters.left),
        (10, 10, 15)
    );
    assert_eq!(storage.settle_batch().expect("nothing moving"), None);
    let layout = storage.layout_state().clone();
    let (counters, last) = (storage.migration_counters(), storage.last_commit());
    drop(storage);
    let reopened = Storage::open(&path).expect("reopen");
    assert_eq!(reopened.layout_state(), &layout);
    assert_eq!(reopened.migration_counters(), counters);
    assert_eq!(reopened.last_commit(), last);
    let snapshot = reopened.snapshot().expect("snapshot");
    for i in 0..25u8 {
        assert_eq!(snapshot.get("bank", &[i]).expect("get"), Some(vec![i]));
    }
}
