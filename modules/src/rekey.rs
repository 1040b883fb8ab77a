//! Moving every entry under a key prefix to new keys, in bounded batches.
//!
//! A module store cannot be written while it is being iterated (the
//! iterator borrows the context), so a migration reads a batch, drops the
//! iterator, writes the batch, and resumes strictly after the last key it
//! read. Memory is bounded by the batch, not the store, and resuming after a
//! key costs a seek rather than skipping over the entries already deleted.

use upgrade_runtime::store::KeyRange;
use upgrade_runtime::{Context, ModuleError};

/// Entries read per batch.
pub(crate) const BATCH: usize = 10_000;

/// Replaces every entry under `prefix` by the entries `f` returns for it
/// (none to drop it), deleting the old key. Returns how many entries were
/// moved.
///
/// # Errors
///
/// A failed read, an error from `f`, or a new key inside `prefix` (it
/// would be migrated twice).
pub(crate) fn rekey_prefix<F>(
    ctx: &mut Context<'_>,
    prefix: &[u8],
    mut f: F,
) -> Result<u64, ModuleError>
where
    F: FnMut(&[u8], &[u8]) -> Result<Vec<(Vec<u8>, Vec<u8>)>, ModuleError>,
{
    let mut range = KeyRange::prefix(prefix);
    let mut moved = 0u64;
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
            store.delete(key.clone());
        }
        moved += batch.len() as u64;
        tracing::debug!(store = store.name(), moved, "re-keyed a batch");
    }
    Ok(moved)
}
