//! `export`: the latest committed state as a genesis document,
//! streamed module by module into the output.

use upgrade_runtime::genesis::ExportOptions;

use crate::chain::Chain;
use crate::cli::ExportArgs;
use crate::commands::genesis::write_document;

/// Runs the command.
pub fn run(chain: &Chain, args: ExportArgs) -> anyhow::Result<()> {
    let home = chain.home(&args.home);
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
