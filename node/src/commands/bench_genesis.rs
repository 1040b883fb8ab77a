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

use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::Instant;

use anyhow::{Context, bail};
use serde_json::{Map, Value, json};
use upgrade_runtime::Tx;
use upgrade_runtime::app::AppError;
use upgrade_runtime::genesis::{AppGenesis, ExportOptions, UPGRADE_SECTION};
use upgrade_runtime::store::StateRead;
use upgrade_runtime::upgrade::{Plan, software_upgrade_msg};

use crate::chain::Chain;
use crate::cli::{BenchGenesisArgs, OutputFormat};
use crate::commands::genesis::{migrate_file, write_document};
use crate::home::Home;
use crate::node::NodeSettings;

/// Runs the benchmark (or, with `--phase`, one of its phases).
pub fn run(chain: &Chain, args: BenchGenesisArgs) -> anyhow::Result<()> {
    if let Some(phase) = &args.phase {
        let mut metrics = run_phase(chain, phase, &args)?;
        metrics.insert("peak_rss_mib".into(), json!(peak_rss_mib()));
        println!("{}", Value::Object(metrics));
        return Ok(());
    }
    let tmp;
    let dir = match &args.dir {
        Some(dir) => {
            std::fs::create_dir_all(dir)
                .with_context(|| format!("cannot create {}", dir.display()))?;
            dir.clone()
        }
        None => {
            tmp = tempfile::tempdir().context("cannot create a temporary directory")?;
            tmp.path().to_owned()
        }
    };
    orchestrate(chain, &args, &dir)
}

/// One phase's measurements.
type Metrics = Map<String, Value>;

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

/// Runs `bench genesis --phase NAME ...` and parses its metrics.
fn child(
    args: &BenchGenesisArgs,
    phase: &str,
    extra: &[(&str, &Path)],
    release: Option<&str>,
) -> anyhow::Result<Metrics> {
    let exe = std::env::current_exe().context("cannot find this binary")?;
    let mut cmd = Command::new(exe);
    cmd.args(["bench", "genesis", "--phase", phase])
        .args(["--accounts", &args.accounts.to_string()])
        .args(["--seed", &args.seed.to_string()])
        .env("RUST_LOG", "warn")
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    for (flag, path) in extra {
        cmd.arg(flag).arg(path);
    }
    if let Some(release) = release {
        cmd.args(["--release", release]);
    }
    let out = cmd
        .output()
        .with_context(|| format!("cannot run phase {phase}"))?;
    if !out.status.success() {
        bail!(
            "phase {phase} failed: {}",
            String::from_utf8_lossy(&out.stderr).trim()
        );
    }
    serde_json::from_slice(&out.stdout).with_context(|| format!("phase {phase} printed no metrics"))
}

fn path_arg<'a>(p: &'a Option<PathBuf>, flag: &str) -> anyhow::Result<&'a Path> {
    p.as_deref()
        .with_context(|| format!("this phase needs {flag}"))
}

