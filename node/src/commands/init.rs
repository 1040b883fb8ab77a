//! `init`: create a node home and run InitChain.

use anyhow::{Context, bail};
use upgrade_runtime::genesis::{AppGenesis, MAX_CHAIN_ID_LEN, UPGRADE_SECTION};
use upgrade_runtime::release::Release;
use upgrade_runtime::store::StoreError;

use crate::chain::Chain;
use crate::cli::InitArgs;
use crate::home::Home;
use crate::keys::Keyring;
use crate::node::NodeSettings;

/// Runs the command.
pub fn run(chain: &Chain, args: InitArgs) -> anyhow::Result<()> {
    let home = chain.home(&args.home);
    home.require_uninitialised()?;
    if args.genesis.is_none()
        && (args.chain_id.is_empty() || args.chain_id.len() > MAX_CHAIN_ID_LEN)
    {
        bail!(
            "--chain-id {:?}: CometBFT requires a chain id of 1 to {MAX_CHAIN_ID_LEN} bytes",
            args.chain_id
        );
    }
    let release = chain.resolve_release(args.release.as_deref())?;
    let manager = release.manager()?;
    let (genesis, source) = match &args.genesis {
        Some(path) => (AppGenesis::read(path)?, path.display().to_string()),
        None => {
            let generated = chain
                .extensions()
                .generate_genesis(args.accounts, args.seed)
                .with_context(|| {
                    format!(
                        "{} has no genesis generator: pass --genesis FILE",
                        chain.name()
                    )
                })?;
            let app_state = manager.app_state_from(&generated);
            let mut genesis = AppGenesis::new(&args.chain_id, app_state);
            genesis.app_name = chain.name().into();
            genesis.app_version = release.name.into();
            (genesis, "generated genesis".to_owned())
        }
    };
    let (mut genesis, source) = (genesis, source);
    apply_authority_and_funds(chain, &home, &args, &mut genesis)?;
    // Everything that can be checked is checked before anything is written.
    if let Some(path) = &args.genesis {
        crate::commands::genesis::check_recorded_versions(chain, path, &genesis, &release)
            .with_context(|| format!("cannot initialise {}", home.root().display()))?;
        crate::commands::genesis::unknown_sections(
            &manager,
            path,
            &mut genesis,
            args.drop_unknown_sections,
        )?;
    }
    manager
        .validate_genesis(&genesis.app_state, &[UPGRADE_SECTION])
        .with_context(|| {
            format!(
                "{source} is not a valid genesis for release {}",
                release.name
            )
        })?;

    let info = build_home(chain, &home, &release, &genesis)
        .with_context(|| format!("cannot initialise {} from {source}", home.root().display()))?;
    println!(
        "initialised chain {} as release {} in {}: modules {}, height {}, app hash {}",
        genesis.chain_id,
        release.name,
        home.root().display(),
        genesis
            .app_state
            .keys()
            .map(String::as_str)
            .collect::<Vec<_>>()
            .join(", "),
        info.height,
        info.app_hash
    );
    Ok(())
}

/// Builds the home all-or-nothing: the state is created and committed
/// under a temporary name, `config/genesis.json` written beside it, and the
/// state renamed into place last, so a home either holds a committed chain
/// or no state file at all, whenever the process is killed. redb locks the
/// file it opens until the process ends, so two inits of one home exclude
/// each other, and a file left by a killed init (nobody holds it) is
/// cleared by the next.
fn build_home(
    chain: &Chain,
    home: &Home,
    release: &Release,
    genesis: &AppGenesis,
) -> anyhow::Result<upgrade_runtime::store::CommitInfo> {
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
    let result = (|| -> anyhow::Result<_> {
        let info = app.init_chain(genesis)?;
        if home.state_file().exists() {
            bail!(
                "{} appeared while this init ran; use another --home",
                home.state_file().display()
            );
        }
        write_atomically(&home.genesis_file(), |out| {
            serde_json::to_writer_pretty(out, genesis)
        })?;
        std::fs::rename(&building, home.state_file()).with_context(|| {
            format!(
                "cannot move the new state to {}",
                home.state_file().display()
            )
        })?;
        Ok(info)
    })();
    if result.is_err() {
        // Only what this init made, while it still holds the lock.
        let _ = std::fs::remove_file(&building);
        drop(app);
        tidy();
    }
    result
}

/// Streams what `write` writes into a temporary file beside `path` and
/// renames it over `path`: readers see the old file or the new one, never
/// half of one, and the document is never held in memory as bytes.
fn write_atomically(
    path: &std::path::Path,
    write: impl FnOnce(&mut dyn std::io::Write) -> serde_json::Result<()>,
) -> anyhow::Result<()> {
    use std::io::Write as _;
    let tmp = path.with_extension("json.tmp");
    let file =
        std::fs::File::create(&tmp).with_context(|| format!("cannot write {}", tmp.display()))?;
    let mut out = std::io::BufWriter::new(file);
    write(&mut out).with_context(|| format!("cannot write {}", tmp.display()))?;
    out.flush()
        .with_context(|| format!("cannot write {}", tmp.display()))?;
    std::fs::rename(&tmp, path).with_context(|| format!("cannot write {}", path.display()))
}

/// `--authority KEY_OR_ADDR` into the `upgrade` section, and each `--fund
/// KEY_OR_ADDR=COINS` through the chain's [`Extensions::fund`](crate::Extensions::fund);
/// key names resolve through the home's keyring.
fn apply_authority_and_funds(
    chain: &Chain,
    home: &crate::home::Home,
    args: &InitArgs,
    genesis: &mut AppGenesis,
) -> anyhow::Result<()> {
    let keyring = Keyring::test(home.root());
    if let Some(authority) = &args.authority {
        let address = keyring.resolve(authority)?;
        let section = genesis
            .app_state
            .entry(UPGRADE_SECTION.to_owned())
            .or_insert_with(|| serde_json::json!({}));
        match section.as_object_mut() {
            Some(object) => {
                object.insert("authority".into(), address.into());
            }
            None => anyhow::bail!("app_state.upgrade is not an object"),
        }
    }
    for fund in &args.fund {
        let Some((who, coins)) = fund.split_once('=') else {
            anyhow::bail!("--fund {fund:?}: expected KEY_OR_ADDR=COINS, e.g. alice=1000stake");
        };
        let address = keyring.resolve(who)?;
        chain
            .extensions()
            .fund(&mut genesis.app_state, &address, coins)
            .with_context(|| format!("--fund {fund}"))?;
    }
    Ok(())
}
