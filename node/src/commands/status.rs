//! `status`.

use serde_json::json;
use upgrade_runtime::VersionMap;
use upgrade_runtime::upgrade::{app_version, pending_plan};

use crate::chain::Chain;
use crate::cli::{OutputFormat, StatusArgs};

/// Runs the command.
pub fn run(chain: &Chain, args: StatusArgs) -> anyhow::Result<()> {
    let home = chain.home(&args.home);
    let app = chain.open_for_reading(&home)?;
    let last = app
        .last_commit()
        .ok_or(upgrade_runtime::app::AppError::NotInitialised)?;
    let snapshot = app.snapshot()?;
    let version_map = VersionMap::load(&snapshot)?;
    let plan = pending_plan(&snapshot)?;
    let status = json!({
        "chain_id": app.chain_id()?,
        "height": last.height,
        "app_hash": last.app_hash.to_hex(),
        "app_version": app_version(&snapshot)?,
        "version_map": version_map,
        "pending_plan": plan,
        "store_layout": app.storage().layout(),
        "migration": crate::commands::migration::status_of(&app),
    });
    match args.output {
        OutputFormat::Json => println!("{}", serde_json::to_string_pretty(&status)?),
        OutputFormat::Text => {
            println!(
                "chain id:     {}",
                status["chain_id"].as_str().unwrap_or_default()
            );
            println!("height:       {}", last.height);
            println!("app hash:     {}", last.app_hash);
            println!("app version:  {}", status["app_version"]);
            println!("store layout: {:?}", app.storage().layout());
            let versions: Vec<String> = version_map
                .iter()
                .map(|(m, v)| format!("{m}={v}"))
                .collect();
            println!("versions:     {}", versions.join(" "));
            match &status["pending_plan"] {
                serde_json::Value::Null => println!("pending plan: none"),
                p => println!(
                    "pending plan: {} at height {}",
                    p["name"].as_str().unwrap_or_default(),
                    p["height"]
                ),
            }
        }
    }
    Ok(())
}
