//! Genesis documents: the Cosmos `AppGenesis` file and its sections,
//! streaming export, and `genesis migrate`'s chained JSON migrations.
//!
//! - [`AppGenesis`]: the file. Parsing reports the JSON path of an error
//!   and refuses duplicate object keys.
//! - [`walk`]: the file read as a stream of events (sections, fields,
//!   array elements), which the streaming import consumes; a module takes
//!   its part through a [`SectionImport`].
//! - [`write_genesis`]: the streaming export, module by module, through
//!   each module's [`SectionWriter`].
//! - [`migrate`]: from the module versions a file records (its
//!   [`UpgradeSection`]) to a target release's, chaining every module's
//!   registered genesis JSON migrations.

mod copy;
mod document;
mod error;
mod export;
mod import;
mod migrate;
mod section;
mod strict;
mod upgrade_section;
mod walk;
mod walk_sections;

pub use copy::copy_without_sections;
pub use document::{AppGenesis, GenesisFileError, MAX_CHAIN_ID_LEN};
pub use error::{GenesisExportError, GenesisMigrateError};
pub use export::{
    ExportOptions, ExportSummary, SectionFill, select_modules, write_document, write_genesis,
};
pub use import::SectionImport;
pub use migrate::{GenesisMigrateReport, GenesisStep, GenesisStepAction, ReleaseStep, migrate};
pub use section::{ElementWriter, SectionWriter, collect_section};
pub use upgrade_section::{DoneUpgrade, ModuleVersion, UpgradeSection};
pub use walk::{DOCUMENT_FIELDS, GenesisEvents, SectionMode, WalkError, walk};

/// The `app_state` key of the runtime's own section.
pub const UPGRADE_SECTION: &str = "upgrade";
