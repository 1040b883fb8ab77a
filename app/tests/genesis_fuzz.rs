//! Generative test of the importer: valid genesis documents mutated at
//! random (a field or element dropped, duplicated or retyped, an object key
//! written twice, a string changed, the text cut short). Whatever comes
//! in, the importer never panics and never half-initialises: it either
//! refuses with nothing committed (no home left behind by `appd init`), or
//! accepts a document whose export imports again to the same app hash.
//!
//! Seeded and deterministic: a failure prints the seed and the mutation.

#![allow(clippy::unwrap_used)]

mod common;

use std::panic::{AssertUnwindSafe, catch_unwind};
use std::sync::OnceLock;

use app_upgrades::{release, releases};
use common::{appd, init, s};
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;
use serde_json::{Map, Value, json};
use upgrade_runtime::app::{App, AppConfig};
use upgrade_runtime::genesis::{AppGenesis, UPGRADE_SECTION};
use upgrade_runtime::store::{Layout, Storage};

/// Valid documents to mutate: a generated v1.0.0 genesis (8 accounts, one
/// of them vesting) and its `genesis migrate` to v2.0.0, which records
/// module versions and a done history in its `upgrade` section.
fn corpus() -> &'static [(String, &'static str)] {
    static CORPUS: OnceLock<Vec<(String, &'static str)>> = OnceLock::new();
    CORPUS.get_or_init(|| {
        let tmp = tempfile::tempdir().unwrap();
        let home = tmp.path().join("base");
        init(&home, 8, 21);
        let v1 = std::fs::read_to_string(home.join("config/genesis.json")).unwrap();
        let migrated = tmp.path().join("v2.json");
        appd(&[
            "genesis",
            "migrate",
            "v2.0.0",
            s(&home.join("config/genesis.json")),
            "--from",
            "v1.0.0",
            "--output-document",
            s(&migrated),
        ])
        .ok();
        let v2 = std::fs::read_to_string(&migrated).unwrap();
        vec![(v1, "v1.0.0"), (v2, "v2.0.0")]
    })
}

/// Every path in `v`, as keys and indices.
fn paths(v: &Value, here: &mut Vec<Step>, out: &mut Vec<Vec<Step>>) {
    out.push(here.clone());
    match v {
        Value::Object(m) => {
            for (k, child) in m {
                here.push(Step::Key(k.clone()));
                paths(child, here, out);
                here.pop();
            }
        }
        Value::Array(a) => {
            for (i, child) in a.iter().enumerate() {
                here.push(Step::Index(i));
                paths(child, here, out);
                here.pop();
            }
        }
        _ => {}
    }
}

#[derive(Clone, Debug, PartialEq)]
enum Step {
    Key(String),
    Index(usize),
}

fn at<'a>(v: &'a mut Value, path: &[Step]) -> Option<&'a mut Value> {
    path.iter().try_fold(v, |v, step| match step {
        Step::Key(k) => v.get_mut(k),
        Step::Index(i) => v.get_mut(*i),
    })
}

/// Values of every JSON type, and numbers and strings at the edges.
fn odd_value(rng: &mut ChaCha8Rng) -> Value {
    let choices = [
        Value::Null,
        json!(true),
        json!(0),
        json!(-1),
        json!(1.5),
        json!(u64::MAX),
        json!(""),
        json!("-1"),
        json!("0"),
        json!("18446744073709551616"),
        json!("340282366920938463463374607431768211456"),
        json!("x".repeat(300)),
        json!("cosmos1qqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqqq"),
        json!([]),
        json!([1, "a"]),
        json!({}),
        json!({"@type": "/cosmos.auth.v1beta1.BaseAccount"}),
    ];
    choices[rng.random_range(0..choices.len())].clone()
}

