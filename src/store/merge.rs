//! Merging an overlay over an ordered base iteration.

use std::iter::Peekable;

use super::{KvIter, KvPair, StoreError};

/// An overlay entry: `None` deletes the key from the base.
pub type OverlayItem = Result<(Vec<u8>, Option<Vec<u8>>), StoreError>;

/// Merges `top` over `base`, both in ascending key order: where both hold a
/// key, `top` wins; a `None` in `top` hides the key. Used by deltas (pending
/// writes over their parent) and by the layout router (v2 over v1).
pub fn merge_overlay<'a, T>(base: KvIter<'a>, top: T) -> KvIter<'a>
where
    T: Iterator<Item = OverlayItem> + 'a,
{
    Box::new(Merge {
        base: base.peekable(),
        top: top.peekable(),
    })
}

struct Merge<'a, T: Iterator<Item = OverlayItem>> {
    base: Peekable<KvIter<'a>>,
    top: Peekable<T>,
}

impl<T: Iterator<Item = OverlayItem>> Iterator for Merge<'_, T> {
    type Item = Result<KvPair, StoreError>;

    fn next(&mut self) -> Option<Self::Item> {
        loop {
            // Errors surface as soon as either side reports one.
            if matches!(self.base.peek(), Some(Err(_))) {
                return self.base.next();
            }
            if matches!(self.top.peek(), Some(Err(_))) {
                return self.top.next().map(|r| r.map(|(k, _)| (k, Vec::new())));
            }
            let order = match (self.base.peek(), self.top.peek()) {
                (None, None) => return None,
                (Some(_), None) => std::cmp::Ordering::Less,
                (None, Some(_)) => std::cmp::Ordering::Greater,
                (Some(Ok((bk, _))), Some(Ok((tk, _)))) => bk.cmp(tk),
                _ => unreachable!("errors were handled above"),
            };
            match order {
                std::cmp::Ordering::Less => return self.base.next(),
                std::cmp::Ordering::Equal => {
                    self.base.next();
                }
                std::cmp::Ordering::Greater => {}
            }
            if let Some(Ok((key, Some(value)))) = self.top.next() {
                return Some(Ok((key, value)));
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn base(items: &[(&str, &str)]) -> KvIter<'static> {
        let owned: Vec<_> = items
            .iter()
            .map(|(k, v)| Ok((k.as_bytes().to_vec(), v.as_bytes().to_vec())))
            .collect();
        Box::new(owned.into_iter())
    }

    #[test]
    fn top_overwrites_hides_and_inserts_in_order() {
        let top = vec![
            Ok((b"a".to_vec(), Some(b"A".to_vec()))),
            Ok((b"b".to_vec(), None)),
            Ok((b"bb".to_vec(), Some(b"new".to_vec()))),
            Ok((b"z".to_vec(), None)),
        ];
        let merged: Vec<_> =
            merge_overlay(base(&[("a", "1"), ("b", "2"), ("c", "3")]), top.into_iter())
                .map(|r| {
                    r.map(|(k, v)| (String::from_utf8(k).unwrap(), String::from_utf8(v).unwrap()))
                })
                .collect::<Result<_, _>>()
                .unwrap();
        assert_eq!(
            merged,
            vec![
                ("a".into(), "A".into()),
                ("bb".into(), "new".into()),
                ("c".into(), "3".into())
            ]
        );
    }
}
