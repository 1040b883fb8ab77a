//! `appd genesis validate`.

use anyhow::Context;
use upgrade_runtime::genesis::{AppGenesis, UPGRADE_SECTION};

use crate::cli::GenesisCommand;
use crate::node::resolve_release;

/// Runs the command.
pub fn run(command: GenesisCommand) -> anyhow::Result<()> {
    match command {
        GenesisCommand::Validate { file, release } => {
            let release = resolve_release(release.as_deref())?;
            let genesis = AppGenesis::read(&file)?;
            release
                .manager()?
                .validate_genesis(&genesis.app_state, &[UPGRADE_SECTION])
                .with_context(|| {
                    format!(
                        "genesis file {} is invalid for release {}",
                        file.display(),
                        release.name
                    )
                })?;
            println!("File at {} is a valid genesis file", file.display());
            Ok(())
        }
    }
}
