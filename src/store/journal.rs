//! The undo journal of a write session: the previous value of every physical
//! key a flushed batch overwrote while a scope was open, appended to a
//! scratch file so that rolling a scope back needs no memory beyond one
//! batch, however much the scope wrote.
//!
//! Batches are undone newest first; inside one batch every physical key is
//! distinct (it comes from a sorted change set), so its order does not
//! matter. The file is anonymous: the operating system removes it when the
//! session ends, also when the process is killed.

use std::fs::File;
use std::io::{BufWriter, Read, Seek, SeekFrom, Write};
use std::path::Path;

use super::{StoreError, TableOp, TableWrite};

/// One table's part of a batch: its name, the physical writes and the
/// values they replaced.
pub(crate) type TableBatch<'a> = (&'a str, &'a [TableOp], &'a [Option<Vec<u8>>]);

/// A point in the journal a scope can be rolled back to.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct JournalMark(usize);

/// Undo records on disk, one entry per flushed batch.
pub(crate) struct UndoJournal {
    file: Option<BufWriter<File>>,
    dir: Option<std::path::PathBuf>,
    /// (offset, length) of each batch's records.
    batches: Vec<(u64, u64)>,
    end: u64,
}

fn journal_error(err: std::io::Error) -> StoreError {
    StoreError::backend("writing the upgrade's undo journal", err)
}

impl UndoJournal {
    /// An empty journal; its file is created on the first record, in `dir`.
    pub(crate) fn new(dir: Option<&Path>) -> Self {
        UndoJournal {
            file: None,
            dir: dir.map(Path::to_owned),
            batches: Vec::new(),
            end: 0,
        }
    }

    /// Where a scope opened now would roll back to.
    pub(crate) fn mark(&self) -> JournalMark {
        JournalMark(self.batches.len())
    }

