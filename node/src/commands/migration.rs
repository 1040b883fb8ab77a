//! `migration status`: where the lazy store migration stands.

use serde::Serialize;
use upgrade_runtime::app::App;
use upgrade_runtime::store::{Boundary, LayoutState, MigrationCounters};

use crate::chain::Chain;
use crate::cli::{MigrationCommand, OutputFormat};

/// The migration's state as reported to operators.
#[derive(Clone, Debug, Serialize)]
pub struct MigrationStatus {
    /// `not_started`, `running`, `complete`, or `none` (never started).
    pub status: &'static str,
    /// The store layout version module data is read from.
    pub store_layout: u8,
    /// `store/hex-key` of the last moved key.
    pub boundary: Option<String>,
    /// Keys moved so far.
    pub keys_moved: u64,
    /// Keys still in layout v1.
    pub keys_left: u64,
    /// Average keys moved per block since the start.
    pub rate_keys_per_block: f64,
    /// Blocks still needed at that rate.
    pub eta_blocks: Option<u64>,
    /// Height the migration started at.
    pub started_height: u64,
    /// Height it completed at (0 while running).
    pub completed_height: u64,
}

/// Builds the status of `app`'s storage.
pub fn status_of(app: &App) -> MigrationStatus {
    let counters: MigrationCounters = app.storage().migration_counters();
    let height = app.last_commit().map_or(0, |c| c.height);
    let (status, boundary) = match app.storage().layout_state() {
        LayoutState::V1 => ("none", None),
        LayoutState::V2 if counters.started_height == 0 => ("none", None),
        LayoutState::V2 => ("complete", None),
        LayoutState::Migrating(Boundary::NotStarted) => ("not_started", None),
        LayoutState::Migrating(Boundary::InProgress { store, key }) => {
            ("running", Some(format!("{store}/{}", hex::encode(key))))
        }
        LayoutState::Migrating(Boundary::Complete) => ("complete", None),
    };
    let end = if counters.completed_height > 0 {
        counters.completed_height
    } else {
        height
    };
    let blocks = end.saturating_sub(counters.started_height).max(1);
    let rate = if counters.started_height > 0 {
        counters.moved as f64 / blocks as f64
    } else {
        0.0
    };
    let eta_blocks = (status == "running" || status == "not_started").then(|| {
        if rate > 0.0 {
            (counters.left as f64 / rate).ceil() as u64
        } else {
            u64::MAX
        }
    });
    MigrationStatus {
        status,
        store_layout: app.storage().layout().to_byte(),
        boundary,
        keys_moved: counters.moved,
        keys_left: counters.left,
        rate_keys_per_block: rate,
        eta_blocks,
        started_height: counters.started_height,
        completed_height: counters.completed_height,
    }
}

/// Runs the command.
pub fn run(chain: &Chain, command: MigrationCommand) -> anyhow::Result<()> {
    match command {
        MigrationCommand::Status { home, output } => {
            let app = chain.open_for_reading(&chain.home(&home))?;
            let s = status_of(&app);
            match output {
                OutputFormat::Json => println!("{}", serde_json::to_string_pretty(&s)?),
                OutputFormat::Text => {
                    println!("status:       {}", s.status);
                    println!("store layout: v{}", s.store_layout);
                    println!("boundary:     {}", s.boundary.as_deref().unwrap_or("-"));
                    println!("keys moved:   {}", s.keys_moved);
                    println!("keys left:    {}", s.keys_left);
                    println!("rate:         {:.0} keys/block", s.rate_keys_per_block);
                    match s.eta_blocks {
                        Some(eta) => println!("eta:          {eta} blocks"),
                        None => println!("eta:          -"),
                    }
                }
            }
            Ok(())
        }
    }
}
