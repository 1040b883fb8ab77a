//! Building a node home all-or-nothing from a genesis document.

use std::io::BufReader;
use std::path::{Path, PathBuf};

use anyhow::{Context, bail};
use upgrade_runtime::app::InitOptions;
use upgrade_runtime::genesis::{
    AppGenesis, GenesisExportError, WalkError, copy_without_sections, write_document,
};
use upgrade_runtime::manager::SectionCheck;
use upgrade_runtime::release::Release;
use upgrade_runtime::store::{CommitInfo, StoreError};

use crate::chain::Chain;
use crate::home::Home;
use crate::node::NodeSettings;

/// Where the genesis comes from.
pub enum GenesisSource {
    /// A file, imported as a stream and copied as is.
    File(PathBuf),
    /// A document built in memory (generated or edited), written to
    /// `config/genesis.json` and imported from there.
    Built(Box<AppGenesis>),
    /// The chain's generated genesis, streamed to `config/genesis.json`
    /// (built in memory if the chain has no streaming generator) and
    /// imported from there.
    Generated {
        /// Accounts to generate.
        accounts: u64,
        /// The generator's seed.
        seed: u64,
        /// The chain id.
        chain_id: String,
    },
}

/// The chain's generated genesis for `release`, in memory: each module's
/// generated section, else its default genesis.
///
/// # Errors
///
/// The chain has no generator.
pub fn generated(
    chain: &Chain,
    chain_id: &str,
    accounts: u64,
    seed: u64,
    release: &Release,
) -> anyhow::Result<AppGenesis> {
    let sections = chain
        .extensions()
        .generate_genesis(accounts, seed)
        .with_context(|| no_generator(chain))?;
    let app_state = release.manager()?.app_state_from(&sections);
    Ok(header(chain, chain_id, release, app_state))
}

fn no_generator(chain: &Chain) -> String {
    format!(
        "{} has no genesis generator: pass --genesis FILE",
        chain.name()
    )
}

fn header(
    chain: &Chain,
    chain_id: &str,
    release: &Release,
    app_state: serde_json::Map<String, serde_json::Value>,
) -> AppGenesis {
    let mut genesis = AppGenesis::new(chain_id, app_state);
    genesis.app_name = chain.name().into();
    genesis.app_version = release.name.into();
    genesis
}

/// Streams the chain's generated genesis to `path`: each module of
/// `release` in order, its generated section or its default genesis.
///
/// # Errors
///
/// The chain has no generator, or writing failed.
pub fn write_generated(
    chain: &Chain,
    release: &Release,
    (accounts, seed, chain_id): (u64, u64, &str),
    scratch_dir: &Path,
    path: &Path,
) -> anyhow::Result<()> {
    let Some(generator) = chain
        .extensions()
        .genesis_generator(accounts, seed, Some(scratch_dir))
    else {
        return write_pretty(path, &generated(chain, chain_id, accounts, seed, release)?);
    };
    let generator = generator?;
    let manager = release.manager()?;
    let names = manager.names();
    let file =
        std::fs::File::create(path).with_context(|| format!("cannot write {}", path.display()))?;
    let header = header(chain, chain_id, release, serde_json::Map::new());
    write_document(
        std::io::BufWriter::with_capacity(1 << 20, file),
        &header,
        &names,
        &mut |name, out| {
            let written = match generator.write_section(name, out) {
                Some(written) => written,
                None => match manager.module(name) {
                    Some(module) => out.value(&module.default_genesis()),
                    None => Ok(()),
                },
            };
            written.map_err(|source| GenesisExportError::Module {
                module: name.to_owned(),
                source,
            })
        },
    )
    .with_context(|| format!("cannot write {}", path.display()))?;
    Ok(())
}

/// What an init built.
pub struct Built {
    /// The commit of the initial state.
    pub info: CommitInfo,
    /// The chain id.
    pub chain_id: String,
    /// The file's sections, in file order.
    pub sections: Vec<String>,
    /// Sections dropped as unknown.
    pub dropped: Vec<String>,
}

