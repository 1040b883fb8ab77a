//! Lattice upkeep on every core. Lane sums commute, so splitting a batch of
//! updates across threads and adding the partial sums gives exactly the
//! sequential result, whatever the split or the thread timing.

use super::LatticeHash;

/// One key's change, as the lattice sees it.
#[derive(Clone, Copy, Debug)]
pub struct KeyUpdate<'a> {
    /// The logical store.
    pub store: &'a str,
    /// The logical key.
    pub key: &'a [u8],
    /// The value before (`None`: absent).
    pub old: Option<&'a [u8]>,
    /// The value after (`None`: deleted).
    pub new: Option<&'a [u8]>,
}

/// Below this many updates one thread is faster than starting others.
const PARALLEL_FROM: usize = 2048;

impl LatticeHash {
    /// Applies every update, spread over the machine's cores (at most 8).
    pub fn apply_updates(&mut self, updates: &[KeyUpdate<'_>]) {
        let threads = std::thread::available_parallelism()
            .map_or(1, usize::from)
            .min(8);
        if threads < 2 || updates.len() < PARALLEL_FROM {
            apply_all(self, updates);
            return;
        }
        let chunk = updates.len().div_ceil(threads);
        let partials: Vec<LatticeHash> = std::thread::scope(|scope| {
            let handles: Vec<_> = updates
                .chunks(chunk)
                .map(|part| {
                    scope.spawn(move || {
                        let mut partial = LatticeHash::new();
                        apply_all(&mut partial, part);
                        partial
                    })
                })
                .collect();
            handles
                .into_iter()
                .map(|h| h.join().unwrap_or_else(|e| std::panic::resume_unwind(e)))
                .collect()
        });
        for partial in &partials {
            self.combine(partial);
        }
    }
}

fn apply_all(lattice: &mut LatticeHash, updates: &[KeyUpdate<'_>]) {
    for u in updates {
        lattice.update(u.store, u.key, u.old, u.new);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parallel_upkeep_equals_the_sequential_sum() {
        let keys: Vec<(Vec<u8>, Vec<u8>, Vec<u8>)> = (0u32..5000)
            .map(|i| {
                (
                    i.to_be_bytes().to_vec(),
                    (i * 7).to_be_bytes().to_vec(),
                    (i * 13).to_be_bytes().to_vec(),
                )
            })
            .collect();
        let updates: Vec<KeyUpdate<'_>> = keys
            .iter()
            .enumerate()
            .map(|(i, (k, old, new))| KeyUpdate {
                store: if i % 2 == 0 { "bank" } else { "auth" },
                key: k,
                old: (i % 3 != 0).then_some(old.as_slice()),
                new: (i % 5 != 0).then_some(new.as_slice()),
            })
            .collect();
        let mut sequential = LatticeHash::new();
        apply_all(&mut sequential, &updates);
        let mut parallel = LatticeHash::new();
        parallel.apply_updates(&updates);
        assert_eq!(parallel, sequential);
        assert_ne!(parallel, LatticeHash::new());
    }
}