/// Writes `v` as JSON, writing key `dup` of the object at `target` twice.
fn with_duplicate_key(v: &Value, target: &[Step], dup: &str, here: &mut Vec<Step>) -> String {
    match v {
        Value::Object(m) => {
            let mut parts = Vec::new();
            for (k, child) in m {
                here.push(Step::Key(k.clone()));
                let text = with_duplicate_key(child, target, dup, here);
                here.pop();
                let key = serde_json::to_string(k).unwrap();
                if here.as_slice() == target && k == dup {
                    parts.push(format!("{key}:{text}"));
                }
                parts.push(format!("{key}:{text}"));
            }
            format!("{{{}}}", parts.join(","))
        }
        Value::Array(a) => {
            let mut parts = Vec::new();
            for (i, child) in a.iter().enumerate() {
                here.push(Step::Index(i));
                parts.push(with_duplicate_key(child, target, dup, here));
                here.pop();
            }
            format!("[{}]", parts.join(","))
        }
        other => other.to_string(),
    }
}

/// One random mutation of `text`, and what it was.
fn mutate(text: &str, rng: &mut ChaCha8Rng) -> (String, String) {
    let mut doc: Value = serde_json::from_str(text).unwrap();
    let mut all = Vec::new();
    paths(&doc, &mut Vec::new(), &mut all);
    // Mostly inside app_state, where the modules' rules are.
    let inside: Vec<&Vec<Step>> = all
        .iter()
        .filter(|p| p.first() == Some(&Step::Key("app_state".into())) && p.len() > 1)
        .collect();
    let path = if rng.random_bool(0.9) {
        inside[rng.random_range(0..inside.len())].clone()
    } else {
        all[rng.random_range(1..all.len())].clone()
    };
    let (parent_path, last) = path.split_at(path.len() - 1);
    let what = rng.random_range(0..6);
    let described = format!("{what} at {path:?}");
    match what {
        // Drop the field or element.
        0 => {
            if let Some(parent) = at(&mut doc, parent_path) {
                match (&last[0], parent) {
                    (Step::Key(k), Value::Object(m)) => {
                        m.shift_remove(k);
                    }
                    (Step::Index(i), Value::Array(a)) => {
                        a.remove(*i);
                    }
                    _ => {}
                }
            }
        }
        // Duplicate: an array element, or an object key in the text.
        1 => match (&last[0], at(&mut doc, parent_path)) {
            (Step::Index(i), Some(Value::Array(a))) => {
                let copy = a[*i].clone();
                a.insert(*i, copy);
            }
            (Step::Key(k), Some(Value::Object(_))) => {
                let k = k.clone();
                return (
                    with_duplicate_key(&doc, parent_path, &k, &mut Vec::new()),
                    described,
                );
            }
            _ => {}
        },
        // Retype: a value of another type or an edge value.
        2 | 3 => {
            let replacement = odd_value(rng);
            if let Some(v) = at(&mut doc, &path) {
                *v = replacement;
            }
        }
        // Change a string a little: a digit, a sign, a character.
        4 => {
            if let Some(Value::String(s)) = at(&mut doc, &path) {
                let mut chars: Vec<char> = s.chars().collect();
                let pos = rng.random_range(0..=chars.len());
                let c = ['-', '0', '9', ' ', '/', 'é', 'Z'][rng.random_range(0..7)];
                if pos < chars.len() && rng.random_bool(0.5) {
                    chars[pos] = c;
                } else {
                    chars.insert(pos, c);
                }
                *s = chars.into_iter().collect();
            }
        }
        // Cut the text short.
        _ => {
            let text = serde_json::to_string_pretty(&doc).unwrap();
            let mut cut = rng.random_range(0..text.len());
            while !text.is_char_boundary(cut) {
                cut -= 1;
            }
            return (text[..cut].to_owned(), format!("cut at byte {cut}"));
        }
    }
    (serde_json::to_string_pretty(&doc).unwrap(), described)
}

fn app(release_name: &str) -> App {
    let r = release(release_name).unwrap();
    App::new(
        Storage::in_memory(Layout::V1).unwrap(),
        r.manager().unwrap(),
        releases().registry_up_to(release_name).unwrap(),
        AppConfig::default(),
    )
    .unwrap()
}

