//! `MsgSend`: move coins from the signer to an existing account.
//!
//! Bank may read auth's store but not write it, so the recipient must
//! already be an account (Cosmos would create one; that would be a write to
//! auth's store). Supply does not change.

use serde::Deserialize;
use serde_json::{Map, Value};
use upgrade_runtime::{Context, ModuleError, Msg};

use super::keys::Encoding;
use super::params::{BankParams, SendEnabled};
use super::query::balance_at;
use crate::address::Address;
use crate::auth;
use crate::coin::{Coin, CoinJson, coins_to_json, parse_coins};
use upgrade_runtime::json::{describe, parse_at};

/// Type URL of [`MsgSend`].
pub const MSG_SEND: &str = "/cosmos.bank.v1beta1.MsgSend";

/// A validated `MsgSend`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct MsgSend {
    /// Sender; must be the transaction's signer.
    pub from_address: Address,
    /// Recipient; must be an existing account.
    pub to_address: Address,
    /// What to send: sorted by denom, unique, positive, not empty.
    pub amount: Vec<Coin>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct MsgSendJson {
    from_address: String,
    to_address: String,
    amount: Vec<CoinJson>,
}

impl MsgSend {
    /// Parses and checks the message's fields (Cosmos' `ValidateBasic`).
    ///
    /// # Errors
    ///
    /// [`ModuleError::Rejected`] naming the field and the problem.
    pub fn from_msg(msg: &Msg) -> Result<Self, ModuleError> {
        let reject = |e: String| ModuleError::Rejected(format!("invalid {MSG_SEND}: {e}"));
        let raw: MsgSendJson =
            parse_at(&Value::Object(msg.value.clone()), "").map_err(|e| reject(describe(&e)))?;
        let from_address =
            Address::parse(&raw.from_address).map_err(|e| reject(format!("from_address: {e}")))?;
        let to_address =
            Address::parse(&raw.to_address).map_err(|e| reject(format!("to_address: {e}")))?;
        let amount = parse_coins(&raw.amount, "amount").map_err(|e| reject(describe(&e)))?;
        if amount.is_empty() {
            return Err(reject("amount: nothing to send".into()));
        }
        Ok(MsgSend {
            from_address,
            to_address,
            amount,
        })
    }

    /// The message in its `Any` JSON shape, ready for a [`upgrade_runtime::Tx`].
    pub fn to_msg(&self) -> Msg {
        let mut value = Map::new();
        value.insert(
            "from_address".into(),
            Value::String(self.from_address.to_bech32()),
        );
        value.insert(
            "to_address".into(),
            Value::String(self.to_address.to_bech32()),
        );
        value.insert("amount".into(), coins_to_json(&self.amount));
        Msg {
            type_url: MSG_SEND.to_owned(),
            value,
        }
    }
}

/// Executes a send signed by `signer`.
pub(crate) fn send(
    ctx: &mut Context<'_>,
    encoding: Encoding,
    signer: &str,
    msg: &MsgSend,
) -> Result<(), ModuleError> {
    if Address::parse(signer).ok().as_ref() != Some(&msg.from_address) {
        return Err(ModuleError::Rejected(format!(
            "from_address {} is not the signer {signer}; only the owner can send its coins",
            msg.from_address
        )));
    }
    if !auth::has_account(&ctx.read(auth::NAME)?, &msg.to_address)? {
        return Err(ModuleError::Rejected(format!(
            "recipient {} is not an existing account; bank cannot create accounts",
            msg.to_address
        )));
    }
    check_send_enabled(ctx, encoding, &msg.amount)?;
    for coin in &msg.amount {
        let have = balance_at(&ctx.own(), encoding, &msg.from_address, &coin.denom)?;
        let Some(left) = have.checked_sub(coin.amount) else {
            return Err(ModuleError::Rejected(format!(
                "insufficient funds: {} has {} {} but the send needs {}",
                msg.from_address, have, coin.denom, coin.amount
            )));
        };
        write_balance(ctx, encoding, &msg.from_address, &coin.denom, have, left)?;
    }
    for coin in &msg.amount {
        let have = balance_at(&ctx.own(), encoding, &msg.to_address, &coin.denom)?;
        let total = have.checked_add(coin.amount).ok_or_else(|| {
            ModuleError::Rejected(format!(
                "balance of {} in {} would overflow",
                msg.to_address, coin.denom
            ))
        })?;
        write_balance(ctx, encoding, &msg.to_address, &coin.denom, have, total)?;
    }
    Ok(())
}

