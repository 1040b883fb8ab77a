//! `tx ...`: build a transaction, sign it with a key of the keyring
//! (SIGN_MODE_DIRECT), and either print it (`--generate-only`, base64
//! TxRaw) or check it against the node's state and queue it in the local
//! mempool for the next block, as `simd tx` broadcasts it.

use anyhow::{Context, bail};
use base64::Engine;
use cosmos_sdk_proto::Any;
use cosmos_sdk_proto::cosmos::bank::v1beta1::MsgSend;
use cosmos_sdk_proto::cosmos::base::v1beta1::Coin;
use cosmos_sdk_proto::prost::Message;
use serde_json::Value;
use upgrade_runtime::Msg;
use upgrade_runtime::upgrade::{
    Plan, cancel_upgrade_msg, encode_upgrade_msg, software_upgrade_msg, update_authority_msg,
};

use crate::chain::Chain;
use crate::cli::{TxArgs, TxCommand, TxUpgradeCommand};
use crate::commands::keys::keyring_of;
use crate::keys::{Keyring, sign_tx};
use crate::mempool::Mempool;

/// Runs the command.
pub fn run(chain: &Chain, command: TxCommand) -> anyhow::Result<()> {
    match command {
        TxCommand::Bank(crate::cli::TxBankCommand::Send {
            from,
            to,
            amount,
            tx,
        }) => {
            let keyring = keyring_of(chain, &tx.home);
            let from_address = keyring.resolve(&from)?;
            let coins = parse_coins(&amount)?;
            let msg = Any {
                type_url: "/cosmos.bank.v1beta1.MsgSend".into(),
                value: MsgSend {
                    from_address,
                    to_address: keyring.resolve(&to)?,
                    amount: coins,
                }
                .encode_to_vec(),
            };
            sign_and_submit(
                chain,
                &from,
                &tx,
                vec![msg],
                &format!("send {amount} to {to}"),
            )
        }
        TxCommand::Upgrade(command) => match command {
            TxUpgradeCommand::SoftwareUpgrade {
                name,
                upgrade_height,
                upgrade_info,
                from,
                tx,
            } => {
                let plan = Plan {
                    name,
                    height: upgrade_height,
                    info: upgrade_info,
                };
                let what = format!("schedule upgrade {plan}");
                submit_upgrade_msg(chain, &from, &tx, &what, |authority| {
                    software_upgrade_msg(authority, &plan)
                })
            }
            TxUpgradeCommand::CancelSoftwareUpgrade { from, tx } => submit_upgrade_msg(
                chain,
                &from,
                &tx,
                "cancel the pending upgrade",
                cancel_upgrade_msg,
            ),
            TxUpgradeCommand::UpdateAuthority {
                new_authority,
                from,
                tx,
            } => {
                let new = keyring_of(chain, &tx.home).resolve(&new_authority)?;
                let what = format!("hand the upgrade authority to {new}");
                submit_upgrade_msg(chain, &from, &tx, &what, |authority| {
                    update_authority_msg(authority, &new)
                })
            }
        },
    }
}

/// Signs with key `from` the upgrade message `build` makes for the
/// authority `from` resolves to, and prints or queues the transaction.
///
/// # Errors
///
/// As [`sign_and_submit`], or the message does not encode.
pub fn submit_upgrade_msg(
    chain: &Chain,
    from: &str,
    args: &TxArgs,
    what: &str,
    build: impl FnOnce(&str) -> Msg,
) -> anyhow::Result<()> {
    let authority = keyring_of(chain, &args.home).resolve(from)?;
    let any = encode_upgrade_msg(&build(&authority)).map_err(anyhow::Error::msg)?;
    sign_and_submit(chain, from, args, vec![any], what)
}

