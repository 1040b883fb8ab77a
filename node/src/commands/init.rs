//! `init`: create a node home and run InitChain.

use anyhow::Context;
use upgrade_runtime::genesis::{AppGenesis, UPGRADE_SECTION};

use crate::chain::Chain;
use crate::cli::InitArgs;
use crate::keys::Keyring;

/// Runs the command.
pub fn run(chain: &Chain, args: InitArgs) -> anyhow::Result<()> {
    let home = chain.home(&args.home);
    home.require_uninitialised()?;
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

    let root_existed = home.root().exists();
    home.create_dirs()?;
    let result = (|| -> anyhow::Result<_> {
        std::fs::write(home.genesis_file(), serde_json::to_vec_pretty(&genesis)?)
            .with_context(|| format!("cannot write {}", home.genesis_file().display()))?;
        let mut app = chain.create_app(&home, &release)?;
        Ok(app.init_chain(&genesis)?)
    })();
    let info = match result {
        Ok(info) => info,
        Err(err) => {
            // Leave the home as it was: no half-initialised chain.
            let _ = std::fs::remove_file(home.state_file());
            let _ = std::fs::remove_file(home.genesis_file());
            let _ = std::fs::remove_dir(home.data_dir());
            let _ = std::fs::remove_dir(home.config_dir());
            if !root_existed {
                let _ = std::fs::remove_dir(home.root());
            }
            return Err(err.context(format!(
                "cannot initialise {} from {source}",
                home.root().display()
            )));
        }
    };
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
