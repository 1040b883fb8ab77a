//! Sorting more records than memory should hold: sorted runs spilled to an
//! anonymous scratch file, merged as they are read back.
//!
//! A streaming genesis import must find duplicate addresses and renumber
//! duplicate account numbers among millions of accounts without keeping
//! them all: each module pushes small byte records (an address and a file
//! index, say) and reads them back in byte order, where duplicates are
//! neighbours. Memory is one run's worth of records, whatever the count.
//!
//! Records compare as bytes, so a record's encoding is its sort key; equal
//! records are identical, so the merge order between them cannot matter and
//! the output is deterministic.

use std::cmp::Reverse;
use std::collections::BinaryHeap;
use std::fs::File;
use std::io::{BufWriter, Write};
use std::os::unix::fs::FileExt;
use std::path::{Path, PathBuf};
use std::sync::Arc;

/// Bytes of records held in memory before a run is sorted and spilled.
pub const DEFAULT_RUN_BYTES: usize = 8 << 20;

/// Rough per-record memory beyond its bytes (the vector header).
const RECORD_OVERHEAD: usize = 24;

/// Bytes each run reads from the scratch file at a time while merging.
const READ_CHUNK: usize = 64 << 10;

/// Runs merged at once (a [`READ_CHUNK`] buffer each): more are first
/// merged in groups, so the merge's memory is bounded whatever the count.
const MAX_FAN_IN: usize = 64;

/// An anonymous scratch file in `dir` (the system's temporary directory
/// for `None`), removed by the operating system when closed.
pub(crate) fn scratch_file(dir: Option<&Path>) -> std::io::Result<File> {
    match dir {
        Some(dir) => tempfile::tempfile_in(dir),
        None => tempfile::tempfile(),
    }
}

/// Appends `record` as a run stores it (its length, then its bytes) and
/// returns the bytes written.
fn write_record(out: &mut impl Write, record: &[u8]) -> std::io::Result<u64> {
    let len = u32::try_from(record.len())
        .map_err(|_| std::io::Error::other("a record of an external sort exceeds 4 GiB"))?;
    out.write_all(&len.to_be_bytes())?;
    out.write_all(record)?;
    Ok(4 + u64::from(len))
}

/// Records being collected; [`ExternalSort::finish`] gives them back sorted.
pub struct ExternalSort {
    run: Vec<Vec<u8>>,
    run_bytes: usize,
    limit: usize,
    dir: Option<PathBuf>,
    spill: Option<BufWriter<File>>,
    /// (offset, length in bytes) of each spilled run.
    runs: Vec<(u64, u64)>,
    end: u64,
    count: u64,
}

impl ExternalSort {
    /// An empty sort holding at most about `run_bytes` of records in memory;
    /// the scratch file, if one is needed, is created in `dir` (else the
    /// system's temporary directory) and removed by the OS when dropped.
    pub fn new(dir: Option<&Path>, run_bytes: usize) -> Self {
        ExternalSort {
            run: Vec::new(),
            run_bytes: 0,
            limit: run_bytes.max(1),
            dir: dir.map(Path::to_owned),
            spill: None,
            runs: Vec::new(),
            end: 0,
            count: 0,
        }
    }

    /// Records pushed so far.
    pub fn len(&self) -> u64 {
        self.count
    }

    /// Whether nothing was pushed.
    pub fn is_empty(&self) -> bool {
        self.count == 0
    }

    /// Adds a record.
    ///
    /// # Errors
    ///
    /// Spilling a full run to the scratch file failed.
    pub fn push(&mut self, record: Vec<u8>) -> std::io::Result<()> {
        self.run_bytes += record.len() + RECORD_OVERHEAD;
        self.run.push(record);
        self.count += 1;
        if self.run_bytes >= self.limit {
            self.spill_run()?;
        }
        Ok(())
    }

    fn spill_run(&mut self) -> std::io::Result<()> {
        self.run.sort_unstable();
        if self.spill.is_none() {
            let file = scratch_file(self.dir.as_deref())?;
            self.spill = Some(BufWriter::with_capacity(READ_CHUNK, file));
        }
        let Some(out) = self.spill.as_mut() else {
            return Ok(());
        };
        let start = self.end;
        for record in self.run.drain(..) {
            self.end += write_record(out, &record)?;
        }
        self.runs.push((start, self.end - start));
        self.run_bytes = 0;
        Ok(())
    }

