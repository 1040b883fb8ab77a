//! Building and signing a `cosmos.tx.v1beta1.TxRaw` in SIGN_MODE_DIRECT:
//! the body and auth info are encoded once, the `SignDoc` over them (with
//! the chain id and the signer's account number) is signed with ECDSA over
//! SHA-256, and the signature is the 64-byte low-S `r || s`.

use bech32::{Bech32, Hrp};
use cosmos_sdk_proto::Any;
use cosmos_sdk_proto::cosmos::crypto::secp256k1::PubKey;
use cosmos_sdk_proto::cosmos::tx::signing::v1beta1::SignMode;
use cosmos_sdk_proto::cosmos::tx::v1beta1::mode_info::{Single, Sum};
use cosmos_sdk_proto::cosmos::tx::v1beta1::{
    AuthInfo, Fee, ModeInfo, SignDoc, SignerInfo, TxBody, TxRaw,
};
use cosmos_sdk_proto::prost::Message;
use k256::ecdsa::signature::Signer;
use k256::ecdsa::{Signature, SigningKey};
use ripemd::Ripemd160;
use sha2::{Digest, Sha256};

/// Gas limit written into transactions (this chain has no gas metering).
const GAS_LIMIT: u64 = 200_000;

/// The bech32 address of `key` under the chain's
/// [`address_prefix`](upgrade_runtime::address_prefix).
pub fn address_of(key: &SigningKey) -> String {
    let public = key.verifying_key().to_encoded_point(true);
    let digest = Ripemd160::digest(Sha256::digest(public.as_bytes()));
    let prefix = upgrade_runtime::address_prefix::get();
    // A prefix in effect was checked when it was set.
    let hrp = Hrp::parse_unchecked(prefix);
    bech32::encode::<Bech32>(hrp, &digest)
        .unwrap_or_else(|_| format!("{prefix}1<unencodable:{}>", hex::encode(digest)))
}

/// The signed transaction bytes of `msgs` by `key`, at `sequence`, for
/// account `account_number` on `chain_id`; no fee.
pub fn sign_tx(
    key: &SigningKey,
    msgs: Vec<Any>,
    memo: &str,
    sequence: u64,
    account_number: u64,
    chain_id: &str,
) -> Vec<u8> {
    let public = key.verifying_key().to_encoded_point(true);
    let body_bytes = TxBody {
        messages: msgs,
        memo: memo.to_owned(),
        ..TxBody::default()
    }
    .encode_to_vec();
    let auth_info_bytes = AuthInfo {
        signer_infos: vec![SignerInfo {
            public_key: Some(Any {
                type_url: "/cosmos.crypto.secp256k1.PubKey".into(),
                value: PubKey {
                    key: public.as_bytes().to_vec(),
                }
                .encode_to_vec(),
            }),
            mode_info: Some(ModeInfo {
                sum: Some(Sum::Single(Single {
                    mode: SignMode::Direct as i32,
                })),
            }),
            sequence,
        }],
        fee: Some(Fee {
            amount: vec![],
            gas_limit: GAS_LIMIT,
            ..Fee::default()
        }),
        ..AuthInfo::default()
    }
    .encode_to_vec();
    let sign_doc = SignDoc {
        body_bytes: body_bytes.clone(),
        auth_info_bytes: auth_info_bytes.clone(),
        chain_id: chain_id.to_owned(),
        account_number,
    }
    .encode_to_vec();
    let signature: Signature = key.sign(&sign_doc);
    let signature = signature.normalize_s().unwrap_or(signature);
    TxRaw {
        body_bytes,
        auth_info_bytes,
        signatures: vec![signature.to_bytes().to_vec()],
    }
    .encode_to_vec()
}
