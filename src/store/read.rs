//! Reading state: the [`StateRead`] trait.

use super::{KeyRange, StoreError};

/// A key and its value.
pub type KvPair = (Vec<u8>, Vec<u8>);
/// An ordered iteration over key-value pairs; each step may fail (the backend
/// reads lazily, a page at a time).
pub type KvIter<'a> = Box<dyn Iterator<Item = Result<KvPair, StoreError>> + 'a>;

/// Read access to logical state: raw keys and values grouped in named stores.
///
/// Implemented by committed snapshots and by write deltas layered over them,
/// so code that reads does not care whether it sees committed or pending state.
pub trait StateRead {
    /// The value under `key` in `store`, if any.
    ///
    /// # Errors
    ///
    /// A backend failure or corrupt node metadata.
    fn get(&self, store: &str, key: &[u8]) -> Result<Option<Vec<u8>>, StoreError>;

    /// Every pair of `store` inside `range`, in byte-wise key order.
    ///
    /// # Errors
    ///
    /// A backend failure while starting the iteration; later failures are
    /// reported by the iterator's items.
    fn range(&self, store: &str, range: KeyRange) -> Result<KvIter<'_>, StoreError>;

    /// Whether `store` has a value under `key`.
    ///
    /// # Errors
    ///
    /// As [`StateRead::get`].
    fn has(&self, store: &str, key: &[u8]) -> Result<bool, StoreError> {
        Ok(self.get(store, key)?.is_some())
    }

    /// Every pair of `store` whose key starts with `prefix`, in key order.
    ///
    /// # Errors
    ///
    /// As [`StateRead::range`].
    fn prefix(&self, store: &str, prefix: &[u8]) -> Result<KvIter<'_>, StoreError> {
        self.range(store, KeyRange::prefix(prefix))
    }
}

impl<S: StateRead + ?Sized> StateRead for &S {
    fn get(&self, store: &str, key: &[u8]) -> Result<Option<Vec<u8>>, StoreError> {
        (**self).get(store, key)
    }
    fn range(&self, store: &str, range: KeyRange) -> Result<KvIter<'_>, StoreError> {
        (**self).range(store, range)
    }
}

impl<S: StateRead + ?Sized> StateRead for &mut S {
    fn get(&self, store: &str, key: &[u8]) -> Result<Option<Vec<u8>>, StoreError> {
        (**self).get(store, key)
    }
    fn range(&self, store: &str, range: KeyRange) -> Result<KvIter<'_>, StoreError> {
        (**self).range(store, range)
    }
}

impl<S: StateRead + ?Sized> StateRead for Box<S> {
    fn get(&self, store: &str, key: &[u8]) -> Result<Option<Vec<u8>>, StoreError> {
        (**self).get(store, key)
    }
    fn range(&self, store: &str, range: KeyRange) -> Result<KvIter<'_>, StoreError> {
        (**self).range(store, range)
    }
}

/// Lazily iterates a range by fetching pages of at most `page` pairs, each
/// fetch resuming strictly after the last key seen. Backends use it so an
/// iteration never borrows a database table across calls.
pub fn paged<'a, F>(range: KeyRange, page: usize, mut fetch: F) -> KvIter<'a>
where
    F: FnMut(&KeyRange, usize) -> Result<Vec<KvPair>, StoreError> + 'a,
{
    let mut next_range = Some(range);
    let mut buffer = std::collections::VecDeque::new();
    Box::new(std::iter::from_fn(move || {
        if buffer.is_empty() {
            let range = next_range.take()?;
            match fetch(&range, page) {
                Ok(items) => {
                    if items.len() == page {
                        if let Some((last, _)) = items.last() {
                            next_range = Some(range.resume_after(last));
                        }
                    }
                    buffer.extend(items);
                }
                Err(err) => return Some(Err(err)),
            }
        }
        buffer.pop_front().map(Ok)
    }))
}
