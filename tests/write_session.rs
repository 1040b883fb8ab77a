//! The write session (an upgrade's writes streamed into the block's
//! transaction) against a model of nested in-memory deltas: whatever mix of
//! writes, nested scopes kept or rolled back, and buffer sizes (down to a
//! flush per write), every read and the committed app hash agree.
#![allow(clippy::unwrap_used, clippy::needless_range_loop)]

use std::collections::BTreeMap;
use std::ops::Bound;

use proptest::prelude::*;
use upgrade_runtime::store::{
    ChangeSet, CommitOptions, KeyRange, Layout, Scope, StateRead, StateWrite, Storage,
};

#[derive(Clone, Debug)]
enum Op {
    Set(u8, u8, u8),
    Delete(u8, u8),
    Open,
    Close {
        keep: bool,
    },
    Read(u8, u8),
    /// Reads a store between two keys, each end included, excluded or
    /// open (0, 1, 2), inverted ranges too.
    ReadRange(u8, (u8, u8), (u8, u8)),
}

fn op() -> impl Strategy<Value = Op> {
    prop_oneof![
        6 => (0u8..2, 0u8..24, any::<u8>()).prop_map(|(s, k, v)| Op::Set(s, k, v)),
        2 => (0u8..2, 0u8..24).prop_map(|(s, k)| Op::Delete(s, k)),
        1 => Just(Op::Open),
        1 => any::<bool>().prop_map(|keep| Op::Close { keep }),
        2 => (0u8..2, 0u8..24).prop_map(|(s, k)| Op::Read(s, k)),
        2 => (0u8..2, (0u8..24, 0u8..3), (0u8..24, 0u8..3))
            .prop_map(|(s, start, end)| Op::ReadRange(s, start, end)),
    ]
}

const STORES: [&str; 2] = ["alpha", "bank"];

/// 24 keys under varied first bytes (the empty key, one-byte keys, longer
/// ones), so reads cross the buckets of a session writing behind.
fn key(k: u8) -> Vec<u8> {
    match k % 4 {
        0 if k == 0 => Vec::new(),
        0 => vec![k],
        1 => vec![k, 0xff],
        2 => vec![0x20 + k, b'/', k],
        _ => format!("key/{k:03}").into_bytes(),
    }
}

fn bound((k, kind): (u8, u8)) -> Bound<Vec<u8>> {
    match kind {
        0 => Bound::Included(key(k)),
        1 => Bound::Excluded(key(k)),
        _ => Bound::Unbounded,
    }
}

/// Where the committed state starts: a layout, or a lazy migration under
/// way (5 of the 16 seeded keys moved).
#[derive(Clone, Copy, Debug)]
enum Start {
    V1,
    V2,
    Migrating,
}

type Layer = BTreeMap<(usize, Vec<u8>), Option<Vec<u8>>>;

/// Nested deltas: layers over the committed base.
struct Model {
    base: Layer,
    layers: Vec<Layer>,
}

impl Model {
    fn get(&self, s: usize, k: &[u8]) -> Option<Vec<u8>> {
        for layer in self.layers.iter().rev() {
            if let Some(v) = layer.get(&(s, k.to_vec())) {
                return v.clone();
            }
        }
        self.base.get(&(s, k.to_vec())).cloned().flatten()
    }

    fn dump(&self, s: usize) -> Vec<(Vec<u8>, Vec<u8>)> {
        self.dump_in(s, &KeyRange::all())
    }

    /// In key order, as a store iterates.
    fn dump_in(&self, s: usize, range: &KeyRange) -> Vec<(Vec<u8>, Vec<u8>)> {
        let pairs = (0u8..24).filter(|k| range.contains(&key(*k)));
        let pairs = pairs.filter_map(|k| self.get(s, &key(k)).map(|v| (key(k), v)));
        pairs.collect::<BTreeMap<_, _>>().into_iter().collect()
    }
}

fn seeded(start: Start) -> Storage {
    let layout = match start {
        Start::V2 => Layout::V2,
        Start::V1 | Start::Migrating => Layout::V1,
    };
    let mut storage = Storage::in_memory(layout).unwrap();
    let mut changes = ChangeSet::new();
    for k in (0u8..24).step_by(3) {
        changes.put("alpha", key(k), Some(vec![k; 40]));
        changes.put("bank", key(k), Some(vec![k; 3]));
    }
    let migrating = matches!(start, Start::Migrating);
    let options = CommitOptions {
        start_migration: migrating,
        migration_batch: if migrating { 5 } else { 0 },
        ..CommitOptions::default()
    };
    storage.commit(1, changes, &options).unwrap();
    storage
}

fn dump(state: &dyn StateRead, store: &str) -> Vec<(Vec<u8>, Vec<u8>)> {
    state
        .range(store, KeyRange::all())
        .unwrap()
        .map(Result::unwrap)
        .collect()
}

