//! The upgrade messages: schedule, cancel, and hand the authority on, by
//! the authority only. The authority is the chain's (stored in the
//! `upgrade` store, see [`authority`](super::authority)), or the node's
//! configured default on a chain that never stored one.

use serde::Deserialize;

use super::{Plan, UpgradeError, clear_plan, schedule};
use crate::store::StateWrite;
use crate::tx::Msg;

/// Type URL of the message that schedules a plan.
pub const MSG_SOFTWARE_UPGRADE: &str = "/cosmos.upgrade.v1beta1.MsgSoftwareUpgrade";
/// Type URL of the message that cancels the pending plan.
pub const MSG_CANCEL_UPGRADE: &str = "/cosmos.upgrade.v1beta1.MsgCancelUpgrade";
/// Type URL of the message that makes another account the authority.
pub const MSG_UPDATE_AUTHORITY: &str = "/upgrade_runtime.upgrade.v1.MsgUpdateAuthority";

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct SoftwareUpgrade {
    authority: String,
    plan: Plan,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct CancelUpgrade {
    authority: String,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct UpdateAuthority {
    authority: String,
    new_authority: String,
}

/// The `MsgSoftwareUpgrade` of `authority` scheduling `plan`, in the SDK's
/// field layout (`authority`, `plan {name, height, info}`).
pub fn software_upgrade_msg(authority: &str, plan: &Plan) -> Msg {
    let mut value = serde_json::Map::new();
    value.insert("authority".into(), authority.into());
    value.insert(
        "plan".into(),
        serde_json::json!({"name": plan.name, "height": plan.height, "info": plan.info}),
    );
    Msg {
        type_url: MSG_SOFTWARE_UPGRADE.into(),
        value,
    }
}

/// The `MsgCancelUpgrade` of `authority`.
pub fn cancel_upgrade_msg(authority: &str) -> Msg {
    let mut value = serde_json::Map::new();
    value.insert("authority".into(), authority.into());
    Msg {
        type_url: MSG_CANCEL_UPGRADE.into(),
        value,
    }
}

/// The `MsgUpdateAuthority` of `authority` handing the authority to
/// `new_authority`.
pub fn update_authority_msg(authority: &str, new_authority: &str) -> Msg {
    let mut value = serde_json::Map::new();
    value.insert("authority".into(), authority.into());
    value.insert("new_authority".into(), new_authority.into());
    Msg {
        type_url: MSG_UPDATE_AUTHORITY.into(),
        value,
    }
}

/// Whether the runtime's upgrade keeper handles `type_url`.
pub fn is_upgrade_msg(type_url: &str) -> bool {
    [
        MSG_SOFTWARE_UPGRADE,
        MSG_CANCEL_UPGRADE,
        MSG_UPDATE_AUTHORITY,
    ]
    .contains(&type_url)
}

/// Executes an upgrade message signed by `signer`. The authority is the
/// chain's stored one, else `default_authority`.
///
/// # Errors
///
/// [`UpgradeError::Unauthorized`] unless both the signer and the message's
/// `authority` are the authority; plan validation errors.
pub fn handle_upgrade_msg(
    state: &mut dyn StateWrite,
    msg: &Msg,
    signer: &str,
    default_authority: &str,
    height: u64,
) -> Result<(), UpgradeError> {
    let authority = super::authority(&*state)?.unwrap_or_else(|| default_authority.to_owned());
    let value = serde_json::Value::Object(msg.value.clone());
    let malformed = |e: serde_json::Error| UpgradeError::MalformedMsg(e.to_string());
    enum Action {
        Schedule(Plan),
        Cancel,
        Hand(String),
    }
    let (claimed, action) = match msg.type_url.as_str() {
        MSG_SOFTWARE_UPGRADE => {
            let m: SoftwareUpgrade = serde_json::from_value(value).map_err(malformed)?;
            (m.authority, Action::Schedule(m.plan))
        }
        MSG_UPDATE_AUTHORITY => {
            let m: UpdateAuthority = serde_json::from_value(value).map_err(malformed)?;
            (m.authority, Action::Hand(m.new_authority))
        }
        _ => {
            let m: CancelUpgrade = serde_json::from_value(value).map_err(malformed)?;
            (m.authority, Action::Cancel)
        }
    };
    for who in [signer, claimed.as_str()] {
        if who != authority {
            return Err(UpgradeError::Unauthorized {
                signer: who.to_owned(),
                authority: authority.clone(),
            });
        }
    }
    match action {
        Action::Schedule(plan) => schedule(state, &plan, height),
        Action::Cancel => {
            clear_plan(state);
            Ok(())
        }
        Action::Hand(new) => {
            if new.is_empty() {
                return Err(UpgradeError::MalformedMsg(
                    "new_authority cannot be empty".into(),
                ));
            }
            tracing::info!(from = %authority, to = %new, "upgrade authority handed on");
            super::set_authority(state, &new);
            Ok(())
        }
    }
}
