//! `appd query bank|auth`.

use anyhow::Context as _;
use app_modules::address::Address;
use app_modules::auth::query::account;
use app_modules::bank::query::{balance, balances_of};
use serde_json::json;
use upgrade_runtime::store::StateDelta;

use crate::cli::{AuthQuery, BankQuery, QueryCommand};
use crate::home::Home;
use crate::node::open_for_reading;

/// Runs the command.
pub fn run(command: QueryCommand) -> anyhow::Result<()> {
    match command {
        QueryCommand::Bank(BankQuery::Balance {
            home,
            address,
            denom,
        }) => {
            let app = open_for_reading(&Home::new(&home.home))?;
            let addr =
                Address::parse(&address).with_context(|| format!("invalid address {address:?}"))?;
            let mut scratch = StateDelta::new(app.snapshot()?);
            let ctx = app.manager().context("bank", &mut scratch, 0)?;
            let out = match denom {
                Some(denom) => {
                    json!({"balance": {"denom": denom, "amount": balance(&ctx.own(), &addr, &denom)?.to_string()}})
                }
                None => {
                    let coins: Vec<_> = balances_of(&ctx.own(), &addr)?
                        .iter()
                        .map(|c| json!({"denom": c.denom, "amount": c.amount.to_string()}))
                        .collect();
                    json!({"balances": coins})
                }
            };
            println!("{}", serde_json::to_string_pretty(&out)?);
        }
        QueryCommand::Auth(AuthQuery::Account { home, address }) => {
            let app = open_for_reading(&Home::new(&home.home))?;
            let addr =
                Address::parse(&address).with_context(|| format!("invalid address {address:?}"))?;
            let mut scratch = StateDelta::new(app.snapshot()?);
            let ctx = app.manager().context("auth", &mut scratch, 0)?;
            match account(&ctx.own(), &addr)? {
                Some(acc) => println!(
                    "{}",
                    serde_json::to_string_pretty(&json!({"account": acc.to_json()}))?
                ),
                None => anyhow::bail!("account {address} not found"),
            }
        }
    }
    Ok(())
}
