//! InitChain and genesis export.

use std::io::Write;

use serde_json::{Map, Value};

use super::{App, AppError, Block};
use crate::commitment::AppHash;
use crate::genesis::{
    AppGenesis, ExportOptions, ExportSummary, GenesisExportError, UPGRADE_SECTION, UpgradeSection,
    select_modules, write_genesis,
};
use crate::manager::{ImportError, ImportOptions};
use crate::store::{ChangeSet, CommitInfo, CommitOptions, StateRead};

/// Node metadata key of the chain id.
pub(crate) const CHAIN_ID_META: &str = "chain_id";
/// Node metadata key of the genesis' initial height.
const INITIAL_HEIGHT_META: &str = "initial_height";
/// Node metadata keys of what a genesis carries for CometBFT (the time, the
/// consensus params and validators): kept so an export writes them back.
const GENESIS_TIME_META: &str = "genesis_time";
const CONSENSUS_META: &str = "consensus";

/// How [`App::init_chain_from`] treats the file.
#[derive(Clone, Copy, Default)]
pub struct InitOptions<'a> {
    /// Skip sections of modules this binary lacks instead of refusing the
    /// file (`--drop-unknown-sections`); they are listed in the report.
    pub drop_unknown_sections: bool,
    /// Run on the `upgrade` section as soon as it is read: a caller's
    /// friendlier check of the module versions a file records.
    pub check_upgrade_section: Option<crate::manager::SectionCheck<'a>>,
}

/// What InitChain read and committed.
#[derive(Debug)]
pub struct InitReport {
    /// The commit of the initial state.
    pub info: CommitInfo,
    /// The document's envelope; its `app_state` holds only the `upgrade`
    /// section, if the file has one.
    pub genesis: AppGenesis,
    /// Sections skipped because no module has them.
    pub dropped: Vec<String>,
    /// Every section of the file, in file order.
    pub sections: Vec<String>,
}

impl App {
    /// Builds the initial state from an in-memory `genesis`: the same
    /// import as [`App::init_chain_from`] (the document is serialised and
    /// read back), so both give one state for one document.
    ///
    /// # Errors
    ///
    /// As [`App::init_chain_from`].
    pub fn init_chain(&mut self, genesis: &AppGenesis) -> Result<CommitInfo, AppError> {
        let bytes = serde_json::to_vec(genesis).map_err(|e| {
            AppError::GenesisFile(crate::genesis::GenesisFileError::Invalid {
                path: "genesis".into(),
                json_path: ".".into(),
                message: format!("cannot serialise the document: {e}"),
            })
        })?;
        self.init_chain_from(&bytes[..], "genesis", &InitOptions::default())
            .map(|report| report.info)
    }

