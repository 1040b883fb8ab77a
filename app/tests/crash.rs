//! Crash safety of the real binary: a node SIGKILLed at arbitrary points of a
//! long run restarts from its last committed block, and ends at the same
//! height and app hash (at every height) as a node that never crashed.

#![allow(clippy::unwrap_used)] // test helpers outside #[test] fns

mod common;

use std::io::{BufRead, BufReader};
use std::path::Path;
use std::process::{Child, Stdio};
use std::sync::mpsc;
use std::time::Duration;

use common::{appd, command, init, s, state_file, status};
use upgrade_runtime::store::Storage;

const TOP: u64 = 400;
const TXS: &str = "20";
const SEED: &str = "9";

/// `appd start` towards height 400, logging every commit (debug level).
fn spawn(home: &Path, first: bool) -> Child {
    let top = TOP.to_string();
    let limit: [&str; 2] = if first {
        ["--blocks", &top]
    } else {
        ["--halt-height", &top]
    };
    let mut cmd = command(&[
        "start",
        "--home",
        s(home),
        "--release",
        "v1.0.0",
        limit[0],
        limit[1],
        "--txs-per-block",
        TXS,
        "--seed",
        SEED,
    ]);
    cmd.env("RUST_LOG", "debug")
        .stdout(Stdio::null())
        .stderr(Stdio::piped());
    cmd.spawn().expect("spawn appd start")
}

/// What the child logs: the height it resumed from, and each commit.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Event {
    Starting(u64),
    Committed(u64),
}

/// Forwards the child's `starting ... height=N` and `committed height=N` log
/// lines, and keeps draining its stderr so it never blocks on a full pipe.
fn watch(child: &mut Child) -> mpsc::Receiver<Event> {
    let stderr = child.stderr.take().expect("piped stderr");
    let (tx, rx) = mpsc::channel();
    std::thread::spawn(move || {
        for line in BufReader::new(stderr).lines() {
            let Ok(line) = line else { break };
            let height = line
                .split_whitespace()
                .find_map(|w| w.strip_prefix("height="))
                .and_then(|h| h.parse::<u64>().ok());
            let event = match height {
                Some(h) if line.contains(" starting ") => Event::Starting(h),
                Some(h) if line.contains(" committed ") => Event::Committed(h),
                _ => continue,
            };
            let _ = tx.send(event);
        }
    });
    rx
}

/// The next event, within a minute.
fn next(log: &mpsc::Receiver<Event>) -> Option<Event> {
    log.recv_timeout(Duration::from_secs(60)).ok()
}

/// After a kill, `appd status` either reports at least the height the node
/// had logged as committed, or refuses cleanly (the file needs crash
/// recovery, which read-only commands leave to `start`) and changes nothing.
fn status_after_kill(home: &Path, committed: u64) {
    let before = std::fs::read(state_file(home)).unwrap();
    let out = appd(&["status", "--home", s(home), "--output", "json"]);
    if out.code == Some(0) {
        let h = out.json()["height"].as_u64().unwrap();
        assert!(
            h >= committed && h < TOP,
            "status says height {h} after a kill at {committed}"
        );
    } else {
        let out = out.failed();
        assert!(
            out.error().contains(s(&state_file(home))),
            "{}",
            out.error()
        );
        assert!(
            std::fs::read(state_file(home)).unwrap() == before,
            "status wrote to the state file"
        );
    }
}

#[test]
fn sigkilled_node_resumes_and_ends_with_the_uninterrupted_app_hash_at_every_height() {
    let tmp = tempfile::tempdir().unwrap();
    let reference = tmp.path().join("reference");
    let crashy = tmp.path().join("crashy");
    init(&reference, 200, 5);
    init(&crashy, 200, 5);

    // The uninterrupted run goes on in the background meanwhile.
    let mut clean = spawn(&reference, true);
    let clean_log = watch(&mut clean);

    // Kill after (at least) this many more commits, then wait this long, so
    // the kill lands at different points of a block: between blocks, while
    // transactions execute, during the commit.
    let plan: [(u64, u64); 7] = [
        (2, 0),
        (9, 3),
        (23, 11),
        (41, 1),
        (57, 7),
        (76, 0),
        (95, 17),
    ];
    let mut kills = 0;
    let mut committed = 0;
    for (k, (more, delay_ms)) in plan.into_iter().enumerate() {
        let mut child = spawn(&crashy, k == 0);
        let log = watch(&mut child);
        // The node resumes from the last block it logged as committed (or
        // later: it may have committed the block it was killed in).
        let Some(Event::Starting(resumed)) = next(&log) else {
            panic!("run {k}: no `starting` log line");
        };
        assert!(
            resumed >= committed && resumed < TOP,
            "run {k} resumed at {resumed}, but {committed} had been committed"
        );
        committed = resumed;
        let target = committed + more;
        while committed < target {
            match next(&log) {
                Some(Event::Committed(h)) => committed = h,
                other => panic!(
                    "run {k}: expected commits up to {target}, got {other:?} after {committed}"
                ),
            }
        }
        std::thread::sleep(Duration::from_millis(delay_ms));
        child.kill().expect("SIGKILL");
        let exit = child.wait().expect("reap");
        assert_eq!(exit.code(), None, "killed by a signal, not exited");
        kills += 1;
        // Commits logged after the sleep are durable too.
        while let Ok(event) = log.recv_timeout(Duration::from_millis(100)) {
            if let Event::Committed(h) = event {
                committed = h;
            }
        }
        status_after_kill(&crashy, committed);
    }
    assert!(kills >= 5);

    // Restart until done.
    let mut last = spawn(&crashy, false);
    let log = watch(&mut last);
    let Some(Event::Starting(resumed)) = next(&log) else {
        panic!("final run: no `starting` log line");
    };
    assert!(
        resumed >= committed,
        "final run resumed at {resumed}, but {committed} had been committed"
    );
    let exit = last.wait().expect("final run");
    assert!(exit.success(), "final run failed: {exit}");
    let exit = clean.wait().expect("uninterrupted run");
    drop(clean_log);
    assert!(exit.success(), "uninterrupted run failed: {exit}");

    let a = status(&reference);
    let b = status(&crashy);
    assert_eq!(a["height"], TOP);
    assert_eq!(b["height"], TOP);
    assert_eq!(a["app_hash"], b["app_hash"]);

    let clean_state = Storage::open_read_only(&state_file(&reference)).unwrap();
    let crashed_state = Storage::open_read_only(&state_file(&crashy)).unwrap();
    for h in 0..=TOP {
        let x = clean_state.app_hash_at(h).unwrap();
        let y = crashed_state.app_hash_at(h).unwrap();
        assert!(x.is_some(), "no app hash at height {h}");
        assert_eq!(x, y, "app hash at height {h} differs after {kills} kills");
    }
}

/// The brief for `appd`: after a SIGKILL the state file opens cleanly and
/// `appd status` works.
#[test]
fn status_works_right_after_a_kill() {
    let tmp = tempfile::tempdir().unwrap();
    let home = tmp.path().join("node");
    init(&home, 50, 5);
    let mut child = spawn(&home, true);
    let log = watch(&mut child);
    let mut committed = 0;
    while committed < 3 {
        match next(&log) {
            Some(Event::Committed(h)) => committed = h,
            Some(Event::Starting(_)) => {}
            None => panic!("no commits logged"),
        }
    }
    child.kill().expect("SIGKILL");
    child.wait().expect("reap");
    let h = status(&home)["height"].as_u64().unwrap();
    assert!(
        h >= committed,
        "status says {h}, but {committed} had been committed"
    );
}
