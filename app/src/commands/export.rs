//! `appd export`.

use anyhow::Context;

use crate::cli::ExportArgs;
use crate::home::Home;
use crate::node::open_for_reading;

/// Runs the command.
pub fn run(args: ExportArgs) -> anyhow::Result<()> {
    let home = Home::new(&args.home.home);
    let app = open_for_reading(&home)?;
    let genesis = app.export_genesis()?;
    let json = serde_json::to_vec_pretty(&genesis)?;
    match &args.output_document {
        Some(path) => {
            std::fs::write(path, &json)
                .with_context(|| format!("cannot write {}", path.display()))?;
            eprintln!(
                "exported height {} to {}",
                genesis.initial_height - 1,
                path.display()
            );
        }
        None => println!("{}", String::from_utf8_lossy(&json)),
    }
    Ok(())
}
