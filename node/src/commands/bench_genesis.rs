//! `bench genesis`: the genesis workflow measured side by side, in
//! one run, on a generated chain of `--accounts` accounts:
//!
//! - export throughput (streaming, module by module) vs raw `serde_json`
//!   serialisation of the same document;
//! - import throughput (parse, validate, InitChain) vs a raw `serde_json`
//!   parse of the same file;
//! - peak memory of the streaming export vs an export built in memory,
//!   next to the document's size;
//! - the in-place v1.0.0 -> v2.0.0 upgrade (one block) vs export ->
//!   `genesis migrate` -> import on a fresh home.
//!
//! Every phase runs in a child process (the binary itself, with a hidden
//! `--phase`), so each one's peak memory (the kernel's `VmHWM`) is its own,
//! not what earlier phases left in the allocator.

use std::path::Path;

use anyhow::bail;
use serde_json::{Value, json};

use crate::chain::Chain;
use crate::cli::{BenchGenesisArgs, OutputFormat};
use crate::commands::bench_phases::{Metrics, child, first_upgrade, peak_rss_mib, run_phase};

/// Runs the benchmark (or, with `--phase`, one of its phases).
pub fn run(chain: &Chain, args: BenchGenesisArgs) -> anyhow::Result<()> {
    if let Some(phase) = &args.phase {
        let mut metrics = run_phase(chain, phase, &args)?;
        metrics.insert("peak_rss_mib".into(), json!(peak_rss_mib()));
        println!("{}", Value::Object(metrics));
        return Ok(());
    }
    let (dir, _tmp) = crate::commands::bench_phases::work_dir(args.dir.as_ref())?;
    orchestrate(chain, &args, &dir)
}

