//! `bench abci`: the same blocks executed two ways in one run, side by
//! side. In process, through the standalone loop's executor (begin,
//! transactions, end, commit on redb); and over the ABCI socket, where a
//! child `start --abci` on its own home answers FinalizeBlock and Commit
//! sent by tendermint-abci's client. The blocks' transactions are the
//! synthetic sends drawn against the in-process state, so both execute
//! exactly the same bytes; every height's app hash must agree.

use std::io::{BufRead, BufReader};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use anyhow::{Context, bail};
use bytes::Bytes;
use tendermint_abci::ClientBuilder;
use tendermint_proto::v0_38::abci::{RequestFinalizeBlock, RequestInitChain};
use upgrade_runtime::genesis::AppGenesis;

use crate::chain::Chain;
use crate::cli::{BenchAbciArgs, HomeArg};

/// Runs the benchmark.
pub fn run(chain: &Chain, args: BenchAbciArgs) -> anyhow::Result<()> {
    let (dir, _tmp) = crate::commands::bench_phases::work_dir(args.dir.as_ref())?;
    let release = chain.resolve_release(None)?;
    let generated = chain
        .extensions()
        .generate_genesis(args.accounts, args.seed)
        .context("the chain has no genesis generator")?;
    let app_state = release.manager()?.app_state_from(&generated);
    let genesis = AppGenesis::new("bench-abci-1", app_state);

    let home = chain.home(&HomeArg {
        home: Some(dir.join("standalone").display().to_string()),
    });
    home.create_dirs()?;
    let mut app = chain.create_app(&home, &release)?;
    app.init_chain(&genesis)?;
    let source = chain
        .extensions()
        .tx_source(&app, args.seed)?
        .context("the chain has no synthetic transactions")?;

    let abci_home = dir.join("abci");
    let exe = std::env::current_exe().context("cannot find this binary")?;
    let mut child = Command::new(exe)
        .args([
            "start",
            "--abci",
            "tcp://127.0.0.1:0",
            "--release",
            release.name,
            "--home",
        ])
        .arg(&abci_home)
        .env("RUST_LOG", "warn")
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .spawn()
        .context("cannot start the ABCI node")?;
    let mut line = String::new();
    BufReader::new(child.stdout.take().context("no stdout")?).read_line(&mut line)?;
    let address = line
        .trim()
        .strip_prefix("ABCI server listening on tcp://")
        .with_context(|| format!("the ABCI node did not announce its address: {line:?}"))?
        .to_owned();
    let result = (|| -> anyhow::Result<(Duration, Duration, u64)> {
        let mut client = ClientBuilder::default()
            .connect(&address)
            .map_err(|e| anyhow::anyhow!("cannot connect to {address}: {e}"))?;
        client
            .init_chain(RequestInitChain {
                chain_id: genesis.chain_id.clone(),
                app_state_bytes: serde_json::to_vec(&genesis.app_state)?.into(),
                initial_height: 1,
                ..RequestInitChain::default()
            })
            .map_err(|e| anyhow::anyhow!("InitChain: {e}"))?;
        let (mut local, mut socket, mut txs_total) = (Duration::ZERO, Duration::ZERO, 0u64);
        for _ in 0..args.blocks {
            let t = Instant::now();
            let mut block = app.begin_block()?;
            let txs = source.block_txs(&app, &block, args.txs_per_block)?;
            let gen_time = t.elapsed();
            for tx in &txs {
                app.deliver_tx_bytes(&mut block, tx);
            }
            app.end_block(&mut block)?;
            let height = block.height();
            let info = app.commit(block)?;
            local += t.elapsed() - gen_time;
            let bytes: Vec<Bytes> = txs.iter().map(|tx| Bytes::from(tx.clone())).collect();
            txs_total += bytes.len() as u64;
            let t = Instant::now();
            let finalized = client
                .finalize_block(RequestFinalizeBlock {
                    txs: bytes,
                    height: i64::try_from(height)?,
                    ..RequestFinalizeBlock::default()
                })
                .map_err(|e| anyhow::anyhow!("FinalizeBlock {height}: {e}"))?;
            client
                .commit()
                .map_err(|e| anyhow::anyhow!("Commit {height}: {e}"))?;
            socket += t.elapsed();
            if finalized.app_hash.as_ref() != info.app_hash.0 {
                bail!("app hashes differ at height {height}: the two runs must agree");
            }
        }
        Ok((local, socket, txs_total))
    })();
    let _ = child.kill();
    let _ = child.wait();
    let (local, socket, txs) = result?;
    let secs = |d: Duration| d.as_secs_f64().max(1e-9);
    println!(
        "bench abci: {} blocks, {txs} txs ({} per block), {} accounts; same app hash at every height",
        args.blocks, args.txs_per_block, args.accounts
    );
    println!(
        "  standalone executor (in process):  {:>8.3} s  {:>8.1} blocks/s  {:>9.0} txs/s",
        secs(local),
        args.blocks as f64 / secs(local),
        txs as f64 / secs(local)
    );
    println!(
        "  FinalizeBlock + Commit over ABCI:  {:>8.3} s  {:>8.1} blocks/s  {:>9.0} txs/s",
        secs(socket),
        args.blocks as f64 / secs(socket),
        txs as f64 / secs(socket)
    );
    println!(
        "  ABCI / standalone:                 {:>8.2}",
        secs(socket) / secs(local)
    );
    Ok(())
}
