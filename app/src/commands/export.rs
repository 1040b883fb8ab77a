//! `appd export`: the latest committed state as a genesis document,
//! streamed module by module into the output.

use app_upgrades::release_with_versions;
use upgrade_runtime::genesis::ExportOptions;

use crate::cli::ExportArgs;
use crate::commands::genesis::write_document;
use crate::home::Home;
use crate::node::open_for_reading;

/// Runs the command.
pub fn run(args: ExportArgs) -> anyhow::Result<()> {
    let home = Home::new(&args.home.home);
    let app = open_for_reading(&home)?;
    let release = release_with_versions(&app.manager().version_map());
    let options = ExportOptions {
        for_zero_height: args.for_zero_height,
        modules: (!args.modules_to_export.is_empty()).then(|| args.modules_to_export.clone()),
        app_name: "appd".into(),
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
