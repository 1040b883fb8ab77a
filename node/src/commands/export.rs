//! `export`: the latest committed state as a genesis document,
//! streamed module by module into the output.

use upgrade_runtime::genesis::ExportOptions;

use crate::chain::Chain;
use crate::cli::ExportArgs;
use crate::commands::genesis::write_document;

/// Runs the command.
pub fn run(chain: &Chain, args: ExportArgs) -> anyhow::Result<()> {
    let home = chain.home(&args.home);
    if let Some(out) = &args.output_document {
        refuse_node_files(&home, out)?;
    }
    let app = chain.open_for_reading(&home)?;
    // Never write a genesis of state that does not hash to its app hash.
    crate::commands::verify::check(&app, &home.state_file())?;
    let release = chain.releases().with_versions(&app.manager().version_map());
    let options = ExportOptions {
        for_zero_height: args.for_zero_height,
        modules: (!args.modules_to_export.is_empty()).then(|| args.modules_to_export.clone()),
        app_name: chain.name().into(),
        app_version: release.map(|r| r.name.to_owned()).unwrap_or_default(),
    };
    let summary = write_document(args.output_document.as_deref(), |out| {
        let summary = app.export_genesis_to(&mut *out, &options)?;
        writeln!(out)?;
        Ok(summary)
    })?;
    if let Some(path) = &args.output_document {
        eprintln!(
            "exported height {} ({}, {} bytes) to {} (initial_height {})",
            summary.height,
            summary.modules.join(", "),
            summary.bytes,
            path.display(),
            summary.initial_height
        );
    }
    Ok(())
}

/// Refuses an output path inside the home's `data/` directory (the state
/// file, snapshots) or onto its `config/genesis.json`: an export must never
/// replace the files of the node it reads.
fn refuse_node_files(home: &crate::home::Home, out: &std::path::Path) -> anyhow::Result<()> {
    let resolve = |p: &std::path::Path| -> Option<std::path::PathBuf> {
        let parent = p.parent().filter(|d| !d.as_os_str().is_empty());
        let dir = std::fs::canonicalize(parent.unwrap_or(std::path::Path::new("."))).ok()?;
        Some(dir.join(p.file_name()?))
    };
    let (Some(target), Ok(data)) = (resolve(out), std::fs::canonicalize(home.data_dir())) else {
        return Ok(());
    };
    let genesis = resolve(&home.genesis_file());
    if target.starts_with(&data) || Some(&target) == genesis.as_ref() {
        anyhow::bail!(
            "--output-document {} is one of the node's own files (under {}); write the export elsewhere",
            out.display(),
            home.root().display()
        );
    }
    Ok(())
}
