//! `genesis validate FILE`: exactly the checks `init --genesis` makes, as a
//! stream, so a mainnet-size file validates in bounded memory. The file's
//! `upgrade` section is read first (it says which release wrote the file),
//! then the file is imported into a scratch state that is thrown away.

use std::io::BufReader;
use std::path::Path;

use anyhow::Context;
use serde_json::{Map, Value};
use upgrade_runtime::ManagerError;
use upgrade_runtime::app::{AppError, InitOptions};
use upgrade_runtime::genesis::{
    AppGenesis, GenesisEvents, GenesisFileError, SectionMode, UPGRADE_SECTION, WalkError, walk,
};

use crate::chain::Chain;
use crate::commands::genesis::{
    check_recorded_versions, recorded_versions, show, unknown_sections_message,
};
use crate::home::Home;
use crate::node::NodeSettings;

/// Runs the command.
pub fn validate(
    chain: &Chain,
    file: &Path,
    release: Option<&str>,
    drop_unknown: bool,
) -> anyhow::Result<()> {
    crate::commands::address_prefix::choose(None, Some(file))?;
    let upgrade = upgrade_section(file)?;
    let recorded = recorded_versions(&upgrade, file)?;
    let release = match (release, &recorded) {
        (Some(name), _) => chain.resolve_release(Some(name))?,
        (None, Some(versions)) => chain.releases().with_versions(versions).copied().with_context(|| {
            format!(
                "{} records module versions {}, which no release of this binary has ({}); pass --release to validate it against one",
                file.display(),
                show(versions),
                chain.releases().names().join(", ")
            )
        })?,
        (None, None) => chain.resolve_release(None)?,
    };
    check_recorded_versions(chain, file, &upgrade, &release)?;

    // Beside the file (the same disk, not a tmpfs), else the temp directory.
    let beside = file.parent().filter(|d| !d.as_os_str().is_empty());
    let scratch = beside
        .and_then(|d| tempfile::tempdir_in(d).ok())
        .map_or_else(tempfile::tempdir, Ok)
        .context("cannot create a scratch directory")?;
    let home = Home::new(&scratch.path().display().to_string());
    let mut app = chain.create_app_at(
        &home,
        &release,
        &NodeSettings::default(),
        &scratch.path().join("state.redb"),
    )?;
    let input = std::fs::File::open(file).map_err(|source| GenesisFileError::Io {
        path: file.display().to_string(),
        source,
    })?;
    let imported = app.init_chain_from(
        BufReader::with_capacity(1 << 20, input),
        &file.display().to_string(),
        &InitOptions {
            drop_unknown_sections: drop_unknown,
            check_upgrade_section: None,
        },
    );
    let report = match imported {
        Ok(report) => report,
        Err(AppError::GenesisFile(e)) => return Err(e.into()),
        Err(AppError::Manager(ManagerError::UnknownSections { sections, .. })) => {
            anyhow::bail!(unknown_sections_message(file, &sections))
        }
        Err(e) => {
            return Err(anyhow::Error::new(e).context(format!(
                "genesis file {} is invalid for release {}",
                file.display(),
                release.name
            )));
        }
    };
    if !report.dropped.is_empty() {
        eprintln!(
            "dropped {} unknown section(s): {}",
            report.dropped.len(),
            report.dropped.join(", ")
        );
    }
    println!("File at {} is a valid genesis file", file.display());
    eprintln!(
        "(validated as release {}, module versions {})",
        release.name,
        show(&release.manager()?.version_map())
    );
    Ok(())
}

/// The file's `upgrade` section alone (the rest skipped unbuilt), as a
/// document for [`recorded_versions`].
///
/// # Errors
///
/// The file is unreadable or malformed.
fn upgrade_section(file: &Path) -> anyhow::Result<AppGenesis> {
    let input = std::fs::File::open(file).map_err(|source| GenesisFileError::Io {
        path: file.display().to_string(),
        source,
    })?;
    let mut only = UpgradeOnly(None);
    match walk(
        BufReader::new(input),
        &file.display().to_string(),
        &mut only,
    ) {
        Ok(()) => {}
        Err(WalkError::File(e)) => return Err(e.into()),
        Err(WalkError::Consumer(never)) => match never {},
    }
    let mut app_state = Map::new();
    if let Some(section) = only.0 {
        app_state.insert(UPGRADE_SECTION.to_owned(), section);
    }
    Ok(AppGenesis::new("", app_state))
}

/// Keeps the `upgrade` section; skips everything else.
struct UpgradeOnly(Option<Value>);

impl GenesisEvents for UpgradeOnly {
    type Error = std::convert::Infallible;

    fn header(&mut self, _name: &str, _value: Value) -> Result<(), Self::Error> {
        Ok(())
    }

    fn begin_section(&mut self, name: &str) -> Result<SectionMode, Self::Error> {
        Ok(if name == UPGRADE_SECTION {
            SectionMode::Whole
        } else {
            SectionMode::Skip
        })
    }

    fn section_value(&mut self, value: Value) -> Result<(), Self::Error> {
        self.0 = Some(value);
        Ok(())
    }

    fn streams(&self, _field: &str) -> bool {
        false
    }

    fn field(&mut self, _name: &str, _value: Value) -> Result<(), Self::Error> {
        Ok(())
    }

    fn begin_array(&mut self, _field: &str) -> Result<(), Self::Error> {
        Ok(())
    }

    fn element(&mut self, _field: &str, _index: usize, _value: Value) -> Result<(), Self::Error> {
        Ok(())
    }

    fn end_section(&mut self) -> Result<(), Self::Error> {
        Ok(())
    }
}