/// What `appd init --genesis` does, in process: parse, check the recorded
/// versions, validate, InitChain. `Ok(app)` if accepted.
fn import(text: &str, release_name: &str) -> Result<App, String> {
    let genesis =
        AppGenesis::from_slice(text.as_bytes(), "fuzz.json").map_err(|e| e.to_string())?;
    let mut chain = app(release_name);
    chain
        .manager()
        .validate_genesis(&genesis.app_state, &[UPGRADE_SECTION])
        .map_err(|e| e.to_string())?;
    match chain.init_chain(&genesis) {
        Ok(_) => Ok(chain),
        Err(e) => {
            assert!(
                chain.last_commit().is_none(),
                "InitChain failed ({e}) but committed"
            );
            Err(e.to_string())
        }
    }
}

#[test]
fn mutated_documents_never_panic_the_importer_nor_half_initialise() {
    let (mut accepted, mut refused) = (0, 0);
    for seed in 0..400u64 {
        let mut rng = ChaCha8Rng::seed_from_u64(seed);
        let (text, release_name) = &corpus()[(seed % 2) as usize];
        let (mutated, what) = mutate(text, &mut rng);
        let result = catch_unwind(AssertUnwindSafe(|| import(&mutated, release_name)))
            .unwrap_or_else(|_| panic!("seed {seed}: the importer panicked on mutation {what}"));
        match result {
            Err(message) => {
                assert!(!message.is_empty(), "seed {seed}: empty error");
                refused += 1;
            }
            Ok(chain) => {
                // Accepted: the state exports and imports again unchanged.
                let exported = chain.export_genesis().unwrap();
                let text = serde_json::to_string(&exported).unwrap();
                let again = import(&text, release_name).unwrap_or_else(|e| {
                    panic!(
                        "seed {seed} ({what}): the export of an accepted document is refused: {e}"
                    )
                });
                assert_eq!(
                    again.last_commit().map(|c| c.app_hash),
                    chain.last_commit().map(|c| c.app_hash),
                    "seed {seed} ({what})"
                );
                accepted += 1;
            }
        }
    }
    // The mutations exercise both outcomes.
    eprintln!("refused {refused}, accepted {accepted}");
    assert!(refused > 200, "refused {refused}, accepted {accepted}");
    assert!(accepted > 10, "refused {refused}, accepted {accepted}");
}

#[test]
fn mutated_documents_through_the_binary_exit_cleanly_and_leave_no_home() {
    let tmp = tempfile::tempdir().unwrap();
    let mut outcomes = Map::new();
    for seed in 1_000..1_040u64 {
        let mut rng = ChaCha8Rng::seed_from_u64(seed);
        let (text, release_name) = &corpus()[(seed % 2) as usize];
        let (mutated, what) = mutate(text, &mut rng);
        let file = tmp.path().join(format!("{seed}.json"));
        std::fs::write(&file, &mutated).unwrap();
        let home = tmp.path().join(format!("home-{seed}"));
        let out = appd(&[
            "init",
            "--home",
            s(&home),
            "--release",
            release_name,
            "--genesis",
            s(&file),
        ]);
        assert!(
            !out.stderr.contains("panicked"),
            "seed {seed} ({what}): {}",
            out.stderr
        );
        match out.code {
            Some(0) => {
                assert!(home.join("data/state.redb").exists());
                outcomes.insert(seed.to_string(), json!("accepted"));
            }
            Some(1) => {
                assert!(
                    !home.exists(),
                    "seed {seed} ({what}): a refused init left {}",
                    home.display()
                );
                assert!(
                    out.stderr.contains("Error: "),
                    "seed {seed}: {}",
                    out.stderr
                );
                outcomes.insert(seed.to_string(), json!("refused"));
            }
            other => panic!("seed {seed} ({what}): exit {other:?}\n{}", out.stderr),
        }
    }
    assert!(outcomes.values().any(|v| v == "refused"));
}
