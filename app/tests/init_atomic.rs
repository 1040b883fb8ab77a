//! `init` is all-or-nothing and one at a time: SIGKILLed at a dozen points
//! it leaves either no chain (and the next `init` succeeds) or the whole
//! chain; two inits of one home exclude each other, one wins and the home
//! holds its chain; and a document with bytes after it, an empty chain id,
//! an export onto the node's own files or a `--home` that is a file are
//! refused with what to do, changing nothing.

mod common;

use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use common::{appd, init, s, tree};

const APPD: &str = env!("CARGO_BIN_EXE_appd");

/// A v1.0.0 genesis file of `accounts` accounts, written under `dir`.
fn genesis_file(dir: &Path, accounts: u64) -> PathBuf {
    let home = dir.join("source");
    init(&home, accounts, 9);
    let out = dir.join("genesis.json");
    std::fs::copy(home.join("config/genesis.json"), &out).expect("copy genesis");
    out
}

fn init_args<'a>(home: &'a Path, genesis: &'a Path) -> Vec<&'a str> {
    vec![
        "init",
        "--home",
        s(home),
        "--genesis",
        s(genesis),
        "--release",
        "v1.0.0",
    ]
}

fn app_hash(home: &Path) -> Option<String> {
    let out = appd(&["status", "--home", s(home), "--output", "json"]);
    (out.code == Some(0)).then(|| {
        out.json()["app_hash"]
            .as_str()
            .unwrap_or_default()
            .to_owned()
    })
}

#[test]
fn sigkill_at_a_dozen_points_of_init_leaves_no_chain_or_the_whole_chain() {
    let dir = tempfile::tempdir().expect("tempdir");
    let genesis = genesis_file(dir.path(), 2_500);
    let reference = dir.path().join("reference");
    let started = Instant::now();
    appd(&init_args(&reference, &genesis)).ok();
    let full = started.elapsed();
    let want = app_hash(&reference).expect("reference status");

    // Kill points spread over the first 80% of a run (validation, the
    // state file's creation, InitChain's writes, its commit, the rename),
    // retried until a dozen land while init runs: runs vary in speed.
    let mut landed = 0;
    let mut trial = 0u32;
    while landed < 12 {
        assert!(
            trial < 48,
            "only {landed} of {trial} kills landed while init ran"
        );
        let home = dir.path().join(format!("home-{trial}"));
        let delay = full.mul_f64(0.05 + 0.75 * f64::from(trial % 12) / 11.0);
        trial += 1;
        let mut child = Command::new(APPD)
            .args(init_args(&home, &genesis))
            .env("RUST_LOG", "error")
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("spawn");
        std::thread::sleep(delay);
        let still_running = child.try_wait().expect("poll").is_none();
        child.kill().expect("SIGKILL");
        child.wait().expect("reaped");
        if still_running {
            landed += 1;
        }
        match app_hash(&home) {
            // Killed after the rename: the whole chain.
            Some(hash) => assert_eq!(hash, want, "trial {trial}"),
            None => {
                // No chain: `status` says to run init, and init succeeds.
                let err = appd(&["status", "--home", s(&home)]).failed().error();
                assert!(err.contains("init"), "trial {trial}: {err}");
                appd(&init_args(&home, &genesis)).ok();
                assert_eq!(
                    app_hash(&home).as_deref(),
                    Some(want.as_str()),
                    "trial {trial}"
                );
            }
        }
    }
}

#[test]
fn two_inits_of_one_home_exclude_each_other() {
    let dir = tempfile::tempdir().expect("tempdir");
    let genesis = genesis_file(dir.path(), 1_500);
    for (trial, offset_ms) in [0u64, 20, 60, 150].into_iter().enumerate() {
        let home = dir.path().join(format!("home-{trial}"));
        let spawn = || {
            Command::new(APPD)
                .args(init_args(&home, &genesis))
                .env("RUST_LOG", "error")
                .stdin(Stdio::null())
                .stdout(Stdio::piped())
                .stderr(Stdio::piped())
                .spawn()
                .expect("spawn")
        };
        let first = spawn();
        std::thread::sleep(Duration::from_millis(offset_ms));
        let second = spawn();
        let outs = [first, second].map(|c| c.wait_with_output().expect("wait"));
        let wins = outs.iter().filter(|o| o.status.success()).count();
        assert_eq!(wins, 1, "trial {trial}: exactly one init wins");
        let loser = outs.iter().find(|o| !o.status.success()).expect("a loser");
        let err = String::from_utf8_lossy(&loser.stderr);
        assert!(
            err.contains("another init") || err.contains("already holds a chain"),
            "trial {trial}: {err}"
        );
        assert!(
            app_hash(&home).is_some(),
            "trial {trial}: the winner's chain is there"
        );
        assert!(!home.join("data/state.redb.init").exists());
    }
}

#[test]
fn bytes_after_the_document_and_an_empty_chain_id_are_refused() {
    let dir = tempfile::tempdir().expect("tempdir");
    let genesis = genesis_file(dir.path(), 3);
    let text = std::fs::read_to_string(&genesis).expect("read");
    let cases = [
        ("garbage", format!("{text}garbage")),
        ("a second document", format!("{text}\n{text}")),
        ("an extra bracket", format!("{}}}", text.trim_end())),
        (
            "an empty chain id",
            text.replacen("\"chain_id\": \"upgrade-demo-1\"", "\"chain_id\": \"\"", 1),
        ),
    ];
    for (what, body) in cases {
        assert_ne!(body, text, "{what}: the case changes the file");
        let file = dir.path().join("bad.json");
        std::fs::write(&file, &body).expect("write");
        let err = appd(&["genesis", "validate", s(&file)]).failed().error();
        let home = dir.path().join("never");
        let init_err = appd(&init_args(&home, &file)).failed().error();
        for e in [&err, &init_err] {
            assert!(e.contains("bad.json"), "{what}: {e}");
            if what == "an empty chain id" {
                assert!(
                    e.contains("at chain_id") && e.contains("empty"),
                    "{what}: {e}"
                );
            } else {
                assert!(e.contains("exactly one JSON document"), "{what}: {e}");
            }
        }
        assert!(!home.join("data").exists(), "{what}: nothing written");
    }
}

#[test]
fn an_export_onto_the_nodes_own_files_and_a_file_as_home_are_refused() {
    let dir = tempfile::tempdir().expect("tempdir");
    let home = dir.path().join("node");
    init(&home, 3, 1);
    let before = tree(&home);
    for target in [
        home.join("data/state.redb"),
        home.join("config/genesis.json"),
    ] {
        let err = appd(&[
            "export",
            "--home",
            s(&home),
            "--output-document",
            s(&target),
        ])
        .failed()
        .error();
        assert!(err.contains("one of the node's own files"), "{err}");
    }
    assert_eq!(tree(&home), before, "the node's files are untouched");
    assert!(app_hash(&home).is_some());

    let file = dir.path().join("a-file");
    std::fs::write(&file, "not a home").expect("write");
    for args in [
        vec!["status", "--home", s(&file)],
        vec!["init", "--home", s(&file), "--accounts", "2"],
    ] {
        let err = appd(&args).failed().error();
        assert!(
            err.contains("is a file, not a directory"),
            "{args:?}: {err}"
        );
    }
    assert_eq!(std::fs::read_to_string(&file).expect("read"), "not a home");
}