/// Runs `ops` on a session (through nested [`Scope`]s) and on the model.
/// `behind`: a session writing behind, which cannot roll back (every scope
/// is kept).
fn run(ops: &[Op], buffer: usize, start: Start, behind: bool) -> Result<(), TestCaseError> {
    let mut storage = seeded(start);
    storage.set_write_buffer(buffer);
    let mut model = Model {
        base: Layer::new(),
        layers: vec![Layer::new()],
    };
    for k in (0u8..24).step_by(3) {
        model.base.insert((0, key(k)), Some(vec![k; 40]));
        model.base.insert((1, key(k)), Some(vec![k; 3]));
    }
    let mut session = if behind {
        storage.begin_session_writing_behind().unwrap()
    } else {
        storage.begin_session().unwrap()
    };
    let mut pos = 0;
    // A `Close` at the top level has no scope to close: it is skipped.
    while pos < ops.len() {
        run_nested(&mut session, ops, &mut pos, &mut model, !behind)?;
    }
    for s in 0..2 {
        prop_assert_eq!(dump(&session, STORES[s]), model.dump(s));
    }
    let session_hash = storage
        .commit_session(2, session, ChangeSet::new(), &CommitOptions::default())
        .unwrap()
        .app_hash;

    // The same final state through one plain in-memory delta.
    let mut reference = seeded(start);
    let mut changes = ChangeSet::new();
    for s in 0..2 {
        for k in 0u8..24 {
            changes.put(STORES[s], key(k), model.get(s, &key(k)));
        }
    }
    let reference_hash = reference
        .commit(2, changes, &CommitOptions::default())
        .unwrap()
        .app_hash;
    prop_assert_eq!(session_hash, reference_hash);
    let snapshot = storage.snapshot().unwrap();
    for s in 0..2 {
        prop_assert_eq!(dump(&snapshot, STORES[s]), model.dump(s));
    }
    Ok(())
}

/// Applies ops from `pos` until a `Close` of this level (returning whether
/// it keeps the scope) or the end; nested `Open`s recurse with a [`Scope`]
/// over `state`, as the upgrade keeper and the manager do.
fn run_nested(
    state: &mut dyn StateWrite,
    ops: &[Op],
    pos: &mut usize,
    model: &mut Model,
    rollbacks: bool,
) -> Result<Option<bool>, TestCaseError> {
    while let Some(op) = ops.get(*pos) {
        *pos += 1;
        match op {
            Op::Set(s, k, v) => {
                let value = vec![*v; 1 + usize::from(*v % 50)];
                state.set(STORES[usize::from(*s)], key(*k), value.clone());
                top(model).insert((usize::from(*s), key(*k)), Some(value));
            }
            Op::Delete(s, k) => {
                state.delete(STORES[usize::from(*s)], key(*k));
                top(model).insert((usize::from(*s), key(*k)), None);
            }
            Op::Read(s, k) => {
                let s = usize::from(*s);
                prop_assert_eq!(
                    state.get(STORES[s], &key(*k)).unwrap(),
                    model.get(s, &key(*k))
                );
                prop_assert_eq!(dump(&*state, STORES[s]), model.dump(s));
            }
            Op::ReadRange(s, start, end) => {
                let s = usize::from(*s);
                let range = KeyRange {
                    start: bound(*start),
                    end: bound(*end),
                };
                let read: Vec<_> = state
                    .range(STORES[s], range.clone())
                    .unwrap()
                    .map(Result::unwrap)
                    .collect();
                prop_assert_eq!(read, model.dump_in(s, &range));
            }
            Op::Open => {
                let mut scope = Scope::open(state).unwrap();
                model.layers.push(Layer::new());
                let keep = run_nested(&mut scope, ops, pos, model, rollbacks)?.unwrap_or(true);
                let layer = model.layers.pop().unwrap_or_default();
                if keep {
                    scope.apply().unwrap();
                    top(model).extend(layer);
                } else {
                    drop(scope);
                }
                for s in 0..2 {
                    prop_assert_eq!(dump(&*state, STORES[s]), model.dump(s));
                }
            }
            Op::Close { keep } => return Ok(Some(*keep || !rollbacks)),
        }
    }
    Ok(None)
}

fn top(model: &mut Model) -> &mut Layer {
    model.layers.last_mut().expect("a layer")
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(96))]

    #[test]
    fn a_session_with_scopes_matches_nested_deltas(
        ops in prop::collection::vec(op(), 0..120),
        buffer in prop_oneof![Just(1usize), Just(300), Just(1 << 20)],
        start in prop_oneof![Just(Start::V1), Just(Start::V2), Just(Start::Migrating)],
    ) {
        run(&ops, buffer, start, false)?;
    }

    /// Writing behind: batches written on a second thread while reads go
    /// to the snapshot or, where the block may have written, wait for them.
    #[test]
    fn a_session_writing_behind_matches_nested_deltas(
        ops in prop::collection::vec(op(), 0..120),
        buffer in prop_oneof![Just(1usize), Just(300), Just(1 << 20)],
        start in prop_oneof![Just(Start::V1), Just(Start::V2), Just(Start::Migrating)],
    ) {
        run(&ops, buffer, start, true)?;
    }
}