    /// Reads a genesis document from `reader` (named `path` in errors) and
    /// builds the initial state as it reads (its addresses under the
    /// [`address_prefix`](crate::address_prefix) in effect, which is stored
    /// with the chain): every module's InitGenesis
    /// (large sections streamed an element at a time, see
    /// [`ModuleManager::import_genesis`](crate::ModuleManager::import_genesis)),
    /// the binary's version map, the `upgrade` section's history. The
    /// writes stream into the commit's transaction, so memory stays
    /// bounded whatever the file's size. Commits it as height
    /// `initial_height - 1`.
    ///
    /// # Errors
    ///
    /// A malformed or invalid document (every problem, with its JSON path),
    /// a file whose recorded module versions are not this binary's, an
    /// `app_hash` that does not match, or a chain that is already
    /// initialised. Nothing is written.
    pub fn init_chain_from(
        &mut self,
        reader: impl std::io::Read,
        path: &str,
        options: &InitOptions<'_>,
    ) -> Result<InitReport, AppError> {
        if let Some(last) = self.storage.last_commit() {
            return Err(AppError::AlreadyInitialised {
                height: last.height,
            });
        }
        // A failed import is dropped whole, so the session keeps no undo
        // journal and writes its full buffers behind the import.
        let mut session = self.storage.begin_session_writing_behind()?;
        let import = self
            .manager
            .import_genesis(
                reader,
                path,
                &mut session,
                &ImportOptions {
                    extra_sections: &[UPGRADE_SECTION],
                    drop_unknown_sections: options.drop_unknown_sections,
                    scratch_dir: self.storage.scratch_dir(),
                    check_extra_section: options.check_upgrade_section,
                },
            )
            .map_err(|e| match e {
                ImportError::File(e) => AppError::GenesisFile(e),
                ImportError::Manager(e) => AppError::Manager(e),
            })?;
        let genesis = import.genesis;
        let section: UpgradeSection = match genesis.app_state.get(UPGRADE_SECTION) {
            Some(v) => UpgradeSection::from_json(v.clone()).map_err(|(path, message)| {
                AppError::UpgradeSection(match path.is_empty() {
                    true => message,
                    false => format!("{path}: {message}"),
                })
            })?,
            None => UpgradeSection::default(),
        };
        let binary_versions = self.manager.version_map();
        if let Some(recorded) = section.version_map() {
            if recorded != binary_versions {
                return Err(AppError::UpgradeSection(format!(
                    "the file records module versions {recorded:?} but this binary has {binary_versions:?}; migrate the file to this release first (genesis migrate)"
                )));
            }
        }
        let height = genesis.initial_height.saturating_sub(1);
        binary_versions.store(&mut session)?;
        section.import(&mut session);
        if !genesis.app_hash.is_empty() {
            let computed = session.lattice()?.app_hash().to_hex();
            if !computed.eq_ignore_ascii_case(&genesis.app_hash) {
                return Err(AppError::AppHashMismatch {
                    expected: genesis.app_hash.clone(),
                    computed,
                });
            }
        }
        let info = self.storage.commit_session(
            height,
            session,
            ChangeSet::new(),
            &CommitOptions {
                node_meta: &[
                    (
                        CHAIN_ID_META.to_owned(),
                        genesis.chain_id.as_bytes().to_vec(),
                    ),
                    (
                        INITIAL_HEIGHT_META.to_owned(),
                        genesis.initial_height.to_be_bytes().to_vec(),
                    ),
                    (
                        GENESIS_TIME_META.to_owned(),
                        genesis.genesis_time.as_bytes().to_vec(),
                    ),
                    (
                        CONSENSUS_META.to_owned(),
                        genesis.consensus.to_string().into_bytes(),
                    ),
                    (
                        crate::address_prefix::META_KEY.to_owned(),
                        crate::address_prefix::get().as_bytes().to_vec(),
                    ),
                ],
                ..CommitOptions::default()
            },
        )?;
        tracing::info!(chain_id = %genesis.chain_id, height, app_hash = %info.app_hash, "initialised chain");
        Ok(InitReport {
            info,
            genesis,
            dropped: import.dropped,
            sections: import.sections,
        })
    }

    /// Whether no block has been committed since InitChain: the state is
    /// the genesis state (CometBFT then still sees the app at height 0).
    ///
    /// # Errors
    ///
    /// A backend failure.
    pub fn at_genesis(&self) -> Result<bool, AppError> {
        let Some(last) = self.storage.last_commit() else {
            return Ok(false);
        };
        let initial = self
            .storage
            .node_meta(INITIAL_HEIGHT_META)?
            .and_then(|b| <[u8; 8]>::try_from(b.as_slice()).ok())
            .map(u64::from_be_bytes);
        Ok(initial == Some(last.height + 1))
    }

    /// Exports the last committed state as a genesis document whose first
    /// block follows the exported height. `app_hash` is left empty: a pending
    /// plan is not exported, so the imported state's hash can differ.
    ///
    /// # Errors
    ///
    /// A module that cannot export its state.
    pub fn export_genesis(&self) -> Result<AppGenesis, AppError> {
        self.export_genesis_with(&ExportOptions::default())
    }

