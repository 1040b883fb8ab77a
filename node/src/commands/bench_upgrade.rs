//! `bench upgrade`: the first upgrade of a generated chain at `--accounts`
//! N and at 2N, each phase in its own child process, reported side by side:
//!
//! - the upgrade block vs a raw redb rewrite of the same physical rows (a
//!   diff of the state file before and after it, applied to a copy of the
//!   file before, in one transaction, no hashing);
//! - the lattice hash's share of the upgrade block;
//! - peak RSS of the upgrade, of the raw rewrite and of `init --accounts`,
//!   and how each grows from N to 2N;
//! - the in-place upgrade vs export -> `genesis migrate` -> import.

use std::path::Path;

use anyhow::{Context, bail};
use serde_json::{Value, json};

use crate::chain::Chain;
use crate::cli::{BenchGenesisArgs, BenchUpgradeArgs, OutputFormat};
use crate::commands::bench_phases::{child, first_upgrade};

/// Runs the benchmark.
pub fn run(chain: &Chain, args: BenchUpgradeArgs) -> anyhow::Result<()> {
    let (dir, _tmp) = crate::commands::bench_phases::work_dir(args.dir.as_ref())?;
    let sizes = [args.accounts, args.accounts * 2];
    let mut runs = Vec::new();
    for accounts in sizes {
        runs.push(one_size(
            chain,
            &args,
            accounts,
            &dir.join(accounts.to_string()),
        )?);
    }
    let report = json!({ "runs": runs });
    if args.output == OutputFormat::Json {
        println!("{}", serde_json::to_string_pretty(&report)?);
        return Ok(());
    }
    print_table(chain, &runs)
}

fn one_size(
    chain: &Chain,
    args: &BenchUpgradeArgs,
    accounts: u64,
    dir: &Path,
) -> anyhow::Result<Value> {
    let (v1, v2) = first_upgrade(chain)?;
    let p = |name: &str| dir.join(name);
    if dir.exists() {
        bail!("{} exists; pass an empty --dir", dir.display());
    }
    std::fs::create_dir_all(dir)?;
    let phase_args = BenchGenesisArgs {
        accounts,
        seed: args.seed,
        dir: None,
        output: OutputFormat::Text,
        phase: None,
        input: None,
        output_file: None,
        home: None,
        release: None,
    };
    let phase = |name: &str, extra: &[(&str, &Path)], release: Option<&str>| {
        child(&phase_args, name, extra, release)
    };
    let (home, fresh) = (p("home"), p("home-imported"));
    let state = home.join("data").join("state.redb");
    eprintln!("[{accounts}] init --accounts {accounts} as {v1}...");
    let init = phase("init-accounts", &[("--home", &home)], Some(v1))?;
    eprintln!("[{accounts}] scheduling {v2} and running to the halt...");
    phase("halt", &[("--home", &home)], None)?;
    std::fs::copy(&state, p("before.redb")).context("cannot copy the state file")?;
    eprintln!("[{accounts}] exporting the halted state...");
    let export = phase(
        "export",
        &[("--home", &home), ("--output-file", &p("export.json"))],
        None,
    )?;
    eprintln!("[{accounts}] the upgrade block, in place...");
    let upgrade = phase("upgrade", &[("--home", &home)], Some(v2))?;
    eprintln!("[{accounts}] diffing the state file before and after it...");
    let diff = phase(
        "diff",
        &[
            ("--input", &p("before.redb")),
            ("--home", &home),
            ("--output-file", &p("changes.bin")),
        ],
        None,
    )?;
    std::fs::rename(p("before.redb"), p("raw.redb"))?;
    eprintln!("[{accounts}] raw redb rewrite of the same rows...");
    let raw = phase(
        "raw-rewrite",
        &[
            ("--input", &p("changes.bin")),
            ("--output-file", &p("raw.redb")),
        ],
        None,
    )?;
    for leftover in ["raw.redb", "changes.bin"] {
        let _ = std::fs::remove_file(p(leftover));
    }
    eprintln!("[{accounts}] genesis migrate {v2}...");
    let migrate = phase(
        "migrate",
        &[
            ("--input", &p("export.json")),
            ("--output-file", &p("migrated.json")),
        ],
        Some(v2),
    )?;
    eprintln!("[{accounts}] importing the migrated file...");
    let import = phase(
        "import",
        &[("--input", &p("migrated.json")), ("--home", &fresh)],
        Some(v2),
    )?;
    let _ = std::fs::remove_dir_all(dir);
    Ok(json!({
        "accounts": accounts,
        "init_accounts": init,
        "upgrade_block": upgrade,
        "row_changes": diff,
        "raw_rewrite": raw,
        "export": export,
        "genesis_migrate": migrate,
        "import": import,
    }))
}