#[test]
fn a_scope_rolled_back_after_spilling_leaves_state_and_hash_as_before() {
    let mut storage = seeded(Start::V2);
    storage.set_write_buffer(1);
    let before = storage.last_commit().unwrap().app_hash;
    let mut session = storage.begin_session().unwrap();
    {
        let mut scope = Scope::open(&mut session).unwrap();
        for k in 0u8..24 {
            scope.set("alpha", key(k), vec![0xEE; 64]);
            scope.delete("bank", key(k));
        }
        assert_eq!(dump(&scope, "bank"), Vec::new());
        // dropped: rolled back
    }
    assert!(session.stats().batches > 10, "the writes were spilled");
    assert_eq!(session.lattice().unwrap().app_hash(), before);
    let info = storage
        .commit_session(2, session, ChangeSet::new(), &CommitOptions::default())
        .unwrap();
    assert_eq!(info.app_hash, before);
    let snapshot = storage.snapshot().unwrap();
    assert_eq!(dump(&snapshot, "bank").len(), 8);
    assert_eq!(snapshot.get("alpha", &key(3)).unwrap(), Some(vec![3u8; 40]));
}

#[test]
fn a_flush_larger_than_a_chunk_rolls_back_whole() {
    let mut storage = seeded(Start::V2);
    let before = storage.last_commit().unwrap().app_hash;
    let mut session = storage.begin_session().unwrap();
    {
        let mut outer = Scope::open(&mut session).unwrap();
        for k in 0u32..20_000 {
            outer.set("bank", k.to_be_bytes().to_vec(), vec![1; 8]);
        }
        // Opening a nested scope flushes the 20,000 writes (several chunks),
        // journaled for the outer scope.
        let inner = Scope::open(&mut outer).unwrap();
        drop(inner);
        assert_eq!(dump(&outer, "bank").len(), 20_000 + 8);
    }
    assert!(session.stats().writes >= 20_000);
    assert_eq!(session.lattice().unwrap().app_hash(), before);
    let info = storage
        .commit_session(2, session, ChangeSet::new(), &CommitOptions::default())
        .unwrap();
    assert_eq!(info.app_hash, before);
    assert_eq!(dump(&storage.snapshot().unwrap(), "bank").len(), 8);
}

/// A session whose owner drops it on any rollback (a block's upgrade)
/// journals nothing: kept scopes commit as usual, and a rolled-back scope
/// leaves the session refusing to commit, so nothing of it can land; the
/// same for a session writing behind.
#[test]
fn a_session_without_undo_commits_kept_scopes_and_refuses_after_a_rollback() {
    for behind in [false, true] {
        without_undo(behind);
    }
}

fn without_undo(behind: bool) {
    let mut storage = seeded(Start::V2);
    storage.set_write_buffer(1);
    let begin = |storage: &mut Storage| {
        if behind {
            storage.begin_session_writing_behind().unwrap()
        } else {
            let mut session = storage.begin_session().unwrap();
            session.discard_on_rollback();
            session
        }
    };
    let mut kept = begin(&mut storage);
    {
        let mut outer = Scope::open(&mut kept).unwrap();
        let mut inner = Scope::open(&mut outer).unwrap();
        inner.set("bank", key(1), vec![9; 4]);
        inner.apply().unwrap();
        outer.delete("alpha", key(0));
        outer.apply().unwrap();
    }
    let info = storage
        .commit_session(2, kept, ChangeSet::new(), &CommitOptions::default())
        .unwrap();
    let snapshot = storage.snapshot().unwrap();
    assert_eq!(snapshot.get("bank", &key(1)).unwrap(), Some(vec![9; 4]));
    assert_eq!(snapshot.get("alpha", &key(0)).unwrap(), None);

    let mut rolled_back = begin(&mut storage);
    {
        let mut scope = Scope::open(&mut rolled_back).unwrap();
        scope.set("bank", key(2), vec![7; 4]);
        // dropped: rolled back, which this session cannot undo
    }
    let refused =
        storage.commit_session(3, rolled_back, ChangeSet::new(), &CommitOptions::default());
    assert!(
        refused
            .as_ref()
            .is_err_and(|e| e.to_string().contains("no undo journal")),
        "{refused:?}"
    );
    assert_eq!(storage.last_commit().unwrap().app_hash, info.app_hash);
    assert_eq!(
        storage.snapshot().unwrap().get("bank", &key(2)).unwrap(),
        None
    );
}
