//! `genesis validate` and `genesis migrate`, and the checks
//! `init` shares with them.

use std::io::{BufWriter, Write};
use std::path::{Path, PathBuf};

use anyhow::{Context, bail};
use upgrade_runtime::genesis::{
    AppGenesis, GenesisMigrateReport, GenesisStepAction, ReleaseStep, UPGRADE_SECTION,
    UpgradeSection, migrate,
};
use upgrade_runtime::{Release, VersionMap};

use crate::chain::Chain;
use crate::cli::GenesisCommand;

/// Runs the command.
pub fn run(chain: &Chain, command: GenesisCommand) -> anyhow::Result<()> {
    match command {
        GenesisCommand::Validate {
            file,
            release,
            drop_unknown_sections,
        } => super::genesis_validate::validate(
            chain,
            &file,
            release.as_deref(),
            drop_unknown_sections,
        ),
        GenesisCommand::Migrate {
            target,
            file,
            output_document,
            from,
            drop_unknown_sections,
        } => {
            let summary = migrate_file(
                chain,
                &target,
                &file,
                output_document.as_deref(),
                from.as_deref(),
                drop_unknown_sections,
            )?;
            eprintln!("{summary}");
            if let Some(path) = &output_document {
                eprintln!("wrote {}", path.display());
            }
            Ok(())
        }
    }
}

/// `genesis migrate`: reads `file`, migrates it to release `target` and
/// writes it to `output` (stdout without one). Returns a one-line summary.
///
/// # Errors
///
/// An unknown target, a file that is malformed, invalid for the release
/// that wrote it or newer than the target, a missing genesis migration, or
/// a failed write (nothing is written then).
pub fn migrate_file(
    chain: &Chain,
    target: &str,
    file: &Path,
    output: Option<&Path>,
    from: Option<&str>,
    drop_unknown: bool,
) -> anyhow::Result<String> {
    let Some(target_release) = chain.releases().get(target) else {
        bail!(
            "unknown migration function for version: {target} (supported versions {})",
            chain.releases().names().join(", ")
        );
    };
    let genesis = AppGenesis::read(file)?;
    let recorded = recorded_versions(&genesis, file)?;
    let from_release = match (recorded, from) {
        (Some(versions), None) => chain.releases().with_versions(&versions).copied().with_context(|| {
            format!(
                "{} records module versions {}, which no release of this binary has ({}); it was written by another application or a newer binary",
                file.display(),
                show(&versions),
                chain.releases().names().join(", ")
            )
        })?,
        (Some(versions), Some(name)) => {
            let given = chain.resolve_release(Some(name))?;
            let given_versions = given.manager()?.version_map();
            if given_versions != versions {
                bail!(
                    "--from {name} has module versions {} but {} records {}; leave out --from, the file says which versions wrote it",
                    show(&given_versions),
                    file.display(),
                    show(&versions)
                );
            }
            given
        }
        (None, Some(name)) => chain.resolve_release(Some(name))?,
        (None, None) => bail!(
            "{} records no module versions (app_state.upgrade.module_versions is missing or empty), so there is no telling which release wrote it; pass --from vX.Y.Z, the release that exported it (this binary knows {})",
            file.display(),
            chain.releases().names().join(", ")
        ),
    };
    let from_manager = from_release.manager()?;
    let mut genesis = genesis;
    unknown_sections(&from_manager, file, &mut genesis, drop_unknown)?;
    from_manager
        .validate_genesis(&genesis.app_state, &[UPGRADE_SECTION])
        .with_context(|| {
            format!(
                "{} is not a valid genesis for release {}, the release it was written by",
                file.display(),
                from_release.name
            )
        })?;
    let Some(between) = chain
        .releases()
        .between(from_release.name, target_release.name)
    else {
        bail!(
            "cannot migrate {} from release {} back to {}: genesis migrations only go forward",
            file.display(),
            from_release.name,
            target_release.name
        );
    };
    let upgrades = between
        .iter()
        .map(|r| {
            Ok((
                r.name,
                r.upgrade.map(|u| u().store_upgrades).unwrap_or_default(),
                r.manager()?.version_map(),
            ))
        })
        .collect::<anyhow::Result<Vec<_>>>()?;
    let steps: Vec<ReleaseStep<'_>> = upgrades
        .iter()
        .map(|(name, store_upgrades, versions)| ReleaseStep {
            name,
            store_upgrades,
            versions,
        })
        .collect();
    let (migrated, report) = migrate(
        genesis,
        &from_manager.version_map(),
        &target_release.manager()?,
        &steps,
    )
    .with_context(|| {
        format!(
            "cannot migrate {} from {} to {}",
            file.display(),
            from_release.name,
            target_release.name
        )
    })?;
    write_document(output, |w| {
        serde_json::to_writer_pretty(&mut *w, &migrated)?;
        writeln!(w)?;
        Ok(())
    })?;
    Ok(format!(
        "migrated {} from {} to {}: {}",
        file.display(),
        from_release.name,
        target_release.name,
        describe(&report)
    ))
}