/// How one row's cell is computed from a run.
type Cell<'a> = dyn Fn(&Value) -> String + 'a;

fn print_table(chain: &Chain, runs: &[Value]) -> anyhow::Result<()> {
    let (v1, v2) = first_upgrade(chain)?;
    let get = |run: &Value, phase: &str, key: &str| {
        run.get(phase)
            .and_then(|m| m.get(key))
            .and_then(Value::as_f64)
            .unwrap_or(f64::NAN)
    };
    let column =
        |f: &Cell<'_>| -> String { runs.iter().map(|r| format!("{:>16}", f(r))).collect() };
    println!("bench upgrade: {v1} -> {v2}, each phase in its own process");
    println!(
        "  {:<46}{}",
        "accounts",
        column(&|r| r
            .get("accounts")
            .and_then(Value::as_u64)
            .unwrap_or(0)
            .to_string())
    );
    let rows: [(&str, &Cell<'_>); 15] = [
        ("row changes (set + removed)", &|r| {
            format!(
                "{:.0}",
                get(r, "row_changes", "rows_set") + get(r, "row_changes", "rows_removed")
            )
        }),
        ("upgrade block, s", &|r| {
            format!("{:.2}", get(r, "upgrade_block", "seconds"))
        }),
        ("raw redb rewrite of the same rows, s", &|r| {
            format!("{:.2}", get(r, "raw_rewrite", "seconds"))
        }),
        ("upgrade / raw rewrite", &|r| {
            format!(
                "{:.2}",
                get(r, "upgrade_block", "seconds") / get(r, "raw_rewrite", "seconds")
            )
        }),
        ("redb writes (writer thread), % of block", &|r| {
            format!(
                "{:.1}%",
                100.0 * get(r, "upgrade_block", "write_seconds")
                    / get(r, "upgrade_block", "seconds")
            )
        }),
        ("lattice upkeep (worker thread), % of block", &|r| {
            format!(
                "{:.1}%",
                100.0 * get(r, "upgrade_block", "lattice_seconds")
                    / get(r, "upgrade_block", "seconds")
            )
        }),
        ("block waiting for the lattice, % of block", &|r| {
            format!(
                "{:.1}%",
                100.0 * get(r, "upgrade_block", "lattice_wait_seconds")
                    / get(r, "upgrade_block", "seconds")
            )
        }),
        ("upgrade block peak RSS, MiB", &|r| {
            format!("{:.0}", get(r, "upgrade_block", "peak_rss_mib"))
        }),
        ("raw rewrite peak RSS, MiB", &|r| {
            format!("{:.0}", get(r, "raw_rewrite", "peak_rss_mib"))
        }),
        ("init --accounts peak RSS, MiB", &|r| {
            format!("{:.0}", get(r, "init_accounts", "peak_rss_mib"))
        }),
        ("export + genesis migrate + import, s", &|r| {
            format!("{:.2}", path_seconds(r))
        }),
        ("in place / (export + migrate + import)", &|r| {
            format!(
                "{:.3}",
                get(r, "upgrade_block", "seconds") / path_seconds(r)
            )
        }),
        ("raw rewrite / (export + migrate + import)", &|r| {
            format!("{:.3}", get(r, "raw_rewrite", "seconds") / path_seconds(r))
        }),
        ("import peak RSS, MiB", &|r| {
            format!("{:.0}", get(r, "import", "peak_rss_mib"))
        }),
        ("init --accounts, s", &|r| {
            format!("{:.2}", get(r, "init_accounts", "seconds"))
        }),
    ];
    for (label, f) in rows {
        println!("  {label:<46}{}", column(f));
    }
    if let [small, large] = runs {
        let growth =
            |phase: &str| get(large, phase, "peak_rss_mib") / get(small, phase, "peak_rss_mib");
        println!(
            "  peak RSS at 2N / at N: upgrade block {:.2}, init --accounts {:.2}, raw rewrite {:.2}",
            growth("upgrade_block"),
            growth("init_accounts"),
            growth("raw_rewrite")
        );
    }
    Ok(())
}

fn path_seconds(run: &Value) -> f64 {
    ["export", "genesis_migrate", "import"]
        .iter()
        .map(|phase| {
            run.get(*phase)
                .and_then(|m: &Value| m.get("seconds"))
                .and_then(Value::as_f64)
                .unwrap_or(f64::NAN)
        })
        .sum()
}
