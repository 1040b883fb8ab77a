//! What the example modules add to the node layer: a generated genesis
//! (`init --accounts`), synthetic bank sends (`start --txs-per-block`) and
//! the `query bank balance` / `query auth account` commands.

use anyhow::{Context as _, bail};
use app_modules::address::Address;
use app_modules::auth::query::account;
use app_modules::bank::query::{balance, balances_of};
use serde_json::{Map, Value, json};
use upgrade_node::{Extensions, TxSource};
use upgrade_runtime::app::App;
use upgrade_runtime::store::StateDelta;

use crate::txgen::TxGenerator;

/// The example modules' extensions.
pub struct ExampleModules;

impl Extensions for ExampleModules {
    fn generate_genesis(&self, accounts: u64, seed: u64) -> Option<Map<String, Value>> {
        Some(app_modules::genesis::generate(accounts, seed))
    }

    fn tx_source(&self, app: &App, seed: u64) -> anyhow::Result<Option<Box<dyn TxSource>>> {
        Ok(Some(Box::new(TxGenerator::load(app, seed)?)))
    }

    /// The Cosmos gRPC methods of bank and auth, JSON in and out.
    fn abci_query(&self, app: &App, path: &str, data: &[u8]) -> Option<anyhow::Result<Value>> {
        let (module, method, fields): (&str, &str, &[&str]) = match path {
            "/cosmos.bank.v1beta1.Query/Balance" => ("bank", "balance", &["address", "denom"]),
            "/cosmos.bank.v1beta1.Query/AllBalances" => ("bank", "balance", &["address"]),
            "/cosmos.auth.v1beta1.Query/Account" => ("auth", "account", &["address"]),
            _ => return None,
        };
        let args = fields
            .iter()
            .map(|f| field(data, f))
            .collect::<anyhow::Result<Vec<_>>>();
        Some(args.and_then(|args| self.query(app, module, method, &args)))
    }

    fn query(
        &self,
        app: &App,
        module: &str,
        method: &str,
        args: &[String],
    ) -> anyhow::Result<Value> {
        let mut scratch = StateDelta::new(app.snapshot()?);
        match (module, method, args) {
            ("bank", "balance", [address, rest @ ..]) if rest.len() <= 1 => {
                let addr = parse(address)?;
                let ctx = app.manager().context("bank", &mut scratch, 0)?;
                Ok(match rest.first() {
                    Some(denom) => {
                        json!({"balance": {"denom": denom, "amount": balance(&ctx.own(), &addr, denom)?.to_string()}})
                    }
                    None => {
                        let coins: Vec<_> = balances_of(&ctx.own(), &addr)?
                            .iter()
                            .map(|c| json!({"denom": c.denom, "amount": c.amount.to_string()}))
                            .collect();
                        json!({"balances": coins})
                    }
                })
            }
            ("auth", "account", [address]) => {
                let addr = parse(address)?;
                let ctx = app.manager().context("auth", &mut scratch, 0)?;
                match account(&ctx.own(), &addr)? {
                    Some(acc) => Ok(json!({"account": acc.to_json()})),
                    None => bail!("account {address} not found"),
                }
            }
            _ => bail!(
                "unknown query {module} {method} with {} argument(s); this chain answers `query bank balance ADDRESS [DENOM]` and `query auth account ADDRESS`",
                args.len()
            ),
        }
    }
}

/// A string field of a JSON request body.
fn field(data: &[u8], name: &str) -> anyhow::Result<String> {
    let body: Value = serde_json::from_slice(data).context("the request data is not JSON")?;
    body.get(name)
        .and_then(Value::as_str)
        .map(str::to_owned)
        .with_context(|| format!("the request needs a string field {name:?}"))
}

fn parse(address: &str) -> anyhow::Result<Address> {
    Address::parse(address).with_context(|| format!("invalid address {address:?}"))
}
