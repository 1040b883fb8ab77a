//! The upgrade messages in protobuf, as transactions carry them: the SDK's
//! `cosmos.upgrade.v1beta1.MsgSoftwareUpgrade` and `MsgCancelUpgrade`
//! (cosmos-sdk-proto's types), and this runtime's `MsgUpdateAuthority`
//! (`authority = 1`, `new_authority = 2`), each to and from the JSON
//! [`Msg`] the keeper runs.

use cosmos_sdk_proto::Any;
use cosmos_sdk_proto::cosmos::upgrade::v1beta1::{
    MsgCancelUpgrade, MsgSoftwareUpgrade, Plan as ProtoPlan,
};
use cosmos_sdk_proto::prost::bytes::{Buf, BufMut};
use cosmos_sdk_proto::prost::encoding::{DecodeContext, WireType, string};
use cosmos_sdk_proto::prost::{DecodeError, Message};

use super::messages::{MSG_CANCEL_UPGRADE, MSG_SOFTWARE_UPGRADE, MSG_UPDATE_AUTHORITY};
use super::{Plan, cancel_upgrade_msg, software_upgrade_msg, update_authority_msg};
use crate::tx::{DecodedMsg, Msg};

/// `upgrade_runtime.upgrade.v1.MsgUpdateAuthority`.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct MsgUpdateAuthority {
    /// The current authority (the signer).
    pub authority: String,
    /// The account that becomes the authority.
    pub new_authority: String,
}

impl Message for MsgUpdateAuthority {
    fn encode_raw(&self, buf: &mut impl BufMut) {
        if !self.authority.is_empty() {
            string::encode(1, &self.authority, buf);
        }
        if !self.new_authority.is_empty() {
            string::encode(2, &self.new_authority, buf);
        }
    }

    fn merge_field(
        &mut self,
        tag: u32,
        wire_type: WireType,
        buf: &mut impl Buf,
        ctx: DecodeContext,
    ) -> Result<(), DecodeError> {
        match tag {
            1 => string::merge(wire_type, &mut self.authority, buf, ctx),
            2 => string::merge(wire_type, &mut self.new_authority, buf, ctx),
            _ => cosmos_sdk_proto::prost::encoding::skip_field(wire_type, tag, buf, ctx),
        }
    }

    fn encoded_len(&self) -> usize {
        let field = |tag, s: &String| {
            if s.is_empty() {
                0
            } else {
                string::encoded_len(tag, s)
            }
        };
        field(1, &self.authority) + field(2, &self.new_authority)
    }

    fn clear(&mut self) {
        *self = Self::default();
    }
}

/// Decodes an upgrade message's protobuf `value`; `None` for other types.
pub fn decode_upgrade_msg(type_url: &str, value: &[u8]) -> Option<Result<DecodedMsg, String>> {
    let failed = |e: DecodeError| format!("{type_url}: {e}");
    Some(match type_url {
        MSG_SOFTWARE_UPGRADE => MsgSoftwareUpgrade::decode(value)
            .map_err(failed)
            .and_then(|m| {
                let plan = m
                    .plan
                    .ok_or_else(|| format!("{type_url}: plan is missing"))?;
                let height = u64::try_from(plan.height)
                    .map_err(|_| format!("{type_url}: plan.height {} is negative", plan.height))?;
                let plan = Plan {
                    name: plan.name,
                    height,
                    info: plan.info,
                };
                Ok((software_upgrade_msg(&m.authority, &plan), m.authority))
            }),
        MSG_CANCEL_UPGRADE => MsgCancelUpgrade::decode(value)
            .map_err(failed)
            .map(|m| (cancel_upgrade_msg(&m.authority), m.authority)),
        MSG_UPDATE_AUTHORITY => MsgUpdateAuthority::decode(value).map_err(failed).map(|m| {
            (
                update_authority_msg(&m.authority, &m.new_authority),
                m.authority,
            )
        }),
        _ => return None,
    })
}

/// Encodes an upgrade message as the `Any` a transaction body carries.
///
/// # Errors
///
/// Not an upgrade message, or its JSON fields are not the SDK's.
pub fn encode_upgrade_msg(msg: &Msg) -> Result<Any, String> {
    let field = |name: &str| {
        msg.value
            .get(name)
            .and_then(serde_json::Value::as_str)
            .map(str::to_owned)
            .ok_or_else(|| format!("{}: {name} is missing", msg.type_url))
    };
    let value = match msg.type_url.as_str() {
        MSG_SOFTWARE_UPGRADE => {
            let plan: Plan =
                serde_json::from_value(msg.value.get("plan").cloned().unwrap_or_default())
                    .map_err(|e| format!("{}: plan: {e}", msg.type_url))?;
            MsgSoftwareUpgrade {
                authority: field("authority")?,
                plan: Some(ProtoPlan {
                    name: plan.name,
                    height: i64::try_from(plan.height).map_err(|e| e.to_string())?,
                    info: plan.info,
                    ..ProtoPlan::default()
                }),
            }
            .encode_to_vec()
        }
        MSG_CANCEL_UPGRADE => MsgCancelUpgrade {
            authority: field("authority")?,
        }
        .encode_to_vec(),
        MSG_UPDATE_AUTHORITY => MsgUpdateAuthority {
            authority: field("authority")?,
            new_authority: field("new_authority")?,
        }
        .encode_to_vec(),
        other => return Err(format!("{other} is not an upgrade message")),
    };
    Ok(Any {
        type_url: msg.type_url.clone(),
        value,
    })
}