    /// [`App::export_genesis`] with `options`, built in memory. The same
    /// document [`App::export_genesis_to`] streams.
    ///
    /// # Errors
    ///
    /// A module that cannot export its state, or an unknown module in
    /// `options.modules`.
    pub fn export_genesis_with(&self, options: &ExportOptions) -> Result<AppGenesis, AppError> {
        let snapshot = self.storage.snapshot()?;
        let mut genesis = self.export_header(options)?;
        genesis.app_state = self.export_app_state(&snapshot, options)?;
        Ok(genesis)
    }

    /// Exports a block's pending state (e.g. right after [`App::pre_block`]
    /// applied an upgrade, before any hook) as a genesis document, as
    /// [`App::export_genesis`] exports the last commit: what the testing
    /// harness compares with the genesis path.
    ///
    /// # Errors
    ///
    /// A module that cannot export its state.
    pub fn export_block_state(&self, block: &Block) -> Result<AppGenesis, AppError> {
        let options = ExportOptions::default();
        let mut genesis = self.export_header(&options)?;
        genesis.app_state = self.export_app_state(block.state(), &options)?;
        Ok(genesis)
    }

    /// The app hash a block's pending state would commit with, now (the
    /// lazy migration never changes it: the hash is layout-independent).
    ///
    /// # Errors
    ///
    /// A failed read of the committed values the block changes.
    pub fn block_app_hash(&self, block: &Block) -> Result<AppHash, AppError> {
        let base = block.state().base();
        let lattice = base
            .lattice(self.storage.lattice())?
            .with_changes(base, block.state().changes())?;
        Ok(lattice.app_hash())
    }

    fn export_app_state(
        &self,
        state: &dyn StateRead,
        options: &ExportOptions,
    ) -> Result<Map<String, Value>, AppError> {
        let mut app_state = Map::new();
        for name in select_modules(&self.manager, options)? {
            app_state.insert(name.to_owned(), self.manager.export_module(state, name)?);
        }
        let section = UpgradeSection::export(state)?;
        app_state.insert(
            UPGRADE_SECTION.to_owned(),
            serde_json::to_value(section).unwrap_or(Value::Null),
        );
        Ok(app_state)
    }

    /// Streams the last committed state into `out` as a genesis document,
    /// module by module (see [`write_genesis`]), without building it in
    /// memory. Byte for byte what `serde_json::to_writer_pretty` writes
    /// for [`App::export_genesis_with`] with the same options.
    ///
    /// # Errors
    ///
    /// A module that cannot export its state, an unknown module in
    /// `options.modules`, or a failed write (the output is then
    /// incomplete: write to a temporary file and rename it on success).
    pub fn export_genesis_to<W: Write>(
        &self,
        out: W,
        options: &ExportOptions,
    ) -> Result<ExportSummary, AppError> {
        let snapshot = self.storage.snapshot()?;
        let header = self.export_header(options)?;
        let modules = select_modules(&self.manager, options)?;
        let section =
            UpgradeSection::export(&snapshot).map_err(GenesisExportError::UpgradeSection)?;
        let bytes = write_genesis(out, &self.manager, &snapshot, &header, &modules, &section)?;
        Ok(ExportSummary {
            height: self.storage.last_commit().map_or(0, |c| c.height),
            initial_height: header.initial_height,
            modules: modules.iter().map(|m| (*m).to_owned()).collect(),
            bytes,
        })
    }

    /// The document's fields other than `app_state`.
    fn export_header(&self, options: &ExportOptions) -> Result<AppGenesis, AppError> {
        let last = self.storage.last_commit().ok_or(AppError::NotInitialised)?;
        let mut genesis = AppGenesis::new(&self.chain_id()?, Map::new());
        if let Some(time) = self.storage.node_meta(GENESIS_TIME_META)? {
            genesis.genesis_time = String::from_utf8_lossy(&time).into_owned();
        }
        if let Some(consensus) = self.storage.node_meta(CONSENSUS_META)? {
            genesis.consensus = serde_json::from_slice(&consensus).unwrap_or(Value::Null);
        }
        genesis.app_name.clone_from(&options.app_name);
        genesis.app_version.clone_from(&options.app_version);
        genesis.initial_height = if options.for_zero_height {
            1
        } else {
            last.height + 1
        };
        Ok(genesis)
    }
}
