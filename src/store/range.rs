//! Key ranges for ordered iteration.

use std::ops::Bound;

/// A range of raw keys inside one store, in byte-wise order.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct KeyRange {
    /// Lower bound.
    pub start: Bound<Vec<u8>>,
    /// Upper bound.
    pub end: Bound<Vec<u8>>,
}

impl KeyRange {
    /// Every key.
    pub fn all() -> Self {
        KeyRange {
            start: Bound::Unbounded,
            end: Bound::Unbounded,
        }
    }

    /// Keys in `[start, end)`.
    pub fn between(start: impl Into<Vec<u8>>, end: impl Into<Vec<u8>>) -> Self {
        KeyRange {
            start: Bound::Included(start.into()),
            end: Bound::Excluded(end.into()),
        }
    }

    /// Keys strictly after `key`.
    pub fn after(key: impl Into<Vec<u8>>) -> Self {
        KeyRange {
            start: Bound::Excluded(key.into()),
            end: Bound::Unbounded,
        }
    }

    /// Keys that start with `prefix`.
    pub fn prefix(prefix: &[u8]) -> Self {
        KeyRange {
            start: Bound::Included(prefix.to_vec()),
            end: match prefix_successor(prefix) {
                Some(end) => Bound::Excluded(end),
                None => Bound::Unbounded,
            },
        }
    }

    /// Whether `key` lies inside the range.
    pub fn contains(&self, key: &[u8]) -> bool {
        let after_start = match &self.start {
            Bound::Included(s) => key >= s.as_slice(),
            Bound::Excluded(s) => key > s.as_slice(),
            Bound::Unbounded => true,
        };
        let before_end = match &self.end {
            Bound::Included(e) => key <= e.as_slice(),
            Bound::Excluded(e) => key < e.as_slice(),
            Bound::Unbounded => true,
        };
        after_start && before_end
    }

    /// The same range with the start moved strictly after `key`: how a paged
    /// iterator resumes.
    pub fn resume_after(&self, key: &[u8]) -> Self {
        KeyRange {
            start: Bound::Excluded(key.to_vec()),
            end: self.end.clone(),
        }
    }

    /// Whether no key can lie inside the range (its start is past its end).
    /// Ordered maps panic on such ranges; every reader checks this first.
    pub fn is_empty(&self) -> bool {
        match (&self.start, &self.end) {
            (Bound::Included(s), Bound::Included(e)) => s > e,
            (Bound::Included(s), Bound::Excluded(e))
            | (Bound::Excluded(s), Bound::Included(e))
            | (Bound::Excluded(s), Bound::Excluded(e)) => s >= e,
            _ => false,
        }
    }

    /// Whether some key `k` with `lo <= k <= hi` may be inside the range:
    /// never false when one is, sometimes true when none is (between `a`
    /// and `a || 0` lies no key, which this does not see).
    pub(crate) fn meets(&self, lo: &[u8], hi: &[u8]) -> bool {
        let starts_by_hi = match &self.start {
            Bound::Included(s) => s.as_slice() <= hi,
            Bound::Excluded(s) => s.as_slice() < hi,
            Bound::Unbounded => true,
        };
        let ends_after_lo = match &self.end {
            Bound::Included(e) => lo <= e.as_slice(),
            Bound::Excluded(e) => lo < e.as_slice(),
            Bound::Unbounded => true,
        };
        lo <= hi && starts_by_hi && ends_after_lo && !self.is_empty()
    }

    /// Borrowed bounds, as `BTreeMap::range` and redb want them.
    pub fn as_bounds(&self) -> (Bound<&[u8]>, Bound<&[u8]>) {
        (as_ref(&self.start), as_ref(&self.end))
    }
}

fn as_ref(bound: &Bound<Vec<u8>>) -> Bound<&[u8]> {
    match bound {
        Bound::Included(k) => Bound::Included(k.as_slice()),
        Bound::Excluded(k) => Bound::Excluded(k.as_slice()),
        Bound::Unbounded => Bound::Unbounded,
    }
}

/// The smallest key greater than every key starting with `prefix`, or `None`
/// when no such key exists (the prefix is empty or all `0xff`).
pub fn prefix_successor(prefix: &[u8]) -> Option<Vec<u8>> {
    let mut end = prefix.to_vec();
    while let Some(last) = end.pop() {
        if last < 0xff {
            end.push(last + 1);
            return Some(end);
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn prefix_range_covers_exactly_the_prefix() {
        let r = KeyRange::prefix(b"ab\xff");
        assert!(r.contains(b"ab\xff"));
        assert!(r.contains(b"ab\xff\x00\x01"));
        assert!(!r.contains(b"ac"));
        assert!(!r.contains(b"ab"));
        assert_eq!(prefix_successor(b"\xff\xff"), None);
        assert!(KeyRange::prefix(b"").contains(b"\xff\xff"));
        assert!(KeyRange::prefix(b"").contains(b""));
        assert!(KeyRange::between(b"b".to_vec(), b"a".to_vec()).is_empty());
        assert!(KeyRange::between(b"a".to_vec(), b"a".to_vec()).is_empty());
        assert!(!KeyRange::between(b"a".to_vec(), b"b".to_vec()).is_empty());
    }

    /// `meets` may say yes for nothing (a read then waits for nothing), but
    /// never no for a key it holds: reads go by it to a snapshot.
    #[test]
    fn meets_is_true_whenever_a_key_of_the_span_is_in_the_range() {
        let keys: Vec<Vec<u8>> = [&b""[..], b"a", b"a\x00", b"ab", b"b", b"b\xff", b"c"]
            .iter()
            .map(|k| k.to_vec())
            .collect();
        let bounds = |k: &Vec<u8>| {
            [
                Bound::Included(k.clone()),
                Bound::Excluded(k.clone()),
                Bound::Unbounded,
            ]
        };
        for (lo, hi) in keys
            .iter()
            .flat_map(|lo| keys.iter().map(move |hi| (lo, hi)))
        {
            for (s, e) in keys.iter().flat_map(|s| keys.iter().map(move |e| (s, e))) {
                for start in bounds(s) {
                    for end in bounds(e) {
                        let range = KeyRange {
                            start: start.clone(),
                            end,
                        };
                        let held = keys.iter().any(|k| lo <= k && k <= hi && range.contains(k));
                        assert!(!held || range.meets(lo, hi), "{range:?} {lo:?}..={hi:?}");
                    }
                }
            }
        }
        let range = KeyRange::between(b"b".to_vec(), b"c".to_vec());
        assert!(!range.meets(b"a", b"a\xff"), "a span below the range");
        assert!(!range.meets(b"c", b"d"), "a span from the excluded end");
    }
}