fn run_phase(chain: &Chain, phase: &str, args: &BenchGenesisArgs) -> anyhow::Result<Metrics> {
    let (v1, v2) = first_upgrade(chain)?;
    let mut m = Metrics::new();
    let input = || path_arg(&args.input, "--input");
    let output = || path_arg(&args.output_file, "--output-file");
    let home = || path_arg(&args.home, "--home").map(|h| Home::new(&h.display().to_string()));
    let t = Instant::now();
    match phase {
        "generate" => {
            let release = chain.resolve_release(Some(v1))?;
            let manager = release.manager()?;
            let generated = chain
                .extensions()
                .generate_genesis(args.accounts, args.seed)
                .context("the chain has no genesis generator")?;
            let app_state = manager.app_state_from(&generated);
            let accounts = app_state
                .get("auth")
                .and_then(|a| a.get("accounts"))
                .and_then(Value::as_array)
                .map_or(0, Vec::len);
            let mut genesis = AppGenesis::new("bench-1", app_state);
            genesis.app_name = chain.name().into();
            genesis.app_version = release.name.into();
            write_document(Some(input()?), |w| {
                serde_json::to_writer_pretty(&mut *w, &genesis)?;
                Ok(())
            })?;
            m.insert("accounts".into(), json!(accounts));
            m.insert("bytes".into(), json!(file_len(input()?)));
        }
        "raw-parse" => {
            let bytes = std::fs::read(input()?)?;
            let t = Instant::now();
            let value: Value = serde_json::from_slice(&bytes)?;
            m.insert("seconds".into(), json!(t.elapsed().as_secs_f64()));
            m.insert("bytes".into(), json!(bytes.len()));
            drop(value);
        }
        "raw-serialize" => {
            let value: Value = serde_json::from_slice(&std::fs::read(input()?)?)?;
            let t = Instant::now();
            write_document(Some(output()?), |w| {
                serde_json::to_writer_pretty(&mut *w, &value)?;
                Ok(())
            })?;
            m.insert("seconds".into(), json!(t.elapsed().as_secs_f64()));
            m.insert("bytes".into(), json!(file_len(output()?)));
        }
        "import" => {
            let release = chain.resolve_release(args.release.as_deref())?;
            let manager = release.manager()?;
            let home = home()?;
            home.require_uninitialised()?;
            let genesis = AppGenesis::read(input()?)?;
            let parsed = t.elapsed();
            crate::commands::genesis::check_recorded_versions(chain, input()?, &genesis, &release)?;
            manager.validate_genesis(&genesis.app_state, &[UPGRADE_SECTION])?;
            let validated = t.elapsed();
            home.create_dirs()?;
            drop(manager);
            let mut app = chain.create_app(&home, &release)?;
            let info = app.init_chain(&genesis)?;
            let done = t.elapsed();
            m.insert("parse_seconds".into(), json!(parsed.as_secs_f64()));
            m.insert(
                "validate_seconds".into(),
                json!((validated - parsed).as_secs_f64()),
            );
            m.insert(
                "init_chain_seconds".into(),
                json!((done - validated).as_secs_f64()),
            );
            m.insert("bytes".into(), json!(file_len(input()?)));
            m.insert("app_hash".into(), json!(info.app_hash.to_hex()));
        }
        "halt" => {
            let home = home()?;
            let genesis_release = chain.resolve_release(Some(v1))?;
            let mut app = chain.open_app(&home, &genesis_release, &NodeSettings::default())?;
            let height = app.last_commit().map_or(0, |c| c.height) + 1;
            let plan = Plan {
                name: v2.into(),
                height: height + 1,
                info: "bench".into(),
            };
            let msg = software_upgrade_msg(chain.authority(), &plan);
            let (_, outcomes) = app.execute_block(&[Tx {
                signer: chain.authority().into(),
                msgs: vec![msg],
            }])?;
            if let Some(rejected) = outcomes.iter().find(|o| o.code != 0) {
                bail!("scheduling {v2} was rejected: {}", rejected.log);
            }
            match app.begin_block() {
                Err(AppError::UpgradeNeeded { .. }) => {}
                Err(e) => return Err(e.into()),
                Ok(_) => bail!("{v1} did not halt at the {v2} height"),
            }
        }
        "export" | "export-in-memory" => {
            let app = chain.open_for_reading(&home()?)?;
            let options = ExportOptions::default();
            let t = Instant::now();
            write_document(Some(output()?), |w| {
                if phase == "export" {
                    app.export_genesis_to(&mut *w, &options)?;
                } else {
                    let doc = app.export_genesis_with(&options)?;
                    serde_json::to_writer_pretty(&mut *w, &doc)?;
                }
                Ok(())
            })?;
            m.insert("seconds".into(), json!(t.elapsed().as_secs_f64()));
            m.insert("bytes".into(), json!(file_len(output()?)));
        }
        "scan" => {
            // What any full read costs: the storage engine caches the pages
            // it reads, so this peak is the floor under an export's.
            let app = chain.open_for_reading(&home()?)?;
            let snapshot = app.snapshot()?;
            let t = Instant::now();
            let (mut keys, mut bytes) = (0u64, 0u64);
            for store in app.manager().store_names() {
                for item in snapshot.prefix(store, b"")? {
                    let (k, v) = item?;
                    keys += 1;
                    bytes += (k.len() + v.len()) as u64;
                }
            }
            m.insert("seconds".into(), json!(t.elapsed().as_secs_f64()));
            m.insert("keys".into(), json!(keys));
            m.insert("key_value_bytes".into(), json!(bytes));
        }
        "migrate" => {
            let target = args.release.as_deref().unwrap_or(v2);
            migrate_file(chain, target, input()?, Some(output()?), None, false)?;
            m.insert("bytes".into(), json!(file_len(input()?)));
        }
        "upgrade" => {
            let release = chain.resolve_release(args.release.as_deref())?;
            let mut app = chain.open_app(&home()?, &release, &NodeSettings::default())?;
            let t = Instant::now();
            let mut block = app.begin_block()?;
            if block.applied_upgrade().is_none() {
                bail!("release {} applied no upgrade", release.name);
            }
            app.end_block(&mut block)?;
            let info = app.commit(block)?;
            m.insert("seconds".into(), json!(t.elapsed().as_secs_f64()));
            m.insert("app_hash".into(), json!(info.app_hash.to_hex()));
        }
        "compare" => {
            let in_place = AppGenesis::read(input()?)?;
            let migrated = AppGenesis::read(output()?)?;
            let strip = |doc: &AppGenesis| {
                let mut state = doc.app_state.clone();
                if let Some(Value::Object(section)) = state.get_mut(UPGRADE_SECTION) {
                    section.remove("ledger");
                }
                state
            };
            let (a, b) = (strip(&in_place), strip(&migrated));
            let differing: std::collections::BTreeSet<&String> = a
                .keys()
                .chain(b.keys())
                .filter(|k| a.get(*k) != b.get(*k))
                .collect();
            m.insert("equal".into(), json!(differing.is_empty()));
            m.insert("differing_sections".into(), json!(differing));
        }
        other => bail!("unknown bench phase {other:?}"),
    }
    m.entry("seconds")
        .or_insert_with(|| json!(t.elapsed().as_secs_f64()));
    Ok(m)
}

fn file_len(path: &Path) -> u64 {
    std::fs::metadata(path).map_or(0, |m| m.len())
}

/// This process's peak resident set, from `/proc/self/status` (`VmHWM`);
/// `None` where there is no procfs.
fn peak_rss_mib() -> Option<f64> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    let line = status.lines().find(|l| l.starts_with("VmHWM:"))?;
    let kib: f64 = line.split_whitespace().nth(1)?.parse().ok()?;
    Some(kib / 1024.0)
}

/// The genesis release and the first upgrade: what the benchmark measures.
fn first_upgrade(chain: &Chain) -> anyhow::Result<(&'static str, &'static str)> {
    match chain.releases().names()[..] {
        [first, second, ..] => Ok((first, second)),
        _ => bail!("the benchmark needs a chain with at least two releases"),
    }
}