    /// Every record pushed, sorted, to be read in byte order (as many
    /// times as needed).
    ///
    /// # Errors
    ///
    /// Writing the last run to the scratch file failed.
    pub fn finish(mut self) -> std::io::Result<SortedRecords> {
        let Some(spill) = self.spill.take() else {
            self.run.sort_unstable();
            return Ok(SortedRecords::Memory(self.run));
        };
        self.spill = Some(spill);
        if !self.run.is_empty() {
            self.spill_run()?;
        }
        let Some(out) = self.spill.take() else {
            return Err(std::io::Error::other("the scratch file vanished"));
        };
        let mut sorted = SortedRecords::Spilled {
            file: Arc::new(out.into_inner().map_err(|e| e.into_error())?),
            runs: std::mem::take(&mut self.runs),
        };
        // Each run read at once costs a buffer: past MAX_FAN_IN runs, merge
        // them in groups into fewer, longer runs first.
        while let SortedRecords::Spilled { file, runs } = &sorted
            && runs.len() > MAX_FAN_IN
        {
            sorted = self.merge_groups(file, runs)?;
        }
        Ok(sorted)
    }

    /// One merge pass: every [`MAX_FAN_IN`] runs of `file` become one run
    /// of a new scratch file.
    fn merge_groups(
        &self,
        file: &Arc<File>,
        runs: &[(u64, u64)],
    ) -> std::io::Result<SortedRecords> {
        let next = scratch_file(self.dir.as_deref())?;
        let mut out = BufWriter::with_capacity(READ_CHUNK, next);
        let (mut merged, mut end) = (Vec::new(), 0u64);
        for group in runs.chunks(MAX_FAN_IN) {
            let start = end;
            let part = SortedRecords::Spilled {
                file: Arc::clone(file),
                runs: group.to_vec(),
            };
            for record in part.iter()? {
                end += write_record(&mut out, &record?)?;
            }
            merged.push((start, end - start));
        }
        Ok(SortedRecords::Spilled {
            file: Arc::new(out.into_inner().map_err(|e| e.into_error())?),
            runs: merged,
        })
    }
}

/// The records of an [`ExternalSort`], sorted.
pub enum SortedRecords {
    /// They fitted in one run.
    Memory(Vec<Vec<u8>>),
    /// Sorted runs in a scratch file, merged as they are read.
    Spilled {
        /// The scratch file.
        file: Arc<File>,
        /// (offset, length in bytes) of each run.
        runs: Vec<(u64, u64)>,
    },
}

impl SortedRecords {
    /// The records in byte order.
    ///
    /// # Errors
    ///
    /// Reading the scratch file failed.
    pub fn iter(&self) -> std::io::Result<Sorted<'_>> {
        match self {
            SortedRecords::Memory(records) => Ok(Sorted::Memory(records.iter())),
            SortedRecords::Spilled { file, runs } => {
                let mut readers: Vec<RunReader> = runs
                    .iter()
                    .map(|&(start, len)| RunReader::new(Arc::clone(file), start, start + len))
                    .collect();
                let mut heap = BinaryHeap::with_capacity(readers.len());
                for (i, reader) in readers.iter_mut().enumerate() {
                    if let Some(record) = reader.next_record()? {
                        heap.push(Reverse((record, i)));
                    }
                }
                Ok(Sorted::Merge { readers, heap })
            }
        }
    }
}

/// The records of [`SortedRecords`] in byte order.
pub enum Sorted<'a> {
    /// From memory.
    Memory(std::slice::Iter<'a, Vec<u8>>),
    /// Merged from the runs.
    Merge {
        /// One per run.
        readers: Vec<RunReader>,
        /// Each run's next record.
        heap: BinaryHeap<Reverse<(Vec<u8>, usize)>>,
    },
}

