//! How a module imports a large genesis section as it is read.
//!
//! A module whose section can hold millions of entries (auth's accounts,
//! bank's balances) returns a [`SectionImport`] from
//! [`Module::genesis_import`](crate::Module::genesis_import). The import
//! hands it the section's small fields whole and its big arrays an element
//! at a time, in file order, and the module writes each element as it
//! comes: the section is never one JSON tree in memory. Checks that need
//! the whole section (duplicates, totals) run in
//! [`SectionImport::finish`], with an
//! [`ExternalSort`](crate::external_sort::ExternalSort) where a set would
//! grow with the state. Every problem is recorded rather than returned, so
//! one run reports them all; a problem anywhere discards the whole import.

use serde_json::Value;

use crate::{Context, ModuleError, Problems};

/// A module's import of its genesis section, fed as the file is read.
/// Paths of recorded problems are relative to the section.
pub trait SectionImport {
    /// Whether the field `name`, when it is an array, comes an element at a
    /// time (otherwise [`SectionImport::field`] gets it whole).
    fn streams(&self, field: &str) -> bool;

    /// A field given whole.
    fn field(&mut self, name: &str, value: Value, problems: &mut Problems);

    /// A streamed array begins (it is present, maybe empty).
    fn begin_array(&mut self, field: &str) {
        let _ = field;
    }

    /// Element `index` of the streamed array `field`: checked, and written
    /// unless it has a problem. Writes made while problems exist are
    /// discarded with the rest of the import.
    ///
    /// # Errors
    ///
    /// A store failure (a bad element is a recorded problem, not an error).
    fn element(
        &mut self,
        ctx: &mut Context<'_>,
        field: &str,
        index: usize,
        element: Value,
        problems: &mut Problems,
    ) -> Result<(), ModuleError>;

    /// The section ended: what needs all of it (missing fields, duplicates,
    /// totals), and the remaining writes.
    ///
    /// # Errors
    ///
    /// A store failure.
    fn finish(
        self: Box<Self>,
        ctx: &mut Context<'_>,
        problems: &mut Problems,
    ) -> Result<(), ModuleError>;
}