    /// Records one batch: for each table, its physical keys and the values
    /// they had before the batch.
    pub(crate) fn record(&mut self, batch: &[TableBatch<'_>]) -> Result<(), StoreError> {
        if self.file.is_none() {
            let file =
                crate::external_sort::scratch_file(self.dir.as_deref()).map_err(journal_error)?;
            self.file = Some(BufWriter::with_capacity(1 << 20, file));
        }
        let Some(out) = self.file.as_mut() else {
            return Ok(());
        };
        let start = self.end;
        let mut written = 0u64;
        let mut put = |bytes: &[u8]| -> Result<(), StoreError> {
            out.write_all(bytes).map_err(journal_error)?;
            written += bytes.len() as u64;
            Ok(())
        };
        for (table, ops, olds) in batch {
            for ((key, _), old) in ops.iter().zip(olds.iter()) {
                put(&len_prefix(table.len()))?;
                put(table.as_bytes())?;
                put(&len_prefix(key.len()))?;
                put(key)?;
                match old {
                    Some(old) => {
                        put(&[1])?;
                        put(&len_prefix(old.len()))?;
                        put(old)?;
                    }
                    None => put(&[0])?,
                }
            }
        }
        self.end += written;
        self.batches.push((start, written));
        Ok(())
    }

    /// Restores, newest batch first, every value overwritten since `mark`.
    pub(crate) fn undo_to(
        &mut self,
        mark: JournalMark,
        txn: &mut dyn TableWrite,
    ) -> Result<(), StoreError> {
        while self.batches.len() > mark.0 {
            let Some((offset, len)) = self.batches.pop() else {
                break;
            };
            let bytes = self.read(offset, len)?;
            for (table, ops) in decode(&bytes)? {
                txn.write_batch(&table, &ops)?;
            }
            self.end = offset;
        }
        if let Some(out) = self.file.as_mut() {
            out.seek(SeekFrom::Start(self.end)).map_err(journal_error)?;
        }
        Ok(())
    }

    /// Forgets every record (nothing is left to roll back to).
    pub(crate) fn clear(&mut self) -> Result<(), StoreError> {
        self.batches.clear();
        self.end = 0;
        if let Some(out) = self.file.as_mut() {
            out.seek(SeekFrom::Start(0)).map_err(journal_error)?;
        }
        Ok(())
    }

    fn read(&mut self, offset: u64, len: u64) -> Result<Vec<u8>, StoreError> {
        let Some(out) = self.file.as_mut() else {
            return Ok(Vec::new());
        };
        out.flush().map_err(journal_error)?;
        let file = out.get_mut();
        file.seek(SeekFrom::Start(offset)).map_err(journal_error)?;
        let mut bytes = vec![0; usize::try_from(len).unwrap_or(usize::MAX)];
        file.read_exact(&mut bytes).map_err(journal_error)?;
        Ok(bytes)
    }
}

fn len_prefix(len: usize) -> [u8; 4] {
    u32::try_from(len).unwrap_or(u32::MAX).to_be_bytes()
}

/// One batch's records, grouped by table in the order they were written.
/// Anything but whole records (a short read, an unknown flag) is an error:
/// an undo must never guess.
fn decode(bytes: &[u8]) -> Result<Vec<(String, Vec<TableOp>)>, StoreError> {
    let corrupt = || StoreError::Corrupt {
        what: "the undo journal".into(),
        reason: "a record is truncated or malformed".into(),
    };
    let mut rest = bytes;
    let mut take = |n: usize| -> Result<Vec<u8>, StoreError> {
        if rest.len() < n {
            return Err(corrupt());
        }
        let (head, tail) = rest.split_at(n);
        rest = tail;
        Ok(head.to_vec())
    };
    let mut out: Vec<(String, Vec<TableOp>)> = Vec::new();
    let mut consumed = 0;
    while consumed < bytes.len() {
        let len = take(4)?;
        let table = String::from_utf8(take(be_len(&len))?).map_err(|_| corrupt())?;
        let key_len = take(4)?;
        let key = take(be_len(&key_len))?;
        let flag = take(1)?;
        let old = match flag.first() {
            Some(0) => None,
            Some(1) => {
                let len = take(4)?;
                Some(take(be_len(&len))?)
            }
            _ => return Err(corrupt()),
        };
        consumed += 4 + table.len() + 4 + key.len() + 1 + old.as_ref().map_or(0, |v| 4 + v.len());
        match out.last_mut() {
            Some((last, ops)) if *last == table => ops.push((key, old)),
            _ => out.push((table, vec![(key, old)])),
        }
    }
    Ok(out)
}

fn be_len(bytes: &[u8]) -> usize {
    let mut four = [0u8; 4];
    four.copy_from_slice(&bytes[..4]);
    u32::from_be_bytes(four) as usize
}

#[cfg(test)]
mod tests {
    use super::*;

    fn record(table: &str, key: &[u8], old: Option<&[u8]>) -> Vec<u8> {
        let mut out = Vec::new();
        for part in [table.as_bytes(), key] {
            out.extend(len_prefix(part.len()));
            out.extend(part);
        }
        match old {
            Some(v) => {
                out.push(1);
                out.extend(len_prefix(v.len()));
                out.extend(v);
            }
            None => out.push(0),
        }
        out
    }

    #[test]
    fn whole_records_decode_and_anything_else_is_refused() {
        let mut bytes = record("t", b"k1", Some(b"v"));
        bytes.extend(record("t", b"k2", None));
        bytes.extend(record("u", b"k3", Some(b"")));
        let decoded = decode(&bytes).expect("valid");
        assert_eq!(
            decoded,
            vec![
                (
                    "t".to_owned(),
                    vec![
                        (b"k1".to_vec(), Some(b"v".to_vec())),
                        (b"k2".to_vec(), None)
                    ]
                ),
                ("u".to_owned(), vec![(b"k3".to_vec(), Some(Vec::new()))]),
            ]
        );
        for cut in 1..bytes.len() {
            let whole = decode(&bytes[..cut]).is_ok();
            // Only cuts at record boundaries decode.
            let boundary = [17, 29].contains(&cut);
            assert_eq!(whole, boundary, "cut at {cut}");
        }
        let mut bad_flag = record("t", b"k", None);
        *bad_flag.last_mut().expect("flag") = 2;
        assert!(decode(&bad_flag).is_err());
    }
}
