//! Authenticating Cosmos transactions (`cosmos.tx.v1beta1.TxRaw`,
//! SIGN_MODE_DIRECT, secp256k1), as the SDK's decoder and ante handler do
//! (`x/auth/ante/sigverify.go`: `SetPubKeyDecorator`,
//! `SigVerificationDecorator`, `IncrementSequenceDecorator`), with the
//! SDK's error codes and messages (`types/errors/errors.go`):
//!
//! one signer (multisig is not modelled); every message's signer is that
//! account; its public key (given in the signer info, or stored from its
//! first transaction) must derive its address (RIPEMD-160 of SHA-256 of
//! the compressed key); the sequence must be the account's; the 64-byte
//! low-S signature is over SHA-256 of the `SignDoc` (body bytes, auth info
//! bytes, chain id, the account's number). Then the sequence goes up by one
//! and a first public key is stored. Fees are optional and not charged.

use base64::Engine;
use cosmos_sdk_proto::cosmos::crypto::secp256k1::PubKey;
use cosmos_sdk_proto::cosmos::tx::signing::v1beta1::SignMode;
use cosmos_sdk_proto::cosmos::tx::v1beta1::{
    AuthInfo, SignDoc, TxBody, TxRaw, mode_info::Sum as ModeSum,
};
use cosmos_sdk_proto::prost::Message;
use k256::ecdsa::signature::Verifier;
use k256::ecdsa::{Signature, VerifyingKey};
use ripemd::Ripemd160;
use serde_json::{Value, json};
use sha2::{Digest, Sha256};
use upgrade_runtime::manager::CODE_TX_DECODE as TX_DECODE;
use upgrade_runtime::{Context, Tx, TxEnv, TxRejection};

use super::account::Account;
use super::keys::Encoding;
use super::query;
use crate::address::Address;

/// `@type` of a secp256k1 public key.
pub const SECP256K1_PUBKEY: &str = "/cosmos.crypto.secp256k1.PubKey";
/// Most messages one transaction may carry.
pub const MAX_MSGS: usize = 256;

const UNAUTHORIZED: u32 = 4;
const INVALID_ADDRESS: u32 = 7;
const INVALID_PUBKEY: u32 = 8;
const UNKNOWN_ADDRESS: u32 = 9;
const TOO_MANY_SIGNATURES: u32 = 14;
const NO_SIGNATURES: u32 = 15;
const INVALID_REQUEST: u32 = 18;
const TX_TIMEOUT_HEIGHT: u32 = 30;
const UNKNOWN_EXTENSION: u32 = 31;
const WRONG_SEQUENCE: u32 = 32;

fn reject(code: u32, log: impl Into<String>) -> TxRejection {
    TxRejection::new(code, log)
}

/// Decodes a `TxRaw` and the body and auth info it carries.
///
/// # Errors
///
/// Code 2, naming the part that does not decode.
pub fn decode(bytes: &[u8]) -> Result<(TxRaw, TxBody, AuthInfo), TxRejection> {
    let parse = |what: &str, e: cosmos_sdk_proto::prost::DecodeError| {
        reject(TX_DECODE, format!("{what}: {e}: tx parse error"))
    };
    let raw = TxRaw::decode(bytes).map_err(|e| parse("TxRaw", e))?;
    // Unknown or repeated fields are not signed: bytes that are not the
    // canonical encoding of what they decode to could be altered freely.
    if raw.encode_to_vec() != bytes {
        return Err(reject(
            TX_DECODE,
            "the transaction bytes are not a canonical TxRaw encoding: tx parse error",
        ));
    }
    let body = TxBody::decode(raw.body_bytes.as_slice()).map_err(|e| parse("TxBody", e))?;
    let auth_info =
        AuthInfo::decode(raw.auth_info_bytes.as_slice()).map_err(|e| parse("AuthInfo", e))?;
    Ok((raw, body, auth_info))
}

