//! Committing a block (or a write session) and verifying what was committed.

use super::*;
use crate::store::Placement;

impl Storage {
    /// Recomputes the app hash from every stored triple (bounded memory,
    /// every core) and compares it with the last commit's.
    ///
    /// # Errors
    ///
    /// [`StoreError::Corrupt`] if they differ (the state was changed outside
    /// the node) or the file holds what this runtime never writes; a backend
    /// failure.
    pub fn verify(&self) -> Result<VerifyReport, StoreError> {
        let Some(last) = self.last else {
            return Err(StoreError::Corrupt {
                what: "state".into(),
                reason: "nothing was committed yet: there is no app hash to verify".into(),
            });
        };
        let reader = self.backend.begin_read()?;
        let (recomputed, triples, bytes) = crate::store::verify::recompute(reader.as_ref())?;
        let lattice = recomputed.total();
        if lattice.app_hash() != last.app_hash {
            // Name the stores whose bytes changed, where the file records
            // each store's lattice.
            let culprits: Vec<String> = match &self.store_lattices {
                Some(stored) => stored
                    .iter()
                    .map(|(store, _)| store)
                    .chain(recomputed.iter().map(|(store, _)| store))
                    .collect::<std::collections::BTreeSet<&str>>()
                    .into_iter()
                    .filter(|store| stored.get(store) != recomputed.get(store))
                    .map(|store| {
                        let v1 = Placement::of(store, Layout::V1);
                        let v2 = Placement::of(store, Layout::V2);
                        format!("store {store:?} (table {:?} or {:?})", v1.table, v2.table)
                    })
                    .collect(),
                None => Vec::new(),
            };
            let whose = match culprits.as_slice() {
                [] => String::new(),
                some => format!(" (changed: {})", some.join(", ")),
            };
            return Err(StoreError::Corrupt {
                what: "state".into(),
                reason: format!(
                    "its {triples} (store, key, value) triples hash to {} but the app hash committed at height {} is {}{whose}: the state file was changed outside the node (a disk fault or an edit); restore it from a backup or a state-sync snapshot",
                    lattice.app_hash(),
                    last.height,
                    last.app_hash
                ),
            });
        }
        Ok(VerifyReport {
            height: last.height,
            app_hash: last.app_hash,
            triples,
            bytes,
        })
    }

    /// Commits `changes` as `height` in one backend transaction, together with
    /// the new lattice, app hash and height, node-local metadata, and, while a
    /// lazy migration runs, the next batch of moved keys and its boundary.
    /// Nothing is written if any step fails.
    ///
    /// # Errors
    ///
    /// A backend failure, or a change to the node-local `migration` store,
    /// which only the runtime's migration code may write.
    pub fn commit(
        &mut self,
        height: u64,
        changes: ChangeSet,
        options: &CommitOptions<'_>,
    ) -> Result<CommitInfo, StoreError> {
        let session = self.begin_session()?;
        self.commit_session(height, session, changes, options)
    }

    /// Commits a session as `height`, with `changes` (the rest of the block)
    /// written over it; otherwise as [`Storage::commit`].
    ///
    /// # Errors
    ///
    /// As [`Storage::commit`]; also a session with a failed write or a scope
    /// still open.
    pub fn commit_session(
        &mut self,
        height: u64,
        mut session: WriteSession,
        changes: ChangeSet,
        options: &CommitOptions<'_>,
    ) -> Result<CommitInfo, StoreError> {
        if changes.store(MIGRATION_STORE).is_some() {
            return Err(StoreError::ReservedStore {
                module: "<block>".into(),
                store: MIGRATION_STORE.into(),
            });
        }
        // Defensive: a batch still moving (a session begun some other way)
        // is taken before this commit's counters are written.
        self.settle_for_next_commit()?;
        if session.open_scopes() > 0 {
            return Err(StoreError::backend(
                "committing a block",
                "a nested write scope is still open",
            ));
        }
        session.flush()?;
        if options.start_migration && session.layout == LayoutState::V1 {
            session.counters = MigrationCounters {
                moved: 0,
                left: count_v1(session.txn()?.as_ref())?,
                started_height: height,
                completed_height: 0,
            };
            session.layout = LayoutState::Migrating(Boundary::NotStarted);
            tracing::info!(
                height,
                keys = session.counters.left,
                "lazy store migration v1 -> v2 started"
            );
        }
        session.write_set(changes)?;
        let boundary = match &session.layout {
            LayoutState::Migrating(boundary) if options.migration_batch > 0 => {
                Some(boundary.clone())
            }
            _ => None,
        };
        let mut batch_report = None;
        let batch_after = match boundary {
            // Moved once this block has committed (`between_blocks`).
            Some(boundary) if self.between_blocks => Some(boundary),
            Some(boundary) => {
                let mut counters = session.counters;
                let (next, report) = move_batch(
                    session.txn()?.as_mut(),
                    &boundary,
                    options.migration_batch,
                    &mut counters,
                    height,
                )?;
                session.counters = counters;
                session.layout = next;
                batch_report = Some(report);
                None
            }
            None => None,
        };
        let Finished {
            mut txn,
            layout,
            counters,
            lattices: settled,
            stats,
        } = session.finish()?;
        let lattice = settled.total;
        // The boundary, layout version and counters, once, with the block.
        if layout != self.layout || counters != self.counters {
            persist(txn.as_mut(), &layout, &counters)?;
        }
        let info = CommitInfo {
            height,
            app_hash: lattice.app_hash(),
        };
        let mut meta_ops = vec![
            (HEIGHT_KEY.to_vec(), Some(height.to_be_bytes().to_vec())),
            (APP_HASH_KEY.to_vec(), Some(info.app_hash.0.to_vec())),
            (LATTICE_KEY.to_vec(), Some(lattice.to_bytes())),
        ];
        meta_ops.extend(
            options
                .node_meta
                .iter()
                .map(|(k, v)| (format!("app:{k}").into_bytes(), Some(v.clone()))),
        );
        if let Some(stores) = &settled.stores {
            // Node-local: each store whose lattice changed, for `verify`.
            let before = self.store_lattices.clone().unwrap_or_default();
            meta_ops.extend(
                stores
                    .iter()
                    .filter(|(store, lattice)| before.get(store) != **lattice)
                    .map(|(store, lattice)| {
                        let key = [STORE_LATTICE_PREFIX, store.as_bytes()].concat();
                        (key, Some(lattice.to_bytes()))
                    }),
            );
        }
        txn.write_batch(META_TABLE, &meta_ops)?;
        txn.write_batch(
            APP_HASH_TABLE,
            &[(
                height.to_be_bytes().to_vec(),
                Some(info.app_hash.0.to_vec()),
            )],
        )?;
        txn.commit()?;
        self.lattice = lattice;
        self.store_lattices = settled.stores;
        self.layout = layout;
        self.counters = counters;
        self.last = Some(info);
        // Between blocks: the batch moved between the last block and this one.
        self.last_batch = batch_report.or_else(|| self.settled.take());
        self.last_stats = stats;
        if let Some(boundary) = batch_after {
            self.start_batch(boundary, options.migration_batch, height);
        }
        Ok(info)
    }
}