/// Signs `msgs` with key `from` and prints or queues the transaction.
///
/// # Errors
///
/// No such key, the account or chain id cannot be found, or the node's
/// check of the transaction refuses it (nothing is queued then).
pub fn sign_and_submit(
    chain: &Chain,
    from: &str,
    args: &TxArgs,
    msgs: Vec<Any>,
    what: &str,
) -> anyhow::Result<()> {
    let home = chain.home(&args.home);
    let key = Keyring::test(home.root()).get(from)?;
    let offline = args.generate_only
        && args.chain_id.is_some()
        && args.sequence.is_some()
        && args.account_number.is_some();
    let (app, chain_id, account_number, mut sequence) = if offline {
        (
            None,
            args.chain_id.clone().unwrap_or_default(),
            args.account_number.unwrap_or(0),
            args.sequence.unwrap_or(0),
        )
    } else {
        let app = chain.open_for_reading(&home)?;
        let chain_id = match &args.chain_id {
            Some(id) => id.clone(),
            None => app.chain_id()?,
        };
        let (number, sequence) = account_of(chain, &app, &key.address)?;
        (
            Some(app),
            chain_id,
            args.account_number.unwrap_or(number),
            args.sequence.unwrap_or(sequence),
        )
    };
    let pool = Mempool::load(&home.mempool_file())?;
    let included = crate::mempool::decode_included(match &app {
        Some(app) => app.storage().node_meta(crate::mempool::INCLUDED_META)?,
        None => None,
    });
    let pending: Vec<Vec<u8>> = pool
        .pending(included)
        .iter()
        .filter(|e| e.from == key.address)
        .map(crate::mempool::Entry::bytes)
        .collect::<anyhow::Result<_>>()?;
    if args.sequence.is_none() {
        sequence += pending.len() as u64;
    }
    let bytes = sign_tx(
        &key.signing_key()?,
        msgs,
        "",
        sequence,
        account_number,
        &chain_id,
    );
    if args.generate_only {
        println!(
            "{}",
            base64::engine::general_purpose::STANDARD.encode(&bytes)
        );
        return Ok(());
    }
    let Some(app) = app else {
        bail!("cannot submit without the node's state");
    };
    let mut queue = pending;
    queue.push(bytes.clone());
    let outcomes = app.check_txs_bytes(&queue)?;
    if let Some(last) = outcomes.last().filter(|o| o.code != 0) {
        bail!("transaction refused (code {}): {}", last.code, last.log);
    }
    let seq = Mempool::submit(&home.mempool_file(), &key.address, &bytes)?;
    println!(
        "submitted transaction #{seq} to {what}, signed by {} ({}) at sequence {sequence}; it is included in the next block (`{} start`)",
        key.name,
        key.address,
        chain.name()
    );
    Ok(())
}

/// The account number and sequence of `address`, from the chain's
/// `/cosmos.auth.v1beta1.Query/Account`.
fn account_of(
    chain: &Chain,
    app: &upgrade_runtime::app::App,
    address: &str,
) -> anyhow::Result<(u64, u64)> {
    let request = serde_json::json!({ "address": address }).to_string();
    const PATH: &str = "/cosmos.auth.v1beta1.Query/Account";
    let answer = match app.query(PATH, request.as_bytes()) {
        Some(answer) => answer.map_err(anyhow::Error::from),
        None => chain
            .extensions()
            .abci_query(app, PATH, request.as_bytes())
            .context(
                "this chain does not answer account queries: pass --account-number and --sequence",
            )?,
    }
    .with_context(|| format!("account {address} not found: fund it first"))?;
    let account = &answer["account"];
    let field = |name: &str| -> Option<u64> {
        account
            .get(name)
            .or_else(|| account.pointer(&format!("/base_account/{name}")))
            .and_then(Value::as_str)
            .and_then(|s| s.parse().ok())
    };
    match (field("account_number"), field("sequence")) {
        (Some(number), Some(sequence)) => Ok((number, sequence)),
        _ => bail!("account {address} has no account number and sequence: it cannot sign"),
    }
}

/// `10stake,5uatom`.
fn parse_coins(text: &str) -> anyhow::Result<Vec<Coin>> {
    text.split(',')
        .map(|part| {
            let split = part
                .find(|c: char| !c.is_ascii_digit())
                .unwrap_or(part.len());
            let (amount, denom) = part.split_at(split);
            if amount.is_empty() || denom.is_empty() {
                bail!("{part:?} is not <amount><denom>, e.g. 1000stake");
            }
            Ok(Coin {
                denom: denom.into(),
                amount: amount.into(),
            })
        })
        .collect()
}
