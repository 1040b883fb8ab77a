//! `init`: create a node home and run InitChain.
//!
//! A given genesis file is imported as a stream ([`App::init_chain_from`]):
//! memory stays bounded whatever its size, and it is copied to
//! `config/genesis.json` as is (without the dropped sections, if any). A
//! generated genesis, or a file `--authority` / `--fund` edit, is built in
//! memory, written to `config/genesis.json` first, and imported from there.
//!
//! [`App::init_chain_from`]: upgrade_runtime::app::App::init_chain_from

use std::cell::RefCell;
use std::path::Path;

use anyhow::{Context, bail};
use upgrade_runtime::ManagerError;
use upgrade_runtime::app::AppError;
use upgrade_runtime::genesis::{AppGenesis, GenesisFileError, MAX_CHAIN_ID_LEN, UPGRADE_SECTION};
use upgrade_runtime::release::Release;

use crate::chain::Chain;
use crate::cli::InitArgs;
use crate::commands::genesis::{
    check_recorded_versions, unknown_sections, unknown_sections_message,
};
use crate::commands::init_home::{GenesisSource, build_home, generated};
use crate::keys::Keyring;

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
    // Before any address is read or made (keys, generator, import).
    crate::commands::address_prefix::choose(
        args.address_prefix.as_deref(),
        args.genesis.as_deref(),
    )?;
    let release = chain.resolve_release(args.release.as_deref())?;
    let edits = args.authority.is_some() || !args.fund.is_empty();
    let (source, name) = match &args.genesis {
        Some(path) if !edits => {
            // Before anything is made: a missing file leaves no home.
            std::fs::File::open(path).map_err(|source| GenesisFileError::Io {
                path: path.display().to_string(),
                source,
            })?;
            (
                GenesisSource::File(path.clone()),
                path.display().to_string(),
            )
        }
        Some(path) => (
            GenesisSource::Built(Box::new(edited_file(chain, &home, &args, path, &release)?)),
            path.display().to_string(),
        ),
        None if edits => {
            let mut genesis = generated(chain, &args.chain_id, args.accounts, args.seed, &release)?;
            apply_authority_and_funds(chain, &home, &args, &mut genesis)?;
            (
                GenesisSource::Built(Box::new(genesis)),
                "generated genesis".to_owned(),
            )
        }
        None => (
            GenesisSource::Generated {
                accounts: args.accounts,
                seed: args.seed,
                chain_id: args.chain_id.clone(),
            },
            "generated genesis".to_owned(),
        ),
    };
    // A file for another release is refused as soon as its `upgrade`
    // section is read, with the command that migrates it.
    let refusal: RefCell<Option<anyhow::Error>> = RefCell::new(None);
    let file = match &source {
        GenesisSource::File(path) => Some(path.as_path()),
        GenesisSource::Built(_) | GenesisSource::Generated { .. } => None,
    };
    let check = |section: &str, value: &serde_json::Value| -> Result<(), String> {
        let Some(file) = file else { return Ok(()) };
        let mut app_state = serde_json::Map::new();
        app_state.insert(section.to_owned(), value.clone());
        check_recorded_versions(chain, file, &AppGenesis::new("", app_state), &release).map_err(
            |e| {
                let text = format!("{e:#}");
                *refusal.borrow_mut() = Some(e);
                text
            },
        )
    };
    let built = build_home(
        chain,
        &home,
        &release,
        &source,
        args.drop_unknown_sections,
        &check,
    );
    let built = match built {
        Ok(built) => built,
        Err(e) => {
            if let Some(refused) = refusal.take() {
                return Err(refused.context(format!("cannot initialise {}", home.root().display())));
            }
            return Err(explain(e, file, &name, &release, home.root()));
        }
    };
    if !built.dropped.is_empty() {
        eprintln!(
            "dropped {} unknown section(s): {}",
            built.dropped.len(),
            built.dropped.join(", ")
        );
    }
    println!(
        "initialised chain {} as release {} in {}: modules {}, height {}, app hash {}",
        built.chain_id,
        release.name,
        home.root().display(),
        built
            .sections
            .iter()
            .filter(|s| !built.dropped.contains(s))
            .map(String::as_str)
            .collect::<Vec<_>>()
            .join(", "),
        built.info.height,
        built.info.app_hash
    );
    Ok(())
}

/// The error of a failed init, said the way the operator acts on it.
fn explain(
    e: anyhow::Error,
    file: Option<&Path>,
    name: &str,
    release: &Release,
    root: &Path,
) -> anyhow::Error {
    match e.downcast_ref::<AppError>() {
        // The file itself (its JSON): reported as is, it names the file.
        Some(AppError::GenesisFile(_)) => e,
        Some(AppError::Manager(ManagerError::UnknownSections { sections, .. })) => match file {
            Some(file) => anyhow::anyhow!(unknown_sections_message(file, sections)),
            None => e,
        },
        Some(AppError::Manager(
            ManagerError::InvalidGenesis { .. } | ManagerError::InvalidGenesisProblems(_),
        )) => e.context(format!(
            "{name} is not a valid genesis for release {}",
            release.name
        )),
        _ => e.context(format!("cannot initialise {} from {name}", root.display())),
    }
}

/// A given file with `--authority` and `--fund` applied (in memory: these
/// edit small development files).
fn edited_file(
    chain: &Chain,
    home: &crate::home::Home,
    args: &InitArgs,
    path: &Path,
    release: &Release,
) -> anyhow::Result<AppGenesis> {
    let mut genesis = AppGenesis::read(path)?;
    apply_authority_and_funds(chain, home, args, &mut genesis)?;
    check_recorded_versions(chain, path, &genesis, release)
        .with_context(|| format!("cannot initialise {}", home.root().display()))?;
    unknown_sections(
        &release.manager()?,
        path,
        &mut genesis,
        args.drop_unknown_sections,
    )?;
    Ok(genesis)
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
