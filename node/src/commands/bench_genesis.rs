//! `bench genesis`: the genesis workflow measured side by side, in
//! one run, on a generated chain of `--accounts` accounts:
//!
//! - at N and at 2N accounts: the streaming generator (`init --accounts`'s
//!   first half), the streaming import (`init --genesis`) vs a raw
//!   `serde_json` parse of the same file, the streaming export vs raw
//!   `serde_json` serialisation of the same document, each with its peak
//!   memory, so growth with the state shows as a 2N/N ratio;
//! - at N: the streaming export vs one built in memory, and the in-place
//!   v1.0.0 -> v2.0.0 upgrade (one block) vs export -> `genesis migrate`
//!   -> import on a fresh home.
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

/// The phases measured at N and at 2N accounts.
struct Scale {
    accounts: u64,
    generate: Metrics,
    raw_parse: Metrics,
    import: Metrics,
    export: Metrics,
    raw_serialize: Metrics,
}

/// Generate, parse raw, import, export and serialise raw at `args.accounts`,
/// in `dir`; the imported home is `dir/home-v1`.
fn scale(args: &BenchGenesisArgs, dir: &Path, v1: &str) -> anyhow::Result<Scale> {
    let p = |name: &str| dir.join(name);
    let home = p("home-v1");
    if home.exists() {
        bail!("{} exists; pass an empty --dir", home.display());
    }
    std::fs::create_dir_all(dir)?;
    let phase = |name: &str, extra: &[(&str, &Path)], release: Option<&str>| {
        child(args, name, extra, release)
    };
    let genesis = p("genesis.json");
    eprintln!(
        "{} accounts: generating the genesis (streaming)...",
        args.accounts
    );
    let generate = phase("generate", &[("--input", &genesis)], None)?;
    eprintln!("  parsing it with serde_json...");
    let raw_parse = phase("raw-parse", &[("--input", &genesis)], None)?;
    eprintln!("  importing it (init --genesis) as {v1}...");
    let import = phase(
        "import",
        &[("--input", &genesis), ("--home", &home)],
        Some(v1),
    )?;
    eprintln!("  exporting it, streaming...");
    let export = phase(
        "export",
        &[
            ("--home", &home),
            ("--output-file", &p("export-scale.json")),
        ],
        None,
    )?;
    eprintln!("  serialising the same document with serde_json...");
    let raw_serialize = phase(
        "raw-serialize",
        &[
            ("--input", &p("export-scale.json")),
            ("--output-file", &p("raw-scale.json")),
        ],
        None,
    )?;
    Ok(Scale {
        accounts: args.accounts,
        generate,
        raw_parse,
        import,
        export,
        raw_serialize,
    })
}

fn num(m: &Metrics, k: &str) -> f64 {
    m.get(k).and_then(Value::as_f64).unwrap_or(f64::NAN)
}

fn secs(m: &Metrics) -> f64 {
    num(m, "seconds")
}

fn mib(m: &Metrics) -> f64 {
    num(m, "bytes") / 1048576.0
}

fn peak(m: &Metrics) -> f64 {
    num(m, "peak_rss_mib")
}

