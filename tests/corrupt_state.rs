//! A corrupt boundary or layout version in the state file: the node refuses
//! to start with an error naming what is corrupt and where, and writes
//! nothing.

use std::path::Path;

use redb::TableDefinition;
use upgrade_runtime::store::{ChangeSet, CommitOptions, Layout, MIGRATION_TABLE, Storage};

const MIGRATION: TableDefinition<&[u8], &[u8]> = TableDefinition::new(MIGRATION_TABLE);

/// A state file mid-migration: 30 keys, 10 moved.
fn migrating_state(path: &Path) {
    let mut storage = Storage::create(path, Layout::V1).expect("create");
    let mut changes = ChangeSet::new();
    for i in 0..30u8 {
        changes.put("bank", vec![i], Some(vec![i]));
    }
    storage
        .commit(0, changes, &CommitOptions::default())
        .expect("genesis");
    let options = CommitOptions {
        start_migration: true,
        migration_batch: 10,
        ..CommitOptions::default()
    };
    storage
        .commit(1, ChangeSet::new(), &options)
        .expect("start");
}

fn overwrite(path: &Path, key: &[u8], value: Option<&[u8]>) {
    let db = redb::Database::open(path).expect("open");
    let txn = db.begin_write().expect("write");
    {
        let mut table = txn.open_table(MIGRATION).expect("table");
        match value {
            Some(v) => {
                table.insert(key, v).expect("insert");
            }
            None => {
                table.remove(key).expect("remove");
            }
        }
    }
    txn.commit().expect("commit");
}

fn open_error(path: &Path) -> String {
    let before = std::fs::read(path).expect("read");
    let err = match Storage::open(path) {
        Ok(_) => panic!("a corrupt state file was opened"),
        Err(e) => e.to_string(),
    };
    assert!(
        std::fs::read(path).expect("read") == before,
        "refusing to start wrote to the file"
    );
    err.replace(&path.display().to_string(), "<state>")
}

#[test]
fn corrupt_boundaries_and_layout_versions_are_refused_by_name() {
    let dir = tempfile::tempdir().expect("tempdir");
    let path = dir.path().join("state.redb");
    migrating_state(&path);
    assert!(Storage::open(&path).is_ok());

    overwrite(&path, b"boundary", Some(&[9]));
    insta::assert_snapshot!(open_error(&path), @r#"state file <state> cannot be opened: corrupt migration boundary (table "reserved:migration", key "boundary"): unknown boundary status byte 0x09 (expected 0x00, 0x01 or 0x02); the node refuses to start rather than guess"#);

    overwrite(&path, b"boundary", Some(&[1, 0, 0, 0, 40, b'b']));
    insta::assert_snapshot!(open_error(&path), @r#"state file <state> cannot be opened: corrupt migration boundary (table "reserved:migration", key "boundary"): truncated in-progress boundary: store name needs 40 byte(s), 1 available; the node refuses to start rather than guess"#);

    overwrite(&path, b"boundary", Some(&[2]));
    insta::assert_snapshot!(open_error(&path), @"state file <state> cannot be opened: corrupt migration boundary: it disagrees with the store layout version V1; the node refuses to start rather than guess");

    overwrite(&path, b"layout", Some(&[7]));
    insta::assert_snapshot!(open_error(&path), @r#"state file <state> cannot be opened: corrupt store layout version (table "reserved:migration", key "layout"): expected a single byte 1 or 2, found 0x07; the node refuses to start rather than guess"#);

    overwrite(&path, b"layout", None);
    insta::assert_snapshot!(open_error(&path), @r#"state file <state> cannot be opened: corrupt store layout version (table "reserved:migration", key "layout"): missing; the node refuses to start rather than guess"#);
}
