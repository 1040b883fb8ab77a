//! Adding funded accounts to a genesis `app_state`, as the SDK's `genesis
//! add-genesis-account` does: a new base account (next account number, no
//! public key, sequence 0) unless the address has one, the coins added to
//! its balance, and the supply raised by as much.

use serde_json::{Map, Value, json};

use crate::address::Address;
use crate::auth::BASE_ACCOUNT_TYPE;
use crate::coin::{Coin, coins_to_json};

/// Parses `10stake,5uatom` into coins.
///
/// # Errors
///
/// A part that is not `<amount><denom>`.
pub fn parse_coin_list(text: &str) -> Result<Vec<Coin>, String> {
    text.split(',')
        .map(|part| {
            let split = part
                .find(|c: char| !c.is_ascii_digit())
                .unwrap_or(part.len());
            let (amount, denom) = part.split_at(split);
            let amount: u128 = amount
                .parse()
                .map_err(|_| format!("{part:?} is not <amount><denom>, e.g. 1000stake"))?;
            if denom.is_empty() || amount == 0 {
                return Err(format!("{part:?} is not <amount><denom>, e.g. 1000stake"));
            }
            Ok(Coin::new(denom, amount))
        })
        .collect()
}

/// Funds `address` with `coins` in `app_state` (its `auth` and `bank`
/// sections, which must exist).
///
/// # Errors
///
/// A malformed section.
pub fn fund(
    app_state: &mut Map<String, Value>,
    address: &Address,
    coins: &[Coin],
) -> Result<(), String> {
    let bech32 = address.to_bech32();
    let accounts = app_state
        .get_mut("auth")
        .and_then(|a| a.get_mut("accounts"))
        .and_then(Value::as_array_mut)
        .ok_or("app_state.auth.accounts is missing")?;
    let has = |a: &Value| {
        a.get("address")
            .or_else(|| a.pointer("/base_account/address"))
            == Some(&Value::String(bech32.clone()))
    };
    if !accounts.iter().any(has) {
        let next = accounts
            .iter()
            .filter_map(account_number)
            .max()
            .map_or(0, |n| n + 1);
        accounts.push(json!({
            "@type": BASE_ACCOUNT_TYPE, "address": bech32, "pub_key": null,
            "account_number": next.to_string(), "sequence": "0",
        }));
    }
    let bank = app_state
        .get_mut("bank")
        .ok_or("app_state.bank is missing")?;
    let balances = bank
        .get_mut("balances")
        .and_then(Value::as_array_mut)
        .ok_or("app_state.bank.balances is missing")?;
    let position = balances
        .iter()
        .position(|b| b["address"] == Value::String(bech32.clone()));
    let mut held: Vec<Coin> = match position {
        Some(i) => crate::coin::parse_coins_json(&balances[i]["coins"])?,
        None => Vec::new(),
    };
    add(&mut held, coins);
    let entry = json!({"address": bech32, "coins": coins_to_json(&held)});
    match position {
        Some(i) => balances[i] = entry,
        None => {
            let at = balances
                .iter()
                .position(|b| {
                    b["address"]
                        .as_str()
                        .and_then(|s| Address::parse(s).ok())
                        .is_some_and(|a| a > *address)
                })
                .unwrap_or(balances.len());
            balances.insert(at, entry);
        }
    }
    let supply = bank
        .get_mut("supply")
        .ok_or("app_state.bank.supply is missing")?;
    let mut total = crate::coin::parse_coins_json(supply)?;
    add(&mut total, coins);
    *supply = coins_to_json(&total);
    Ok(())
}

/// The account number of an account of any type: wherever its base
/// account is nested (module and vesting accounts wrap it).
fn account_number(account: &Value) -> Option<u64> {
    match account {
        Value::Object(fields) => fields
            .get("account_number")
            .and_then(Value::as_str)
            .and_then(|n| n.parse().ok())
            .or_else(|| fields.values().find_map(account_number)),
        _ => None,
    }
}

fn add(held: &mut Vec<Coin>, coins: &[Coin]) {
    for coin in coins {
        match held.iter_mut().find(|c| c.denom == coin.denom) {
            Some(c) => c.amount += coin.amount,
            None => held.push(coin.clone()),
        }
    }
    held.sort_by(|a, b| a.denom.cmp(&b.denom));
}
