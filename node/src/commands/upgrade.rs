//! `upgrade schedule|cancel|show|check`.

use serde_json::json;
use upgrade_runtime::VersionMap;
use upgrade_runtime::app::ledger_meta_key;
use upgrade_runtime::upgrade::{
    Plan, app_version, cancel_upgrade_msg, done_history, ledger, pending_plan, software_upgrade_msg,
};

use crate::chain::Chain;
use crate::cli::{HomeArg, OutputFormat, TxArgs, UpgradeCommand};
use crate::commands::tx::submit_upgrade_msg;
use crate::home::Home;

/// Runs the command.
pub fn run(chain: &Chain, command: UpgradeCommand) -> anyhow::Result<()> {
    match command {
        UpgradeCommand::Schedule {
            home,
            name,
            height,
            info,
            from,
        } => {
            let plan = Plan { name, height, info };
            let what = format!("schedule upgrade {plan}");
            submit_upgrade_msg(chain, &from, &tx_args(home), &what, |authority| {
                software_upgrade_msg(authority, &plan)
            })
        }
        UpgradeCommand::Cancel { home, from } => submit_upgrade_msg(
            chain,
            &from,
            &tx_args(home),
            "cancel the pending upgrade",
            cancel_upgrade_msg,
        ),
        UpgradeCommand::Show { home, output } => show(chain, &chain.home(&home), output),
        UpgradeCommand::Plan { home, name, output } => {
            crate::commands::plan::run(chain, &chain.home(&home), &name, output)
        }
        UpgradeCommand::Check => {
            chain.check_releases()?;
            println!(
                "upgrade check passed for releases {}",
                chain.releases().names().join(" -> ")
            );
            Ok(())
        }
    }
}

/// Signs with the key `from` and queues the authority's transaction
/// scheduling `plan`.
///
/// # Errors
///
/// As `upgrade schedule`.
pub fn submit_schedule(chain: &Chain, home: &Home, from: &str, plan: &Plan) -> anyhow::Result<()> {
    let tx = tx_args(HomeArg {
        home: Some(home.root().display().to_string()),
    });
    submit_upgrade_msg(
        chain,
        from,
        &tx,
        &format!("schedule upgrade {plan}"),
        |authority| software_upgrade_msg(authority, plan),
    )
}

fn tx_args(home: HomeArg) -> TxArgs {
    TxArgs {
        home,
        chain_id: None,
        sequence: None,
        account_number: None,
        generate_only: false,
        keyring_backend: Default::default(),
    }
}

fn show(chain: &Chain, home: &Home, output: OutputFormat) -> anyhow::Result<()> {
    let app = chain.open_for_reading(home)?;
    let snapshot = app.snapshot()?;
    let plan = pending_plan(&snapshot)?;
    let done = done_history(&snapshot)?;
    let versions = VersionMap::load(&snapshot)?;
    let version = app_version(&snapshot)?;
    let mut entries = Vec::new();
    for entry in ledger(&snapshot)? {
        let local: Option<serde_json::Value> = app
            .storage()
            .node_meta(&ledger_meta_key(entry.height))?
            .and_then(|b| serde_json::from_slice(&b).ok());
        let mut value = serde_json::to_value(&entry)?;
        // The node-local part, known on the node that applied the upgrade:
        // keys touched and duration as recorded, the hashes around the
        // upgrade from this node's hash history.
        if let (Some(obj), Some(local)) = (value.as_object_mut(), local) {
            let hash_at = |h: u64| -> anyhow::Result<serde_json::Value> {
                Ok(app.storage().app_hash_at(h)?.map(|a| a.to_hex()).into())
            };
            obj.insert("keys_touched".into(), local["keys_touched"].clone());
            obj.insert(
                "app_hash_before".into(),
                hash_at(entry.height.saturating_sub(1))?,
            );
            obj.insert("app_hash_after".into(), hash_at(entry.height)?);
            obj.insert("seconds".into(), local["seconds"].clone());
        }
        entries.push(value);
    }
    match output {
        OutputFormat::Json => println!(
            "{}",
            serde_json::to_string_pretty(&json!({
                "pending_plan": plan,
                "done": done,
                "app_version": version,
                "version_map": versions,
                "ledger": entries,
            }))?
        ),
        OutputFormat::Text => {
            match &plan {
                Some(p) => println!(
                    "pending plan: {} at height {} ({})",
                    p.name, p.height, p.info
                ),
                None => println!("pending plan: none"),
            }
            println!("app version:  {version}");
            println!("done:");
            for d in &done {
                println!("  {} at height {}", d.name, d.height);
            }
            println!("version map:");
            for (m, v) in versions.iter() {
                println!("  {m}: {v}");
            }
            println!("ledger:");
            for e in &entries {
                let modules: Vec<String> = e["modules"]
                    .as_array()
                    .into_iter()
                    .flatten()
                    .map(|m| {
                        format!(
                            "{} {}->{}",
                            m["module"].as_str().unwrap_or("?"),
                            m["from"],
                            m["to"]
                        )
                    })
                    .collect();
                let seconds = e["seconds"]
                    .as_f64()
                    .map_or("unknown".to_owned(), |s| format!("{s:.3}s"));
                println!(
                    "  {} at height {}: {}; keys touched {}; took {seconds}",
                    e["name"].as_str().unwrap_or("?"),
                    e["height"],
                    modules.join(", "),
                    e["keys_touched"]
                );
            }
        }
    }
    Ok(())
}
