//! The storage engine's own speed, for `bench upgrade` to compare with: the
//! physical row changes an upgrade block made (a streaming diff of the state
//! file before and after it) rewritten into a copy of the file before it, in
//! one redb transaction, with no hashing and no runtime in between.

use std::fs::File;
use std::io::{BufReader, BufWriter, Read, Write};
use std::path::Path;
use std::time::Instant;

use anyhow::Context;
use redb::{ReadableDatabase, ReadableTable, TableDefinition, TableHandle};

type Bytes = &'static [u8];

fn definition(name: &str) -> TableDefinition<'_, Bytes, Bytes> {
    TableDefinition::new(name)
}

/// Rows changed between two state files, as counted by [`diff`].
#[derive(Clone, Copy, Debug, Default)]
pub struct DiffCounts {
    /// Rows set (new or changed).
    pub set: u64,
    /// Rows removed.
    pub removed: u64,
}

/// Writes to `out` every row that differs between `before` and `after`
/// (table, key, new value or removal), table by table in key order, reading
/// both files a row at a time.
///
/// # Errors
///
/// A file cannot be read or written.
pub fn diff(before: &Path, after: &Path, out: &Path) -> anyhow::Result<DiffCounts> {
    let open = |p: &Path| {
        redb::Database::builder()
            .open_read_only(p)
            .with_context(|| format!("cannot open {}", p.display()))
    };
    let (a, b) = (open(before)?, open(after)?);
    let (ta, tb) = (a.begin_read()?, b.begin_read()?);
    let mut tables: Vec<String> = ta
        .list_tables()?
        .chain(tb.list_tables()?)
        .map(|t| t.name().to_owned())
        .collect();
    tables.sort();
    tables.dedup();
    let mut w = BufWriter::new(File::create(out)?);
    let mut counts = DiffCounts::default();
    for name in &tables {
        let left = ta.open_table(definition(name)).ok();
        let right = tb.open_table(definition(name)).ok();
        let mut li = match &left {
            Some(t) => Some(t.iter()?),
            None => None,
        };
        let mut ri = match &right {
            Some(t) => Some(t.iter()?),
            None => None,
        };
        let (mut l, mut r) = (next(&mut li)?, next(&mut ri)?);
        loop {
            match (&l, &r) {
                (None, None) => break,
                (Some((lk, _)), Some((rk, _))) if lk < rk => {
                    record(&mut w, name, lk, None)?;
                    counts.removed += 1;
                    l = next(&mut li)?;
                }
                (Some(_), None) => {
                    if let Some((lk, _)) = &l {
                        record(&mut w, name, lk, None)?;
                    }
                    counts.removed += 1;
                    l = next(&mut li)?;
                }
                (Some((lk, lv)), Some((rk, rv))) if lk == rk => {
                    if lv != rv {
                        record(&mut w, name, rk, Some(rv))?;
                        counts.set += 1;
                    }
                    l = next(&mut li)?;
                    r = next(&mut ri)?;
                }
                (_, Some((rk, rv))) => {
                    record(&mut w, name, rk, Some(rv))?;
                    counts.set += 1;
                    r = next(&mut ri)?;
                }
            }
        }
    }
    w.flush()?;
    Ok(counts)
}

type Row = (Vec<u8>, Vec<u8>);

fn next(it: &mut Option<redb::Range<'_, Bytes, Bytes>>) -> anyhow::Result<Option<Row>> {
    match it.as_mut().and_then(Iterator::next) {
        Some(row) => {
            let (k, v) = row?;
            Ok(Some((k.value().to_vec(), v.value().to_vec())))
        }
        None => Ok(None),
    }
}

fn record(
    w: &mut impl Write,
    table: &str,
    key: &[u8],
    value: Option<&Vec<u8>>,
) -> anyhow::Result<()> {
    for part in [table.as_bytes(), key] {
        w.write_all(&u32::try_from(part.len())?.to_be_bytes())?;
        w.write_all(part)?;
    }
    match value {
        Some(v) => {
            w.write_all(&[1])?;
            w.write_all(&u32::try_from(v.len())?.to_be_bytes())?;
            w.write_all(v)?;
        }
        None => w.write_all(&[0])?,
    }
    Ok(())
}

fn read_part(r: &mut impl Read) -> anyhow::Result<Option<Vec<u8>>> {
    let mut len = [0u8; 4];
    match r.read_exact(&mut len) {
        Ok(()) => {}
        Err(e) if e.kind() == std::io::ErrorKind::UnexpectedEof => return Ok(None),
        Err(e) => return Err(e.into()),
    }
    let mut part = vec![0; u32::from_be_bytes(len) as usize];
    r.read_exact(&mut part)?;
    Ok(Some(part))
}

/// Applies the rows of `changes` (from [`diff`]) to the state file at
/// `state` in one write transaction and returns the seconds it took, commit
/// included.
///
/// # Errors
///
/// A file cannot be read or written.
pub fn rewrite(state: &Path, changes: &Path) -> anyhow::Result<f64> {
    // The node's own page cache size, so both sides get the same memory.
    let db = redb::Database::builder()
        .set_cache_size(upgrade_runtime::store::STATE_CACHE_BYTES)
        .open(state)
        .with_context(|| format!("cannot open {}", state.display()))?;
    let mut r = BufReader::with_capacity(1 << 20, File::open(changes)?);
    let started = Instant::now();
    let txn = db.begin_write()?;
    let mut current: Option<(String, redb::Table<'_, Bytes, Bytes>)> = None;
    while let Some(table) = read_part(&mut r)? {
        let table = String::from_utf8(table)?;
        let key = read_part(&mut r)?.context("truncated change file")?;
        let mut flag = [0u8; 1];
        r.read_exact(&mut flag)?;
        let value = if flag[0] == 1 {
            Some(read_part(&mut r)?.context("truncated change file")?)
        } else {
            None
        };
        if current.as_ref().is_none_or(|(name, _)| *name != table) {
            current = Some((table.clone(), txn.open_table(definition(&table))?));
        }
        if let Some((_, t)) = current.as_mut() {
            match value {
                Some(v) => {
                    t.insert(key.as_slice(), v.as_slice())?;
                }
                None => {
                    t.remove(key.as_slice())?;
                }
            }
        }
    }
    drop(current);
    txn.commit()?;
    Ok(started.elapsed().as_secs_f64())
}
