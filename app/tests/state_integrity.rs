//! A state file damaged on disk: 54 seeded trials each flip one bit or zero
//! 16 bytes at a random offset of `state.redb`, then run `verify`, `start`
//! (one block) and `export`. Each command either refuses (non-zero exit,
//! the state file named) or does exactly what it does on the undamaged
//! file (damage in free space): none succeeds with different data.

mod common;

use std::path::Path;

use common::{appd, init, s};
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;
use serde_json::Value;

const TRIALS: u64 = 54;

/// What the three commands give on one home: `Err(stderr)` or the result.
#[derive(Debug, PartialEq)]
struct Outcomes {
    verify: Result<String, String>,
    export: Result<Value, String>,
    start: Result<String, String>,
}

fn outcome(args: &[&str]) -> Result<String, String> {
    let out = appd(args);
    if out.code == Some(0) {
        Ok(out.stdout)
    } else {
        Err(out.stderr)
    }
}

fn run_all(home: &Path) -> Outcomes {
    let verify = outcome(&["verify", "--home", s(home), "--output", "json"]).map(|o| {
        let v: Value = serde_json::from_str(&o).expect("verify json");
        v["app_hash"].as_str().unwrap_or_default().to_owned()
    });
    let doc = home.with_extension("export.json");
    let export = outcome(&["export", "--home", s(home), "--output-document", s(&doc)]).map(|_| {
        let text = std::fs::read_to_string(&doc).expect("export written");
        serde_json::from_str::<Value>(&text).expect("export is JSON")["app_state"].clone()
    });
    let start = outcome(&[
        "start",
        "--home",
        s(home),
        "--release",
        "v1.0.0",
        "--blocks",
        "1",
        "--txs-per-block",
        "2",
        "--output",
        "json",
    ])
    .map(|_| {
        let status = appd(&["status", "--home", s(home), "--output", "json"]).json();
        status["app_hash"].as_str().unwrap_or_default().to_owned()
    });
    Outcomes {
        verify,
        export,
        start,
    }
}

fn copy_home(from: &Path, to: &Path) {
    std::fs::create_dir_all(to.join("data")).expect("mkdir");
    std::fs::create_dir_all(to.join("config")).expect("mkdir");
    for file in ["data/state.redb", "config/genesis.json"] {
        std::fs::copy(from.join(file), to.join(file)).expect("copy");
    }
    let keyring = from.join("keyring-test");
    if keyring.is_dir() {
        std::fs::create_dir_all(to.join("keyring-test")).expect("mkdir");
        for entry in std::fs::read_dir(&keyring).expect("keyring") {
            let entry = entry.expect("entry");
            std::fs::copy(
                entry.path(),
                to.join("keyring-test").join(entry.file_name()),
            )
            .expect("copy key");
        }
    }
}

#[test]
fn damage_to_the_state_file_is_refused_never_built_on() {
    let dir = tempfile::tempdir().expect("tempdir");
    let pristine = dir.path().join("pristine");
    init(&pristine, 150, 5);
    appd(&[
        "start",
        "--home",
        s(&pristine),
        "--release",
        "v1.0.0",
        "--blocks",
        "3",
        "--txs-per-block",
        "2",
    ])
    .ok();
    let reference_home = dir.path().join("reference");
    copy_home(&pristine, &reference_home);
    let reference = run_all(&reference_home);
    assert!(reference.verify.is_ok(), "{:?}", reference.verify);
    assert!(reference.export.is_ok());
    assert!(reference.start.is_ok(), "{:?}", reference.start);

    let len = std::fs::metadata(pristine.join("data/state.redb"))
        .expect("state file")
        .len();
    let mut rng = ChaCha8Rng::seed_from_u64(2026);
    let (mut refused, mut harmless, mut named) = (0, 0, 0);
    for trial in 0..TRIALS {
        let home = dir.path().join(format!("trial-{trial}"));
        copy_home(&pristine, &home);
        let path = home.join("data/state.redb");
        let mut bytes = std::fs::read(&path).expect("read");
        let offset = rng.random_range(0..len as usize - 16);
        let damage = if trial % 2 == 0 {
            let bit = rng.random_range(0..8);
            bytes[offset] ^= 1 << bit;
            format!("bit {bit} of byte {offset} flipped")
        } else {
            bytes[offset..offset + 16].fill(0);
            format!("16 bytes zeroed at {offset}")
        };
        std::fs::write(&path, bytes).expect("write");
        let got = run_all(&home);
        for (what, silent) in [
            (
                "verify",
                matches!(&got.verify, Ok(h) if Ok(h) != reference.verify.as_ref()),
            ),
            (
                "export",
                matches!(&got.export, Ok(v) if Ok(v) != reference.export.as_ref()),
            ),
            (
                "start",
                matches!(&got.start, Ok(h) if Ok(h) != reference.start.as_ref()),
            ),
        ] {
            assert!(
                !silent,
                "trial {trial} ({damage}): {what} succeeded with different data: {got:?}"
            );
        }
        for err in [&got.verify, &got.start]
            .into_iter()
            .filter_map(|r| r.as_ref().err())
        {
            assert!(
                err.contains("state.redb"),
                "trial {trial}: the file is not named: {err}"
            );
            // Changed bytes that still read as triples: the store is named.
            if err.contains("triples hash to") {
                assert!(err.contains("(changed: store \""), "trial {trial}: {err}");
                named += 1;
            }
        }
        if got == reference {
            harmless += 1;
        } else {
            refused += 1;
        }
    }
    eprintln!(
        "{refused} trials refused, {harmless} harmless (damage in unused space), {named} refusals naming the store"
    );
    assert!(named > 0, "no trial changed a value that still read");
    assert!(
        refused > TRIALS / 3,
        "only {refused} of {TRIALS} trials hit live data"
    );
}
