//! Store migration helpers: moving every entry under a key prefix to new keys ([`rekey_prefix`]), or
//! deriving new entries from them ([`derive_from_prefix`]), in bounded
//! batches.
//!
//! A module store cannot be written while it is being iterated (the
//! iterator borrows the context), so a migration reads a batch, drops the
//! iterator, writes the batch, and resumes strictly after the last key it
//! read. Memory is bounded by the batch, not the store, and resuming after a
//! key costs a seek rather than skipping over the entries already deleted.

use crate::context::Context;
use crate::module::ModuleError;
use crate::store::KeyRange;

/// Entries read per batch.
pub const BATCH: usize = 10_000;

/// Replaces every entry under `prefix` by the entries `f` returns for it
/// (none to drop it), deleting the old key. Returns how many entries were
/// moved.
///
/// # Errors
///
/// A failed read, an error from `f`, or a new key inside `prefix` (it
/// would be migrated twice).
pub fn rekey_prefix<F>(ctx: &mut Context<'_>, prefix: &[u8], f: F) -> Result<u64, ModuleError>
where
    F: FnMut(&[u8], &[u8]) -> Result<Vec<(Vec<u8>, Vec<u8>)>, ModuleError>,
{
    stream_prefix(ctx, prefix, Source::Delete, f)
}

/// Writes the entries `f` returns for every entry under `prefix`, keeping
/// the entries read: how a migration builds an index of existing state.
/// Returns how many entries were read.
///
/// # Errors
///
/// A failed read, an error from `f`, or a new key inside `prefix` (it
/// would be read again later in the same pass).
pub fn derive_from_prefix<F>(ctx: &mut Context<'_>, prefix: &[u8], f: F) -> Result<u64, ModuleError>
where
    F: FnMut(&[u8], &[u8]) -> Result<Vec<(Vec<u8>, Vec<u8>)>, ModuleError>,
{
    stream_prefix(ctx, prefix, Source::Keep, f)
}

/// What happens to each entry read.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Source {
    /// Deleted once its replacements are written (a re-key).
    Delete,
    /// Left in place (an index built from it).
    Keep,
}

/// The batched loop behind both: read up to [`BATCH`] entries, drop the
/// iterator, write, resume after the last key read.
fn stream_prefix<F>(
    ctx: &mut Context<'_>,
    prefix: &[u8],
    source: Source,
    mut f: F,
) -> Result<u64, ModuleError>
where
    F: FnMut(&[u8], &[u8]) -> Result<Vec<(Vec<u8>, Vec<u8>)>, ModuleError>,
{
    let mut range = KeyRange::prefix(prefix);
    let mut read = 0u64;
    loop {
        let batch = ctx
            .own()
            .range(range.clone())?
            .take(BATCH)
            .collect::<Result<Vec<_>, _>>()?;
        let Some((last, _)) = batch.last() else {
            break;
        };
        range = range.resume_after(last);
        let mut store = ctx.store();
        for (key, value) in &batch {
            for (new_key, new_value) in f(key, value)? {
                if new_key.starts_with(prefix) {
                    return Err(ModuleError::corrupt(
                        store.name(),
                        &new_key,
                        "a migration wrote a new key inside the prefix it is migrating",
                    ));
                }
                store.set(new_key, new_value);
            }
            if source == Source::Delete {
                store.delete(key.clone());
            }
        }
        read += batch.len() as u64;
        tracing::debug!(store = store.name(), read, "migrated a batch");
    }
    Ok(read)
}
