//! The upgrade messages: schedule and cancel, by the authority only.

use serde::Deserialize;

use super::{Plan, UpgradeError, clear_plan, schedule};
use crate::store::StateWrite;
use crate::tx::Msg;

/// Type URL of the message that schedules a plan.
pub const MSG_SOFTWARE_UPGRADE: &str = "/cosmos.upgrade.v1beta1.MsgSoftwareUpgrade";
/// Type URL of the message that cancels the pending plan.
pub const MSG_CANCEL_UPGRADE: &str = "/cosmos.upgrade.v1beta1.MsgCancelUpgrade";

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

/// Whether the runtime's upgrade keeper handles `type_url`.
pub fn is_upgrade_msg(type_url: &str) -> bool {
    type_url == MSG_SOFTWARE_UPGRADE || type_url == MSG_CANCEL_UPGRADE
}

/// Executes an upgrade message signed by `signer`.
///
/// # Errors
///
/// [`UpgradeError::Unauthorized`] unless both the signer and the message's
/// `authority` are the configured authority; plan validation errors.
pub fn handle_upgrade_msg(
    state: &mut dyn StateWrite,
    msg: &Msg,
    signer: &str,
    authority: &str,
    height: u64,
) -> Result<(), UpgradeError> {
    let value = serde_json::Value::Object(msg.value.clone());
    let claimed = match msg.type_url.as_str() {
        MSG_SOFTWARE_UPGRADE => {
            serde_json::from_value::<SoftwareUpgrade>(value)
                .map_err(|e| UpgradeError::MalformedMsg(e.to_string()))?
                .authority
        }
        _ => {
            serde_json::from_value::<CancelUpgrade>(value)
                .map_err(|e| UpgradeError::MalformedMsg(e.to_string()))?
                .authority
        }
    };
    for who in [signer, claimed.as_str()] {
        if who != authority {
            return Err(UpgradeError::Unauthorized {
                signer: who.to_owned(),
                authority: authority.to_owned(),
            });
        }
    }
    if msg.type_url == MSG_SOFTWARE_UPGRADE {
        let parsed: SoftwareUpgrade =
            serde_json::from_value(serde_json::Value::Object(msg.value.clone()))
                .map_err(|e| UpgradeError::MalformedMsg(e.to_string()))?;
        schedule(state, &parsed.plan, height)
    } else {
        clear_plan(state);
        Ok(())
    }
}
