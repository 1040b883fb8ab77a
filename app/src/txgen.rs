//! Deterministic synthetic transactions: bank sends between the chain's
//! accounts. Block `h` draws from a ChaCha stream seeded by (seed, h), so a
//! node that restarts mid-run produces exactly the blocks it would have.

use anyhow::Context as _;
use app_modules::address::Address;
use app_modules::auth::query::accounts;
use app_modules::bank::msgs::MsgSend;
use app_modules::bank::query::balances_of;
use app_modules::coin::Coin;
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;
use upgrade_node::TxSource;
use upgrade_runtime::Tx;
use upgrade_runtime::app::{App, Block};
use upgrade_runtime::store::StateDelta;

/// Largest amount one synthetic send moves.
const MAX_SEND: u128 = 1_000;

/// Generates each block's transactions.
pub struct TxGenerator {
    seed: u64,
    accounts: Vec<Address>,
}

impl TxGenerator {
    /// Reads the account list from the last committed state.
    pub fn load(app: &App, seed: u64) -> anyhow::Result<Self> {
        let mut scratch = StateDelta::new(app.snapshot()?);
        let ctx = app.manager().context("auth", &mut scratch, 0)?;
        let accounts = accounts(&ctx.own())?
            .collect::<Result<Vec<_>, _>>()
            .context("while listing accounts for synthetic transactions")?;
        Ok(TxGenerator { seed, accounts })
    }
}

impl TxSource for TxGenerator {
    /// `count` sends for `block`, drawn against the block's current state.
    fn block_txs(&self, app: &App, block: &Block, count: u64) -> anyhow::Result<Vec<Tx>> {
        if self.accounts.len() < 2 || count == 0 {
            return Ok(Vec::new());
        }
        let mut rng = ChaCha8Rng::seed_from_u64(
            self.seed ^ block.height().wrapping_mul(0x9E37_79B9_7F4A_7C15),
        );
        let mut scratch = StateDelta::new(block.state());
        let ctx = app
            .manager()
            .context("bank", &mut scratch, block.height())?;
        let bank = ctx.own();
        let mut txs = Vec::with_capacity(usize::try_from(count).unwrap_or(0));
        for _ in 0..count {
            let from = &self.accounts[rng.random_range(0..self.accounts.len())];
            let to = &self.accounts[rng.random_range(0..self.accounts.len())];
            let coins = balances_of(&bank, from)?;
            if coins.is_empty() {
                continue;
            }
            let coin = &coins[rng.random_range(0..coins.len())];
            let amount = 1 + rng.random_range(0..coin.amount.min(MAX_SEND));
            let msg = MsgSend {
                from_address: from.clone(),
                to_address: to.clone(),
                amount: vec![Coin::new(coin.denom.clone(), amount)],
            };
            txs.push(Tx {
                signer: from.to_bech32(),
                msgs: vec![msg.to_msg()],
            });
        }
        Ok(txs)
    }
}