/// The address of a compressed secp256k1 key: RIPEMD-160(SHA-256(key)).
pub fn address_of(public_key: &[u8]) -> Address {
    let digest = Ripemd160::digest(Sha256::digest(public_key));
    Address::from_bytes(&digest).unwrap_or_else(|_| unreachable!("20 bytes is an address length"))
}

/// Authenticates `bytes` against the accounts in `ctx`'s store (auth's).
///
/// # Errors
///
/// The SDK's rejection: decode (2), signature (4), address (7), public key
/// (8), unknown account (9), signature count (14, 15), request (18),
/// sequence (32).
pub fn authenticate(
    ctx: &mut Context<'_>,
    encoding: Encoding,
    bytes: &[u8],
    env: &TxEnv<'_>,
) -> Result<Tx, TxRejection> {
    let (raw, body, auth_info) = decode(bytes)?;
    if body.messages.is_empty() {
        return Err(reject(
            INVALID_REQUEST,
            "must contain at least one message: invalid request",
        ));
    }
    if body.messages.len() > MAX_MSGS {
        return Err(reject(
            INVALID_REQUEST,
            format!(
                "{} messages, at most {MAX_MSGS} per transaction: invalid request",
                body.messages.len()
            ),
        ));
    }
    if body.timeout_height != 0 && ctx.height() > body.timeout_height {
        return Err(reject(
            TX_TIMEOUT_HEIGHT,
            format!(
                "block height {} is past the transaction's timeout height {}: tx timeout height",
                ctx.height(),
                body.timeout_height
            ),
        ));
    }
    if !body.extension_options.is_empty() || !body.non_critical_extension_options.is_empty() {
        return Err(reject(
            UNKNOWN_EXTENSION,
            "extension options are not supported: unknown extension options",
        ));
    }
    if raw.signatures.is_empty() || auth_info.signer_infos.is_empty() {
        return Err(reject(NO_SIGNATURES, "no signatures supplied"));
    }
    if raw.signatures.len() != 1 || auth_info.signer_infos.len() != 1 {
        return Err(reject(
            TOO_MANY_SIGNATURES,
            "one signer per transaction (multisig is not supported): maximum number of signatures exceeded",
        ));
    }
    let mut msgs = Vec::with_capacity(body.messages.len());
    let mut signer: Option<String> = None;
    for any in &body.messages {
        let decoded = (env.decode_msg)(&any.type_url, &any.value).ok_or_else(|| {
            reject(
                TX_DECODE,
                format!(
                    "unable to resolve type URL {}: tx parse error",
                    any.type_url
                ),
            )
        })?;
        let (msg, msg_signer) =
            decoded.map_err(|e| reject(TX_DECODE, format!("{e}: tx parse error")))?;
        match &signer {
            Some(s) if *s != msg_signer => {
                return Err(reject(
                    UNAUTHORIZED,
                    format!(
                        "messages have different signers ({s}, {msg_signer}); one signer per transaction: unauthorized"
                    ),
                ));
            }
            _ => signer = Some(msg_signer),
        }
        msgs.push(msg);
    }
    let signer = signer.unwrap_or_default();
    let address = Address::parse(&signer).map_err(|e| {
        reject(
            INVALID_ADDRESS,
            format!("invalid signer address: {e}: invalid address"),
        )
    })?;
    let Some(mut account) = query::load(&ctx.own(), encoding, &address)
        .map_err(|e| reject(UNAUTHORIZED, e.to_string()))?
    else {
        return Err(reject(
            UNKNOWN_ADDRESS,
            format!("account {signer} does not exist: unknown address"),
        ));
    };
    let Account::Base(base) = &mut account else {
        return Err(reject(
            UNAUTHORIZED,
            format!(
                "account {signer} is a {} and cannot sign: unauthorized",
                account.type_url()
            ),
        ));
    };
    let info = &auth_info.signer_infos[0];
    let key = match (&info.public_key, &base.pub_key) {
        (Some(any), _) if any.type_url == SECP256K1_PUBKEY => {
            PubKey::decode(any.value.as_slice())
                .map_err(|e| reject(INVALID_PUBKEY, format!("{e}: invalid pubkey")))?
                .key
        }
        (Some(any), _) => {
            return Err(reject(
                INVALID_PUBKEY,
                format!(
                    "unsupported public key type {}: invalid pubkey",
                    any.type_url
                ),
            ));
        }
        (None, Some(stored)) => stored_key(stored)?,
        (None, None) => {
            return Err(reject(
                INVALID_PUBKEY,
                "pubkey on account is not set: invalid pubkey",
            ));
        }
    };
    if key.len() != 33 {
        return Err(reject(
            INVALID_PUBKEY,
            format!(
                "a secp256k1 public key is 33 bytes (compressed), got {}: invalid pubkey",
                key.len()
            ),
        ));
    }
    if address_of(&key) != address {
        return Err(reject(
            INVALID_PUBKEY,
            format!(
                "pubKey does not match signer address {signer} with signer index: 0: invalid pubkey"
            ),
        ));
    }
    if base.pub_key.is_some() && base.pub_key != Some(pubkey_json(&key)) {
        return Err(reject(
            INVALID_PUBKEY,
            "the signer's public key is not the one its account has: invalid pubkey",
        ));
    }
    let direct = matches!(
        info.mode_info.as_ref().and_then(|m| m.sum.as_ref()),
        Some(ModeSum::Single(single)) if single.mode == SignMode::Direct as i32
    );
    if !direct {
        return Err(reject(
            UNAUTHORIZED,
            "only SIGN_MODE_DIRECT signatures are accepted: unauthorized",
        ));
    }
    if info.sequence != base.sequence {
        return Err(reject(
            WRONG_SEQUENCE,
            format!(
                "account sequence mismatch, expected {}, got {}: incorrect account sequence",
                base.sequence, info.sequence
            ),
        ));
    }
    let sign_doc = SignDoc {
        body_bytes: raw.body_bytes.clone(),
        auth_info_bytes: raw.auth_info_bytes.clone(),
        chain_id: env.chain_id.to_owned(),
        account_number: base.account_number,
    }
    .encode_to_vec();
    let failed = || {
        reject(
            UNAUTHORIZED,
            format!(
                "signature verification failed; please verify account number ({}), sequence ({}) and chain-id ({}): unauthorized",
                base.account_number, base.sequence, env.chain_id
            ),
        )
    };
    let verifying = VerifyingKey::from_sec1_bytes(&key)
        .map_err(|_| reject(INVALID_PUBKEY, "not a secp256k1 public key: invalid pubkey"))?;
    let signature = Signature::from_slice(&raw.signatures[0]).map_err(|_| failed())?;
    if signature.normalize_s().is_some() {
        // A high-S signature is the same signature twice: refused, as in Cosmos.
        return Err(failed());
    }
    verifying
        .verify(&sign_doc, &signature)
        .map_err(|_| failed())?;
    base.sequence = base.sequence.checked_add(1).ok_or_else(|| {
        reject(
            WRONG_SEQUENCE,
            "the account's sequence is exhausted: incorrect account sequence",
        )
    })?;
    if base.pub_key.is_none() {
        base.pub_key = Some(pubkey_json(&key));
    }
    ctx.store()
        .set(encoding.account_key(&address), account.encode());
    Ok(Tx { signer, msgs })
}

/// The `Any` JSON of a secp256k1 public key, as accounts export it.
pub fn pubkey_json(key: &[u8]) -> Value {
    json!({"@type": SECP256K1_PUBKEY, "key": base64::engine::general_purpose::STANDARD.encode(key)})
}

fn stored_key(stored: &Value) -> Result<Vec<u8>, TxRejection> {
    let bad = || {
        reject(
            INVALID_PUBKEY,
            "the account's stored public key is not a secp256k1 key: invalid pubkey",
        )
    };
    if stored.get("@type").and_then(Value::as_str) != Some(SECP256K1_PUBKEY) {
        return Err(bad());
    }
    let text = stored.get("key").and_then(Value::as_str).ok_or_else(bad)?;
    base64::engine::general_purpose::STANDARD
        .decode(text)
        .map_err(|_| bad())
}