/// Builds the home all-or-nothing: the state is created and committed
/// under a temporary name, `config/genesis.json` written beside it, and the
/// state renamed into place last, so a home either holds a committed chain
/// or no state file at all, whenever the process is killed. redb locks the
/// file it opens until the process ends, so two inits of one home exclude
/// each other, and a file left by a killed init (nobody holds it) is
/// cleared by the next.
pub fn build_home(
    chain: &Chain,
    home: &Home,
    release: &Release,
    source: &GenesisSource,
    drop_unknown_sections: bool,
    check_upgrade_section: SectionCheck<'_>,
) -> anyhow::Result<Built> {
    let root_existed = home.root().exists();
    home.create_dirs()?;
    // Empty directories this init made go again if it fails (`remove_dir`
    // leaves a directory that holds anything, e.g. a concurrent winner's).
    let tidy = || {
        let _ = std::fs::remove_dir(home.data_dir());
        let _ = std::fs::remove_dir(home.config_dir());
        if !root_existed {
            let _ = std::fs::remove_dir(home.root());
        }
    };
    let building = home.data_dir().join("state.redb.init");
    let running = || {
        anyhow::anyhow!(
            "another init of {} is running (it holds {}); wait for it to finish",
            home.root().display(),
            building.display()
        )
    };
    if building.exists() {
        match upgrade_runtime::store::RedbBackend::open(&building) {
            Err(StoreError::InUse { .. }) => return Err(running()),
            // Ours now, or damaged by the kill that left it: either way an
            // interrupted init's, never committed as the home's state.
            _ => {
                tracing::info!(file = %building.display(), "clearing an interrupted init");
                std::fs::remove_file(&building)
                    .with_context(|| format!("cannot remove {}", building.display()))?;
            }
        }
    }
    let settings = NodeSettings {
        migration_batch: upgrade_runtime::app::DEFAULT_MIGRATION_BATCH,
        ..NodeSettings::default()
    };
    let mut app = match chain.create_app_at(home, release, &settings, &building) {
        Ok(app) => app,
        Err(e) if matches!(e.downcast_ref(), Some(StoreError::InUse { .. })) => {
            return Err(running());
        }
        Err(e) => return Err(e),
    };
    // The next `config/genesis.json`, written while this init holds the
    // state's lock, renamed into place once the state is committed.
    let next_genesis = home.genesis_file().with_extension("json.tmp");
    let result = (|| -> anyhow::Result<Built> {
        let document = match source {
            // Copied first and imported from the copy: the home's genesis
            // is exactly what was imported, even if the file changes.
            GenesisSource::File(path) => {
                std::fs::copy(path, &next_genesis).with_context(|| {
                    format!(
                        "cannot copy {} to {}",
                        path.display(),
                        next_genesis.display()
                    )
                })?;
                next_genesis.clone()
            }
            GenesisSource::Built(genesis) => {
                write_pretty(&next_genesis, genesis)?;
                next_genesis.clone()
            }
            GenesisSource::Generated {
                accounts,
                seed,
                chain_id,
            } => {
                write_generated(
                    chain,
                    release,
                    (*accounts, *seed, chain_id),
                    home.data_dir().as_path(),
                    &next_genesis,
                )?;
                next_genesis.clone()
            }
        };
        let file = std::fs::File::open(&document)
            .with_context(|| format!("cannot read genesis file {}", document.display()))?;
        // Errors name the operator's file, not the copy read.
        let named = match source {
            GenesisSource::File(path) => path.display().to_string(),
            _ => document.display().to_string(),
        };
        let report = app.init_chain_from(
            BufReader::with_capacity(1 << 20, file),
            &named,
            &InitOptions {
                drop_unknown_sections,
                check_upgrade_section: Some(check_upgrade_section),
            },
        )?;
        if home.state_file().exists() {
            bail!(
                "another init of {} finished while this one ran ({} appeared): the home already holds a chain; use another --home",
                home.root().display(),
                home.state_file().display()
            );
        }
        if !report.dropped.is_empty() {
            let without = next_genesis.with_extension("dropped.tmp");
            let copied = copy_without(&next_genesis, &without, &report.dropped)
                .and_then(|()| Ok(std::fs::rename(&without, &next_genesis)?));
            if copied.is_err() {
                let _ = std::fs::remove_file(&without);
            }
            copied.with_context(|| format!("cannot write {}", next_genesis.display()))?;
        }
        sync_file(&next_genesis)?;
        std::fs::rename(&next_genesis, home.genesis_file())
            .with_context(|| format!("cannot write {}", home.genesis_file().display()))?;
        sync_dir(&home.config_dir())?;
        std::fs::rename(&building, home.state_file()).with_context(|| {
            format!(
                "cannot move the new state to {}",
                home.state_file().display()
            )
        })?;
        sync_dir(&home.data_dir())?;
        Ok(Built {
            info: report.info,
            chain_id: report.genesis.chain_id,
            sections: report.sections,
            dropped: report.dropped,
        })
    })();
    if result.is_err() {
        // Only what this init made, while it still holds the lock.
        let _ = std::fs::remove_file(&next_genesis);
        let _ = std::fs::remove_file(&building);
        drop(app);
        tidy();
    }
    result
}

/// `from` as `to`, without the `dropped` sections (streamed).
fn copy_without(from: &Path, to: &Path, dropped: &[String]) -> anyhow::Result<()> {
    let input = std::fs::File::open(from)?;
    let output = std::fs::File::create(to)?;
    copy_without_sections(
        BufReader::with_capacity(1 << 20, input),
        &from.display().to_string(),
        std::io::BufWriter::new(&output),
        dropped,
    )
    .map_err(|e| match e {
        WalkError::File(e) => anyhow::Error::new(e),
        WalkError::Consumer(e) => anyhow::Error::new(e),
    })
}

/// Makes `path`'s bytes durable before it is renamed into place.
fn sync_file(path: &Path) -> anyhow::Result<()> {
    std::fs::File::open(path)
        .and_then(|f| f.sync_all())
        .with_context(|| format!("cannot sync {}", path.display()))
}

/// Makes a rename in `dir` durable.
fn sync_dir(dir: &Path) -> anyhow::Result<()> {
    std::fs::File::open(dir)
        .and_then(|d| d.sync_all())
        .with_context(|| format!("cannot sync {}", dir.display()))
}

/// `genesis` as indented JSON in `path`, streamed (never held as bytes).
fn write_pretty(path: &Path, genesis: &AppGenesis) -> anyhow::Result<()> {
    use std::io::Write as _;
    let file =
        std::fs::File::create(path).with_context(|| format!("cannot write {}", path.display()))?;
    let mut out = std::io::BufWriter::new(file);
    serde_json::to_writer_pretty(&mut out, genesis)
        .with_context(|| format!("cannot write {}", path.display()))?;
    out.flush()
        .with_context(|| format!("cannot write {}", path.display()))
}
