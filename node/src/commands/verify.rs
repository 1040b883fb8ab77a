//! `verify`: the committed app hash recomputed from the stored state.

use std::time::Instant;

use anyhow::Context;
use serde_json::json;
use upgrade_runtime::app::App;
use upgrade_runtime::store::VerifyReport;

use crate::chain::Chain;
use crate::cli::{OutputFormat, StatusArgs};

/// Runs the command.
pub fn run(chain: &Chain, args: StatusArgs) -> anyhow::Result<()> {
    let home = chain.home(&args.home);
    let app = chain.open_for_reading(&home)?;
    let started = Instant::now();
    let report = check(&app, &home.state_file())?;
    let seconds = started.elapsed().as_secs_f64();
    match args.output {
        OutputFormat::Json => println!(
            "{}",
            serde_json::to_string_pretty(&json!({
                "verified": true,
                "height": report.height,
                "app_hash": report.app_hash.to_hex(),
                "triples": report.triples,
                "bytes": report.bytes,
                "seconds": seconds,
            }))?
        ),
        OutputFormat::Text => println!(
            "verified: the {} stored triples ({} bytes) hash to the app hash {} committed at height {} ({seconds:.2} s)",
            report.triples, report.bytes, report.app_hash, report.height
        ),
    }
    Ok(())
}

/// Verifies `app`'s state, naming the file on failure.
///
/// # Errors
///
/// The state does not hash to its committed app hash, or cannot be read.
pub fn check(app: &App, state_file: &std::path::Path) -> anyhow::Result<VerifyReport> {
    app.storage()
        .verify()
        .with_context(|| format!("verification of {} failed", state_file.display()))
}
