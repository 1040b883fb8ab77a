//! `<home>/data/upgrade-info.json`, the file cosmovisor watches.

use std::io::Write;
use std::path::Path;

use serde::Serialize;

use super::Plan;

/// The cosmovisor format: `{"name","time","height","info"}`.
#[derive(Serialize)]
struct UpgradeInfo<'a> {
    name: &'a str,
    time: &'a str,
    height: u64,
    info: &'a str,
}

/// Writes the plan to `path` (mode 0600 on Unix), as Cosmos does when it
/// halts for an upgrade.
///
/// # Errors
///
/// The file cannot be written.
pub fn write_upgrade_info(path: &Path, plan: &Plan) -> std::io::Result<()> {
    let body = serde_json::to_vec(&UpgradeInfo {
        name: &plan.name,
        time: "0001-01-01T00:00:00Z",
        height: plan.height,
        info: &plan.info,
    })
    .map_err(std::io::Error::other)?;
    if let Some(dir) = path.parent() {
        std::fs::create_dir_all(dir)?;
    }
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create(true).truncate(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        options.mode(0o600);
    }
    let mut file = options.open(path)?;
    file.write_all(&body)?;
    file.sync_all()
}