/// Refuses the sections no module of `manager` has, all named in one
/// error, or with `drop` removes them and lists them on stderr: never a
/// silent drop.
///
/// # Errors
///
/// Unknown sections without `drop`.
pub fn unknown_sections(
    manager: &upgrade_runtime::ModuleManager,
    file: &Path,
    genesis: &mut AppGenesis,
    drop: bool,
) -> anyhow::Result<()> {
    let unknown: Vec<String> = genesis
        .app_state
        .keys()
        .filter(|name| manager.module(name).is_none() && name.as_str() != UPGRADE_SECTION)
        .cloned()
        .collect();
    if unknown.is_empty() {
        return Ok(());
    }
    if !drop {
        bail!(unknown_sections_message(file, &unknown));
    }
    for name in &unknown {
        genesis.app_state.shift_remove(name);
    }
    eprintln!(
        "dropped {} unknown section(s): {}",
        unknown.len(),
        unknown.join(", ")
    );
    Ok(())
}

/// The refusal of a file with sections no module of this binary has.
pub fn unknown_sections_message(file: &Path, unknown: &[String]) -> String {
    format!(
        "{} has {} section(s) of modules this binary does not have: {}; pass --drop-unknown-sections to drop them (they are listed as they are dropped)",
        file.display(),
        unknown.len(),
        unknown.join(", ")
    )
}

/// One line per module of what `migrate` did.
fn describe(report: &GenesisMigrateReport) -> String {
    if report.releases.is_empty() {
        return "already at that release, nothing to do".to_owned();
    }
    let mut parts: Vec<String> = Vec::new();
    for step in &report.steps {
        let what = match &step.action {
            GenesisStepAction::Unchanged { version } => format!("unchanged at {version}"),
            GenesisStepAction::Added { version } => {
                format!("added at {version} with its default genesis")
            }
            GenesisStepAction::Migrated { from, to, .. } => format!("{from} -> {to}"),
            GenesisStepAction::Renamed { from, release } => {
                format!("renamed from {from} by {release}")
            }
            GenesisStepAction::Dropped { version, release } => {
                format!("dropped (version {version}; {release} deletes its store)")
            }
            _ => "changed".to_owned(),
        };
        match parts.last_mut() {
            Some(last) if last.starts_with(&format!("{} ", step.module)) => {
                last.push_str(", ");
                last.push_str(&what);
            }
            _ => parts.push(format!("{} {what}", step.module)),
        }
    }
    parts.join("; ")
}

/// The module versions `genesis` records in its `upgrade` section, if any.
///
/// # Errors
///
/// A malformed `upgrade` section, naming the file and JSON path.
pub fn recorded_versions(genesis: &AppGenesis, file: &Path) -> anyhow::Result<Option<VersionMap>> {
    let Some(value) = genesis.app_state.get(UPGRADE_SECTION) else {
        return Ok(None);
    };
    let section = UpgradeSection::from_json(value.clone()).map_err(|(path, message)| {
        let path = if path.is_empty() {
            "app_state.upgrade".to_owned()
        } else {
            format!("app_state.upgrade.{path}")
        };
        anyhow::anyhow!(
            "genesis file {} is invalid: {path}: {message}",
            file.display()
        )
    })?;
    Ok(section.version_map())
}

