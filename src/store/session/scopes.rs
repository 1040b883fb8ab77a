//! Nested all-or-nothing scopes of a write session (an upgrade, each
//! module's migration, each new module's InitGenesis).

use std::collections::BTreeMap;

use super::super::journal::JournalMark;
use super::super::router::MigrationCounters;
use super::super::{ChangeSet, StoreError};
use super::{Settled, WriteSession};

/// A nested scope of a session, as returned by [`WriteSession::open_scope`].
#[derive(Debug, PartialEq, Eq)]
pub struct ScopeMark(usize);

/// What rolling a scope back restores (`None` for a session that keeps
/// no undo journal).
pub(super) struct SavedScope(Option<Undo>);

struct Undo {
    journal: JournalMark,
    lattice: Settled,
    counters: MigrationCounters,
    touched: BTreeMap<String, u64>,
}

impl WriteSession {
    /// Opens a nested scope: everything written until the matching
    /// [`WriteSession::close_scope`] can be rolled back as one.
    ///
    /// # Errors
    ///
    /// A backend failure writing the pending batch.
    pub fn open_scope(&mut self) -> Result<ScopeMark, StoreError> {
        if !self.undo {
            self.check()?;
            self.scopes.push(SavedScope(None));
            return Ok(ScopeMark(self.scopes.len() - 1));
        }
        self.flush()?;
        let saved = self.settle_lattice().and_then(|lattice| {
            let counters = self.counters;
            let writer = self.writer()?;
            Ok(Undo {
                journal: writer.journal.mark(),
                lattice,
                counters,
                touched: writer.touched.clone(),
            })
        });
        match saved {
            Ok(undo) => self.scopes.push(SavedScope(Some(undo))),
            Err(e) => return self.fail(e).map(|()| ScopeMark(0)),
        }
        Ok(ScopeMark(self.scopes.len() - 1))
    }

    /// Closes the innermost scope, keeping its writes or rolling them back.
    ///
    /// # Errors
    ///
    /// `mark` is not the innermost open scope, or a backend failure (the
    /// session then refuses to commit).
    pub fn close_scope(&mut self, mark: ScopeMark, keep: bool) -> Result<(), StoreError> {
        if mark.0 + 1 != self.scopes.len() {
            return self.fail(StoreError::backend(
                "closing a nested write scope",
                "scopes must close innermost first",
            ));
        }
        let Some(saved) = self.scopes.pop() else {
            return Ok(());
        };
        let result = match saved.0 {
            None if keep => Ok(()),
            Some(_) if keep && !self.scopes.is_empty() => Ok(()),
            Some(_) if keep => self.writer().and_then(|w| w.journal.clear()),
            None => Err(StoreError::backend(
                "rolling back a write scope",
                "this session keeps no undo journal; it must be dropped, not committed",
            )),
            Some(undo) => {
                self.buffer = ChangeSet::new();
                self.buffered = 0;
                self.lattice = undo.lattice;
                self.counters = undo.counters;
                self.writer().and_then(|w| {
                    w.touched = undo.touched;
                    w.v1_removed = 0;
                    w.worker.reset()?;
                    w.journal.undo_to(undo.journal, w.txn.as_mut())
                })
            }
        };
        match result {
            Ok(()) => Ok(()),
            Err(e) => self.fail(e),
        }
    }

    /// Number of scopes still open.
    pub fn open_scopes(&self) -> usize {
        self.scopes.len()
    }
}
