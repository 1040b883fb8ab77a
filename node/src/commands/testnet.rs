//! `testnet in-place` (the Cosmos SDK's `in-place-testnet`, made for the
//! chains whose export -> init testnets took hours): the source node's
//! state file is copied as it is, then one block on the copy sets the new
//! chain id and upgrade authority and funds the given accounts. Nothing is
//! exported, and the source home is only read.

use std::time::Instant;

use anyhow::{Context, bail};
use upgrade_runtime::VersionMap;

use crate::chain::Chain;
use crate::cli::TestnetCommand;
use crate::home::Home;
use crate::keys::Keyring;
use crate::node::NodeSettings;

/// Runs the command.
pub fn run(chain: &Chain, command: TestnetCommand) -> anyhow::Result<()> {
    let TestnetCommand::InPlace {
        from_home,
        home,
        chain_id,
        authority,
        fund,
    } = command;
    let started = Instant::now();
    let source = Home::new(&from_home.display().to_string());
    let target = chain.home(&home);
    // Opening the source read-only fails while a node holds it: a copy of
    // a file being written would not be a state.
    let source_app = chain.open_for_reading(&source)?;
    let source_height = source_app.last_commit().map_or(0, |c| c.height);
    drop(source_app);
    target.require_uninitialised()?;
    target.create_dirs()?;
    std::fs::copy(source.state_file(), target.state_file()).with_context(|| {
        format!(
            "cannot copy {} to {}",
            source.state_file().display(),
            target.state_file().display()
        )
    })?;
    if source.genesis_file().is_file() {
        std::fs::copy(source.genesis_file(), target.genesis_file())
            .with_context(|| format!("cannot copy {}", source.genesis_file().display()))?;
    }
    let copied = started.elapsed();
    let result = (|| -> anyhow::Result<_> {
        let versions = {
            let app = chain.open_for_reading(&target)?;
            VersionMap::load(&app.snapshot()?)?
        };
        let Some(release) = chain.releases().with_versions(&versions) else {
            bail!("no release of this binary has the state's module versions {versions:?}");
        };
        let mut app = chain.open_app(&target, release, &NodeSettings::default())?;
        let mut block = app.pre_block().context(
            "the copied state cannot take a block (an upgrade due now needs the new release)",
        )?;
        let keyring = Keyring::test(target.root());
        app.set_chain_id_in(&mut block, &chain_id);
        let authority = keyring.resolve(&authority)?;
        app.set_authority_in(&mut block, &authority);
        for entry in &fund {
            let Some((who, coins)) = entry.split_once('=') else {
                bail!("--fund {entry:?}: expected KEY_OR_ADDR=COINS");
            };
            let address = keyring.resolve(who)?;
            chain
                .extensions()
                .fund_state(&app, &mut block, &address, coins)
                .with_context(|| format!("--fund {entry}"))?;
        }
        Ok((app.commit(block)?, release.name, authority))
    })();
    let (info, release, authority) = match result {
        Ok(done) => done,
        Err(err) => {
            let _ = std::fs::remove_file(target.state_file());
            return Err(err.context(format!(
                "cannot make a testnet in {}",
                target.root().display()
            )));
        }
    };
    println!(
        "testnet {chain_id} in {} from {} at height {source_height} (release {release}): authority {authority}, {} account(s) funded; height {}, app hash {}; copy {:.2}s, total {:.2}s",
        target.root().display(),
        source.root().display(),
        fund.len(),
        info.height,
        info.app_hash,
        copied.as_secs_f64(),
        started.elapsed().as_secs_f64()
    );
    Ok(())
}