fn orchestrate(chain: &Chain, args: &BenchGenesisArgs, dir: &Path) -> anyhow::Result<()> {
    let (v1, v2) = first_upgrade(chain)?;
    let p = |name: &str| dir.join(name);
    let (genesis, v1_home, v2_home) = (p("genesis.json"), p("home-v1"), p("home-v2-imported"));
    for path in [&v1_home, &v2_home] {
        if path.exists() {
            bail!("{} exists; pass an empty --dir", path.display());
        }
    }
    let phase = |name: &str, extra: &[(&str, &Path)], release: Option<&str>| {
        child(args, name, extra, release)
    };
    eprintln!("generating a genesis of {} accounts...", args.accounts);
    let generated = phase("generate", &[("--input", &genesis)], None)?;
    eprintln!("parsing it with serde_json...");
    let raw_parse = phase("raw-parse", &[("--input", &genesis)], None)?;
    eprintln!("importing it (init --genesis) as {v1}...");
    let import_v1 = phase(
        "import",
        &[("--input", &genesis), ("--home", &v1_home)],
        Some(v1),
    )?;
    eprintln!("scheduling {v2} and running to the halt...");
    phase("halt", &[("--home", &v1_home)], None)?;
    eprintln!("exporting the halted {v1} state, streaming...");
    let export_v1 = phase(
        "export",
        &[
            ("--home", &v1_home),
            ("--output-file", &p("export-v1.json")),
        ],
        None,
    )?;
    eprintln!("reading every key of it, for the storage engine's share...");
    let scan_v1 = phase("scan", &[("--home", &v1_home)], None)?;
    eprintln!("exporting it again, built in memory...");
    let export_mem = phase(
        "export-in-memory",
        &[
            ("--home", &v1_home),
            ("--output-file", &p("export-v1-mem.json")),
        ],
        None,
    )?;
    eprintln!("serialising the same document with serde_json...");
    let raw_ser = phase(
        "raw-serialize",
        &[
            ("--input", &p("export-v1.json")),
            ("--output-file", &p("raw-v1.json")),
        ],
        None,
    )?;
    eprintln!("genesis migrate {v2}...");
    let migrate = phase(
        "migrate",
        &[
            ("--input", &p("export-v1.json")),
            ("--output-file", &p("migrated-v2.json")),
        ],
        Some(v2),
    )?;
    eprintln!("importing the migrated file as {v2} on a fresh home...");
    let import_v2 = phase(
        "import",
        &[("--input", &p("migrated-v2.json")), ("--home", &v2_home)],
        Some(v2),
    )?;
    eprintln!("upgrading the halted home in place to {v2}...");
    let in_place = phase("upgrade", &[("--home", &v1_home)], Some(v2))?;
    eprintln!("exporting the upgraded state, streaming...");
    let export_v2 = phase(
        "export",
        &[
            ("--home", &v1_home),
            ("--output-file", &p("export-v2.json")),
        ],
        None,
    )?;
    let scan_v2 = phase("scan", &[("--home", &v1_home)], None)?;
    eprintln!("comparing both paths...");
    let compare = phase(
        "compare",
        &[
            ("--input", &p("export-v2.json")),
            ("--output-file", &p("migrated-v2.json")),
        ],
        None,
    )?;

    let num = |m: &Metrics, k: &str| m.get(k).and_then(Value::as_f64).unwrap_or(f64::NAN);
    let secs = |m: &Metrics| num(m, "seconds");
    let mib = |m: &Metrics| num(m, "bytes") / 1048576.0;
    let accounts = num(&generated, "accounts");
    let doc_mib = mib(&export_v1);
    let path_total = secs(&export_v1) + secs(&migrate) + secs(&import_v2);
    let report = json!({
        "accounts": accounts,
        "genesis_mib": mib(&generated),
        "export_document_mib": doc_mib,
        "export_streaming_v1": export_v1,
        "export_streaming_v2": export_v2,
        "export_in_memory_v1": export_mem,
        "read_every_key_v1": scan_v1,
        "read_every_key_v2": scan_v2,
        "raw_serde_json_serialise": raw_ser,
        "import_v1": import_v1,
        "raw_serde_json_parse": raw_parse,
        "upgrade_in_place_v1_to_v2": in_place,
        "genesis_migrate_v1_to_v2": migrate,
        "import_migrated_v2": import_v2,
        "export_migrate_import_seconds": path_total,
        "paths_agree": compare,
    });
    if args.output == OutputFormat::Json {
        println!("{}", serde_json::to_string_pretty(&report)?);
        return Ok(());
    }
    let rate = |m: &Metrics| {
        format!(
            "{:>9.1} MiB/s {:>11.0} accounts/s",
            mib(m) / secs(m),
            accounts / secs(m)
        )
    };
    let peak = |m: &Metrics| format!("{:>8.1} MiB", num(m, "peak_rss_mib"));
    let row = |what: &str, m: &Metrics, with_rate: bool| {
        println!(
            "  {what:<48} {:>8.2} s  {}  peak RSS {}",
            secs(m),
            if with_rate { rate(m) } else { " ".repeat(36) },
            peak(m)
        );
    };
    println!("bench genesis: {accounts} accounts, exported document {doc_mib:.1} MiB");
    let over = |m: &Metrics, floor: &Metrics| num(m, "peak_rss_mib") - num(floor, "peak_rss_mib");
    println!("export of the v1.0.0 state at the halt ({doc_mib:.1} MiB document)");
    row("export (streaming)", &export_v1, true);
    row("raw serde_json::to_writer_pretty, same doc", &raw_ser, true);
    row("export built in memory, then written", &export_mem, true);
    row(
        "reading every key, no JSON (redb page cache)",
        &scan_v1,
        false,
    );
    println!(
        "    memory over reading every key: streaming {:+.1} MiB, built in memory {:+.1} MiB",
        over(&export_v1, &scan_v1),
        over(&export_mem, &scan_v1)
    );
    println!(
        "export of the v2.0.0 state after the upgrade ({:.1} MiB document)",
        mib(&export_v2)
    );
    row("export (streaming)", &export_v2, true);
    row(
        "reading every key, no JSON (redb page cache)",
        &scan_v2,
        false,
    );
    println!(
        "    memory over reading every key: streaming {:+.1} MiB",
        over(&export_v2, &scan_v2)
    );
    println!("import (generated genesis, {:.1} MiB)", mib(&generated));
    row(
        "init --genesis (parse+validate+InitChain)",
        &import_v1,
        true,
    );
    row("raw serde_json::from_slice::<Value>", &raw_parse, true);
    println!(
        "    import parts: parse {:.2} s, validate {:.2} s, InitChain and commit {:.2} s",
        num(&import_v1, "parse_seconds"),
        num(&import_v1, "validate_seconds"),
        num(&import_v1, "init_chain_seconds")
    );
    println!("{v1} -> {v2}");
    row("in place (the upgrade block)", &in_place, false);
    println!(
        "  {:<48} {:>8.2} s  (export {:.2} + migrate {:.2} + import {:.2})",
        "export -> genesis migrate -> import",
        path_total,
        secs(&export_v1),
        secs(&migrate),
        secs(&import_v2)
    );
    println!(
        "  both paths give the same app_state (but the in-place ledger entry): {}",
        compare
            .get("equal")
            .and_then(Value::as_bool)
            .unwrap_or(false)
    );
    Ok(())
}
