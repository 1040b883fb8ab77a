//! The upgrade keeper: plans, done history, app version, store upgrades,
//! handlers, the pre-block check and `upgrade-info.json`.

mod authority;
mod check;
mod dry_run;
mod error;
mod handler;
mod info_file;
mod keeper;
mod ledger;
mod messages;
mod plan;
mod proto;
mod store_upgrades;

pub use authority::{AUTHORITY_KEY, authority, set_authority};
pub use check::{CheckError, ReleaseSpec, check_releases};
pub use dry_run::{DryRun, StoreDiff, dry_run};
pub use error::UpgradeError;
pub use handler::{Upgrade, UpgradeContext, UpgradeHandler, UpgradeRegistry};
pub use info_file::write_upgrade_info;
pub use keeper::{
    AppliedUpgrade, PreBlock, apply_upgrade, apply_upgrade_with, pre_block, release_version,
    schedule, validate_plan,
};
pub use ledger::{LEDGER_PREFIX, LedgerEntry, ModuleChange, keys_touched, ledger};
pub use messages::{
    MSG_CANCEL_UPGRADE, MSG_SOFTWARE_UPGRADE, MSG_UPDATE_AUTHORITY, cancel_upgrade_msg,
    handle_upgrade_msg, is_upgrade_msg, software_upgrade_msg, update_authority_msg,
};
pub use plan::{
    APP_VERSION_KEY, DONE_PREFIX, DoneRecord, PLAN_KEY, Plan, app_version, clear_plan, done_height,
    done_history, pending_plan, record_done, set_app_version, set_plan,
};
pub use proto::{MsgUpdateAuthority, decode_upgrade_msg, encode_upgrade_msg};
pub use store_upgrades::{ModuleRename, StoreRename, StoreUpgradeReport, StoreUpgrades};
