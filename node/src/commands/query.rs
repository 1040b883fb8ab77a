//! `query MODULE METHOD ARGS...`: answered by the chain's
//! [`Extensions::query`](crate::Extensions::query) against the committed state.

use crate::chain::Chain;
use crate::cli::QueryArgs;

/// Runs the command.
pub fn run(chain: &Chain, args: QueryArgs) -> anyhow::Result<()> {
    let app = chain.open_for_reading(&chain.home(&args.home))?;
    let out = chain
        .extensions()
        .query(&app, &args.module, &args.method, &args.args)?;
    println!("{}", serde_json::to_string_pretty(&out)?);
    Ok(())
}