impl Iterator for Sorted<'_> {
    type Item = std::io::Result<Vec<u8>>;

    fn next(&mut self) -> Option<Self::Item> {
        match self {
            Sorted::Memory(records) => records.next().cloned().map(Ok),
            Sorted::Merge { readers, heap } => {
                let Reverse((record, run)) = heap.pop()?;
                match readers[run].next_record() {
                    Ok(Some(next)) => heap.push(Reverse((next, run))),
                    Ok(None) => {}
                    Err(e) => return Some(Err(e)),
                }
                Some(Ok(record))
            }
        }
    }
}

/// One spilled run, read back through a small buffer with positional
/// reads (the runs share one file).
pub struct RunReader {
    file: Arc<File>,
    next: u64,
    end: u64,
    buf: Vec<u8>,
    at: usize,
}

impl RunReader {
    fn new(file: Arc<File>, start: u64, end: u64) -> Self {
        RunReader {
            file,
            next: start,
            end,
            buf: Vec::new(),
            at: 0,
        }
    }

    /// Makes `n` bytes available at `self.at`.
    fn fill(&mut self, n: usize) -> std::io::Result<()> {
        if self.buf.len() - self.at >= n {
            return Ok(());
        }
        self.buf.drain(..self.at);
        self.at = 0;
        let want = n.max(READ_CHUNK) - self.buf.len();
        let left = usize::try_from(self.end - self.next).unwrap_or(usize::MAX);
        let take = want.min(left);
        let old = self.buf.len();
        self.buf.resize(old + take, 0);
        self.file.read_exact_at(&mut self.buf[old..], self.next)?;
        self.next += take as u64;
        if self.buf.len() < n {
            return Err(std::io::Error::new(
                std::io::ErrorKind::UnexpectedEof,
                "a run of the external sort's scratch file is truncated",
            ));
        }
        Ok(())
    }

    fn next_record(&mut self) -> std::io::Result<Option<Vec<u8>>> {
        if self.at == self.buf.len() && self.next == self.end {
            return Ok(None);
        }
        self.fill(4)?;
        let mut len = [0u8; 4];
        len.copy_from_slice(&self.buf[self.at..self.at + 4]);
        let len = u32::from_be_bytes(len) as usize;
        self.at += 4;
        self.fill(len)?;
        let record = self.buf[self.at..self.at + len].to_vec();
        self.at += len;
        Ok(Some(record))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn sorted(records: &[Vec<u8>], run_bytes: usize) -> Vec<Vec<u8>> {
        let mut sort = ExternalSort::new(None, run_bytes);
        for r in records {
            sort.push(r.clone()).unwrap_or_else(|e| panic!("{e}"));
        }
        let records = sort.finish().unwrap_or_else(|e| panic!("{e}"));
        let first = records
            .iter()
            .and_then(|s| s.collect::<std::io::Result<Vec<_>>>())
            .unwrap_or_else(|e| panic!("{e}"));
        // A second reading gives the same records.
        let second = records
            .iter()
            .and_then(|s| s.collect::<std::io::Result<Vec<_>>>())
            .unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(first, second);
        first
    }

    proptest! {
        /// Whatever the run size (down to one record per run, so many runs
        /// are merged), the output is the input sorted.
        #[test]
        fn gives_back_the_records_in_byte_order(
            records in proptest::collection::vec(proptest::collection::vec(any::<u8>(), 0..40), 0..300),
            run_bytes in 1usize..2000,
        ) {
            let mut expected = records.clone();
            expected.sort();
            prop_assert_eq!(sorted(&records, run_bytes), expected);
        }
    }

    /// More runs than are merged at once (one record per run): merged in
    /// two passes, the order is the same.
    #[test]
    fn many_runs_merge_in_passes() {
        let records: Vec<Vec<u8>> = (0u32..5_000)
            .map(|i| {
                (i.wrapping_mul(2_654_435_761) % 7_919)
                    .to_be_bytes()
                    .to_vec()
            })
            .collect();
        let mut expected = records.clone();
        expected.sort();
        assert_eq!(sorted(&records, 1), expected);
    }

    #[test]
    fn a_big_record_crosses_read_chunks() {
        let big = vec![7u8; READ_CHUNK * 2 + 3];
        let records = vec![big.clone(), vec![1], big.clone(), vec![9; 10]];
        let mut expected = records.clone();
        expected.sort();
        assert_eq!(sorted(&records, 1), expected);
    }
}
