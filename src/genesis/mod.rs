//! Genesis documents: the Cosmos `AppGenesis` file and its sections.

mod document;
mod upgrade_section;

pub use document::{AppGenesis, GenesisFileError};
pub use upgrade_section::{DoneUpgrade, ModuleVersion, UpgradeSection};

/// The `app_state` key of the runtime's own section.
pub const UPGRADE_SECTION: &str = "upgrade";