fn orchestrate(chain: &Chain, args: &BenchGenesisArgs, dir: &Path) -> anyhow::Result<()> {
    let (v1, v2) = first_upgrade(chain)?;
    let n = scale(args, &dir.join("n"), v1)?;
    let doubled = BenchGenesisArgs {
        accounts: args.accounts * 2,
        ..args.clone()
    };
    let n2 = scale(&doubled, &dir.join("2n"), v1)?;
    let _ = std::fs::remove_dir_all(dir.join("2n"));

    // The upgrade paths, at N.
    let p = |name: &str| dir.join("n").join(name);
    let (v1_home, v2_home) = (p("home-v1"), p("home-v2-imported"));
    let phase = |name: &str, extra: &[(&str, &Path)], release: Option<&str>| {
        child(args, name, extra, release)
    };
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
    eprintln!("comparing both paths...");
    let compare = phase(
        "compare",
        &[
            ("--input", &p("export-v2.json")),
            ("--output-file", &p("migrated-v2.json")),
        ],
        None,
    )?;
    let path_total = secs(&export_v1) + secs(&migrate) + secs(&import_v2);
    let scale_json = |s: &Scale| {
        json!({
            "accounts": s.accounts,
            "generate": s.generate,
            "raw_serde_json_parse": s.raw_parse,
            "import": s.import,
            "export_streaming": s.export,
            "raw_serde_json_serialise": s.raw_serialize,
        })
    };
    let report = json!({
        "n": scale_json(&n),
        "2n": scale_json(&n2),
        "export_streaming_v1_at_halt": export_v1,
        "export_in_memory_v1": export_mem,
        "read_every_key_v1": scan_v1,
        "export_streaming_v2": export_v2,
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
    print_scales(&n, &n2);
    let row = |what: &str, m: &Metrics| {
        println!(
            "  {what:<46} {:>8.2} s {:>9.1} MiB/s  peak RSS {:>8.1} MiB",
            secs(m),
            mib(m) / secs(m),
            peak(m)
        );
    };
    println!(
        "export of the halted {v1} state at {} accounts ({:.1} MiB)",
        n.accounts,
        mib(&export_v1)
    );
    row("export (streaming)", &export_v1);
    row("export built in memory, then written", &export_mem);
    row("reading every key, no JSON (redb page cache)", &scan_v1);
    row(&format!("export of the {v2} state (streaming)"), &export_v2);
    println!("{v1} -> {v2}");
    row("in place (the upgrade block)", &in_place);
    println!(
        "  {:<46} {:>8.2} s  (export {:.2} + migrate {:.2} + import {:.2}); in place / that = {:.3}",
        "export -> genesis migrate -> import",
        path_total,
        secs(&export_v1),
        secs(&migrate),
        secs(&import_v2),
        secs(&in_place) / path_total
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

/// The import and export figures at N and 2N, side by side, with the
/// ratios the goals are stated in.
fn print_scales(n: &Scale, n2: &Scale) {
    println!(
        "bench genesis: {} and {} accounts ({:.1} and {:.1} MiB files)",
        n.accounts,
        n2.accounts,
        mib(&n.generate),
        mib(&n2.generate)
    );
    println!(
        "  {:<52} {:>14} {:>14} {:>8}",
        "", n.accounts, n2.accounts, "2N/N"
    );
    // Each row: what, how it is read from one size's phases, its unit.
    type Measure = fn(&Scale) -> f64;
    let rows: [(&str, Measure, &str); 11] = [
        ("generate (streaming) time", |s| secs(&s.generate), "s"),
        ("generate peak RSS", |s| peak(&s.generate), "MiB"),
        (
            "raw serde_json::from_slice::<Value> time",
            |s| secs(&s.raw_parse),
            "s",
        ),
        (
            "import (init --genesis, streaming) time",
            |s| secs(&s.import),
            "s",
        ),
        (
            "import / raw parse",
            |s| secs(&s.import) / secs(&s.raw_parse),
            "x",
        ),
        ("import peak RSS", |s| peak(&s.import), "MiB"),
        ("raw parse peak RSS", |s| peak(&s.raw_parse), "MiB"),
        ("export (streaming) time", |s| secs(&s.export), "s"),
        (
            "raw serde_json::to_writer_pretty time",
            |s| secs(&s.raw_serialize),
            "s",
        ),
        (
            "export throughput / raw serialisation throughput",
            |s| secs(&s.raw_serialize) / secs(&s.export),
            "x",
        ),
        ("export peak RSS", |s| peak(&s.export), "MiB"),
    ];
    for (what, measure, unit) in rows {
        let (a, b) = (measure(n), measure(n2));
        println!(
            "  {what:<52} {a:>10.2} {unit:<3} {b:>10.2} {unit:<3} {:>8.2}",
            b / a
        );
    }
}