/// Refuses a file whose recorded module versions are not `release`'s,
/// saying what to run instead: `genesis migrate` for an older file, a
/// newer `--release` for a newer one.
///
/// # Errors
///
/// The versions differ (or the `upgrade` section is malformed).
pub fn check_recorded_versions(
    chain: &Chain,
    file: &Path,
    genesis: &AppGenesis,
    release: &Release,
) -> anyhow::Result<()> {
    let Some(recorded) = recorded_versions(genesis, file)? else {
        return Ok(());
    };
    let binary = release.manager()?.version_map();
    if recorded == binary {
        return Ok(());
    }
    let writer = chain.releases().with_versions(&recorded);
    let names = chain.releases().names();
    let position = |name: &str| names.iter().position(|n| *n == name);
    match writer {
        Some(writer) if position(writer.name) < position(release.name) => {
            let suggested = migrated_name(file, release.name);
            bail!(
                "{} was exported by release {} (module versions {}) but release {} runs {}; migrate it first:\n  {} genesis migrate {} {} --output-document {}\nand use {} instead",
                file.display(),
                writer.name,
                show(&recorded),
                release.name,
                show(&binary),
                chain.name(),
                release.name,
                file.display(),
                suggested.display(),
                suggested.display()
            )
        }
        Some(writer) => bail!(
            "{} was exported by release {} (module versions {}), newer than release {} ({}); genesis files cannot be migrated back: act as release {} or later (--release {})",
            file.display(),
            writer.name,
            show(&recorded),
            release.name,
            show(&binary),
            writer.name,
            writer.name
        ),
        None => bail!(
            "{} records module versions {}, which no release of this binary has ({}); release {} runs {}",
            file.display(),
            show(&recorded),
            names.join(", "),
            release.name,
            show(&binary)
        ),
    }
}

/// `auth 2, bank 2, feegrant 1`.
pub fn show(versions: &VersionMap) -> String {
    let parts: Vec<String> = versions
        .iter()
        .map(|(name, version)| format!("{name} {version}"))
        .collect();
    parts.join(", ")
}

/// `genesis.json` -> `genesis.v2.0.0.json`, beside it.
fn migrated_name(file: &Path, release: &str) -> PathBuf {
    let stem = file
        .file_stem()
        .map_or_else(|| "genesis".into(), |s| s.to_string_lossy().into_owned());
    file.with_file_name(format!("{stem}.{release}.json"))
}

/// Writes a document to `path` (through a temporary file beside it,
/// renamed on success, so a failure leaves neither a partial file nor a
/// clobbered old one) or, without a path, to stdout.
///
/// # Errors
///
/// `write` failed, or the file could not be created or renamed.
pub fn write_document<T>(
    path: Option<&Path>,
    write: impl FnOnce(&mut dyn Write) -> anyhow::Result<T>,
) -> anyhow::Result<T> {
    match path {
        Some(path) => {
            let dir = match path.parent() {
                Some(p) if !p.as_os_str().is_empty() => p.to_owned(),
                _ => PathBuf::from("."),
            };
            let tmp = tempfile::NamedTempFile::new_in(&dir)
                .with_context(|| format!("cannot create a file in {}", dir.display()))?;
            let mut out = BufWriter::new(tmp);
            let result =
                write(&mut out).with_context(|| format!("cannot write {}", path.display()))?;
            let tmp = out
                .into_inner()
                .map_err(|e| e.into_error())
                .with_context(|| format!("cannot write {}", path.display()))?;
            tmp.persist(path)
                .map_err(|e| e.error)
                .with_context(|| format!("cannot write {}", path.display()))?;
            Ok(result)
        }
        None => {
            let stdout = std::io::stdout();
            let mut out = BufWriter::new(stdout.lock());
            let result = write(&mut out)?;
            out.flush().context("cannot write to stdout")?;
            Ok(result)
        }
    }
}
