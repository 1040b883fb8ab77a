//! What the example modules add to the node layer: a generated genesis
//! (`init --accounts`), synthetic bank sends (`start --txs-per-block`) and
//! the `query bank balance` / `query auth account` commands.

use anyhow::{Context as _, bail};
use app_modules::address::Address;
use app_modules::auth::query::account;
use app_modules::bank::query::{balance, balances_of};
use app_modules::genesis::Generator;
use serde_json::{Map, Value, json};
use upgrade_node::{Extensions, GeneratedGenesis, TxSource};
use upgrade_runtime::ModuleError;
use upgrade_runtime::app::{App, Block};
use upgrade_runtime::genesis::SectionWriter;
use upgrade_runtime::store::StateDelta;

use crate::txgen::TxGenerator;

/// The example modules' extensions.
pub struct ExampleModules;

impl Extensions for ExampleModules {
    /// The example generator, plus the synthetic senders' funded accounts.
    fn generate_genesis(&self, accounts: u64, seed: u64) -> Option<Map<String, Value>> {
        let generator = Generator::new(accounts, seed, crate::txgen::sender_funds().ok()?, None);
        Some(generator.ok()?.app_state())
    }

    /// The same genesis as [`Extensions::generate_genesis`], streamed.
    fn genesis_generator(
        &self,
        accounts: u64,
        seed: u64,
        scratch_dir: Option<&std::path::Path>,
    ) -> Option<anyhow::Result<Box<dyn GeneratedGenesis>>> {
        Some((|| {
            let funded = crate::txgen::sender_funds().map_err(anyhow::Error::msg)?;
            let generator = Generator::new(accounts, seed, funded, scratch_dir)
                .context("the genesis generator's scratch file failed")?;
            Ok(Box::new(Sections(generator)) as Box<dyn GeneratedGenesis>)
        })())
    }

    /// A new account (if needed) and minted coins, in the live state.
    fn fund_state(
        &self,
        app: &App,
        block: &mut Block,
        address: &str,
        coins: &str,
    ) -> anyhow::Result<()> {
        let address = parse(address)?;
        let coins = app_modules::fund::parse_coin_list(coins).map_err(anyhow::Error::msg)?;
        app_modules::auth::ensure_account(&mut app.module_context(block, "auth")?, &address)?;
        app_modules::bank::mint(&mut app.module_context(block, "bank")?, &address, &coins)?;
        Ok(())
    }

    fn fund(
        &self,
        app_state: &mut Map<String, Value>,
        address: &str,
        coins: &str,
    ) -> anyhow::Result<()> {
        let address = parse(address)?;
        let coins = app_modules::fund::parse_coin_list(coins).map_err(anyhow::Error::msg)?;
        app_modules::fund::fund(app_state, &address, &coins).map_err(anyhow::Error::msg)
    }

    fn tx_source(&self, app: &App, seed: u64) -> anyhow::Result<Option<Box<dyn TxSource>>> {
        Ok(Some(Box::new(TxGenerator::load(app, seed)?)))
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

/// The example generator as the node layer's [`GeneratedGenesis`].
struct Sections(Generator);

impl GeneratedGenesis for Sections {
    fn write_section(
        &self,
        name: &str,
        out: &mut dyn SectionWriter,
    ) -> Option<Result<(), ModuleError>> {
        self.0.write_section(name, out)
    }
}

fn parse(address: &str) -> anyhow::Result<Address> {
    Address::parse(address).with_context(|| format!("invalid address {address:?}"))
}