/// Sets the balance of `address` in `denom` from `before` to `after`. Zero
/// balances are deleted, as Cosmos does, so they never reach an export.
/// Where the encoding keeps the denom -> owner index, the entry is added
/// when the balance becomes positive and removed when it becomes zero, so
/// the index always lists exactly the positive balances.
pub(crate) fn write_balance(
    ctx: &mut Context<'_>,
    encoding: Encoding,
    address: &Address,
    denom: &str,
    before: u128,
    after: u128,
) -> Result<(), ModuleError> {
    let key = encoding.balance_key(address, denom);
    let mut store = ctx.store();
    if let Some(index) = encoding
        .denom_owner_key(denom, address)
        .map_err(|e| ModuleError::Rejected(format!("invalid {MSG_SEND}: {e}")))?
    {
        match (before, after) {
            (0, 1..) => store.set(index, Vec::new()),
            (1.., 0) => store.delete(index),
            _ => {}
        }
    }
    if after == 0 {
        store.delete(key);
    } else {
        store.set(key, after.to_string());
    }
    Ok(())
}

fn check_send_enabled(
    ctx: &Context<'_>,
    encoding: Encoding,
    amount: &[Coin],
) -> Result<(), ModuleError> {
    let reader = ctx.own();
    let decode = |key: &[u8]| -> Result<Option<Vec<u8>>, ModuleError> { Ok(reader.get(key)?) };
    let params: BankParams = match decode(encoding.params_key())? {
        Some(bytes) => serde_json::from_slice(&bytes).map_err(|e| {
            ModuleError::corrupt(reader.name(), encoding.params_key(), e.to_string())
        })?,
        None => BankParams::default(),
    };
    let switches: Vec<SendEnabled> = match decode(encoding.send_enabled_key())? {
        Some(bytes) => serde_json::from_slice(&bytes).map_err(|e| {
            ModuleError::corrupt(reader.name(), encoding.send_enabled_key(), e.to_string())
        })?,
        None => Vec::new(),
    };
    match amount
        .iter()
        .find(|c| !params.is_send_enabled(&switches, &c.denom))
    {
        Some(coin) => Err(ModuleError::Rejected(format!(
            "{} transfers are currently disabled",
            coin.denom
        ))),
        None => Ok(()),
    }
}

/// Decodes a protobuf `cosmos.bank.v1beta1.MsgSend` into its JSON form and
/// its signer (`from_address`).
///
/// # Errors
///
/// The bytes are not a `MsgSend`.
pub fn decode_send(value: &[u8]) -> Result<upgrade_runtime::DecodedMsg, String> {
    use cosmos_sdk_proto::prost::Message;
    let m = cosmos_sdk_proto::cosmos::bank::v1beta1::MsgSend::decode(value)
        .map_err(|e| format!("{MSG_SEND}: {e}"))?;
    let amount: Vec<Value> = m
        .amount
        .iter()
        .map(|c| serde_json::json!({"denom": c.denom, "amount": c.amount}))
        .collect();
    let mut fields = serde_json::Map::new();
    fields.insert("from_address".into(), m.from_address.clone().into());
    fields.insert("to_address".into(), m.to_address.into());
    fields.insert("amount".into(), Value::Array(amount));
    Ok((
        Msg {
            type_url: MSG_SEND.into(),
            value: fields,
        },
        m.from_address,
    ))
}
