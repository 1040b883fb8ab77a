//! Streaming genesis export: the document written module by module is
//! byte for byte the one built in memory; big arrays reach the output while
//! they are being produced (not after); options select modules and the
//! initial height; failures name the module and leave no panic.

mod common;

use std::cell::{Cell, RefCell};
use std::io::Write;

use common::{AUTHORITY, kv};
use serde_json::{Value, json};
use upgrade_runtime::app::{App, AppConfig};
use upgrade_runtime::genesis::{
    AppGenesis, ElementWriter, ExportOptions, SectionWriter, collect_section,
};
use upgrade_runtime::store::{KeyRange, Layout, Storage};
use upgrade_runtime::upgrade::UpgradeRegistry;
use upgrade_runtime::{Context, Module, ModuleError, ModuleManager, ValidationError};

thread_local! {
    /// Bytes the test writer has received so far.
    static WRITTEN: Cell<u64> = const { Cell::new(0) };
    /// For each element the streaming module produced: bytes written before it.
    static SEEN_AT: RefCell<Vec<u64>> = const { RefCell::new(Vec::new()) };
}

/// A module with a large array, exported an element at a time: section
/// `{"params": {"fail_at": n|null}, "entries": [{"key", "value"}, ...]}`.
struct Streamer;

impl Module for Streamer {
    fn name(&self) -> &'static str {
        "streamer"
    }
    fn consensus_version(&self) -> u64 {
        1
    }
    fn default_genesis(&self) -> Value {
        json!({"params": {"fail_at": null}, "entries": []})
    }
    fn validate_genesis(&self, genesis: &Value) -> Result<(), ValidationError> {
        match genesis.get("entries") {
            Some(Value::Array(_)) => Ok(()),
            _ => Err(ValidationError::new("entries", "expected an array")),
        }
    }
    fn init_genesis(&self, ctx: &mut Context<'_>, genesis: &Value) -> Result<(), ModuleError> {
        let mut store = ctx.store();
        store.set(b"params".to_vec(), genesis["params"].to_string());
        for entry in genesis["entries"].as_array().into_iter().flatten() {
            let key = format!("e/{}", entry["key"].as_str().unwrap_or_default());
            store.set(key, entry["value"].to_string());
        }
        Ok(())
    }
    fn export_genesis(&self, ctx: &Context<'_>) -> Result<Value, ModuleError> {
        collect_section(|out| self.export_genesis_to(ctx, out))
    }
    fn export_genesis_to(
        &self,
        ctx: &Context<'_>,
        out: &mut dyn SectionWriter,
    ) -> Result<(), ModuleError> {
        let own = ctx.own();
        let params: Value = serde_json::from_slice(&own.get(b"params")?.unwrap_or_default())
            .map_err(|e| ModuleError::corrupt("streamer", b"params", e.to_string()))?;
        out.field("params", &params)?;
        let fail_at = params["fail_at"].as_u64();
        out.array("entries", &mut |entries: &mut dyn ElementWriter| {
            for (i, item) in own.range(KeyRange::prefix(b"e/"))?.enumerate() {
                let (key, value) = item?;
                if fail_at == Some(i as u64) {
                    return Err(ModuleError::corrupt(
                        "streamer",
                        &key,
                        "configured failure while exporting",
                    ));
                }
                SEEN_AT.with(|s| s.borrow_mut().push(WRITTEN.with(Cell::get)));
                let value: Value = serde_json::from_slice(&value).unwrap_or(Value::Null);
                let key = String::from_utf8_lossy(&key[2..]).into_owned();
                entries.push(&json!({"key": key, "value": value}))?;
            }
            Ok(())
        })
    }
}

/// A writer that counts what it receives and can fail after `limit` bytes.
struct Probe {
    bytes: Vec<u8>,
    limit: Option<usize>,
}

impl Write for Probe {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        if self.limit.is_some_and(|l| self.bytes.len() + buf.len() > l) {
            return Err(std::io::Error::other("disk full (test)"));
        }
        self.bytes.extend_from_slice(buf);
        WRITTEN.with(|w| w.set(self.bytes.len() as u64));
        Ok(buf.len())
    }
    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

const ENTRIES: usize = 2_000;

/// A chain of `kv` modules `alpha` and `omega` around the streamer, with
/// `ENTRIES` entries, committed to height 3.
fn chain(fail_at: Option<u64>) -> App {
    let manager = ModuleManager::new(vec![
        Box::new(kv("alpha")),
        Box::new(Streamer),
        Box::new(kv("omega")),
    ])
    .expect("manager");
    let mut app = App::new(
        Storage::in_memory(Layout::V1).expect("storage"),
        manager,
        UpgradeRegistry::new(),
        AppConfig {
            authority: AUTHORITY.into(),
            ..AppConfig::default()
        },
    )
    .expect("app");
    let entries: Vec<Value> = (0..ENTRIES)
        .map(|i| json!({"key": format!("{i:06}"), "value": {"n": i, "text": "x".repeat(40)}}))
        .collect();
    let mut app_state = serde_json::Map::new();
    app_state.insert("alpha".into(), json!({"entries": {"a": "1"}}));
    app_state.insert(
        "streamer".into(),
        json!({"params": {"fail_at": fail_at}, "entries": entries}),
    );
    app_state.insert("omega".into(), json!({"entries": {"z": "26"}}));
    app.init_chain(&AppGenesis::new("export-1", app_state))
        .expect("init");
    for _ in 0..3 {
        app.execute_block(&[]).expect("block");
    }
    app
}

fn streamed(app: &App, options: &ExportOptions) -> Vec<u8> {
    let mut probe = Probe {
        bytes: Vec::new(),
        limit: None,
    };
    let summary = app.export_genesis_to(&mut probe, options).expect("export");
    assert_eq!(summary.bytes, probe.bytes.len() as u64);
    assert_eq!(summary.height, 3);
    probe.bytes
}

#[test]
fn the_streamed_document_is_byte_for_byte_the_one_built_in_memory() {
    let app = chain(None);
    for options in [
        ExportOptions::default(),
        ExportOptions {
            for_zero_height: true,
            app_name: "appd".into(),
            app_version: "v1.0.0".into(),
            ..ExportOptions::default()
        },
        ExportOptions {
            modules: Some(vec!["omega".into(), "streamer".into()]),
            ..ExportOptions::default()
        },
    ] {
        let in_memory =
            serde_json::to_vec_pretty(&app.export_genesis_with(&options).expect("export"))
                .expect("serialise");
        assert_eq!(
            String::from_utf8_lossy(&streamed(&app, &options)),
            String::from_utf8_lossy(&in_memory),
            "{options:?}"
        );
    }
}

#[test]
fn the_array_reaches_the_output_while_it_is_produced() {
    let app = chain(None);
    SEEN_AT.with(|s| s.borrow_mut().clear());
    let bytes = streamed(&app, &ExportOptions::default());
    let seen = SEEN_AT.with(|s| s.borrow().clone());
    assert_eq!(seen.len(), ENTRIES);
    // Each entry is about 100 bytes of pretty JSON. Had the array been
    // built first and written after, every entry would have been produced
    // before any of them was written.
    let half = seen[ENTRIES / 2];
    assert!(
        half > (ENTRIES as u64 / 2) * 80,
        "only {half} bytes written when entry {} was produced",
        ENTRIES / 2
    );
    assert!(seen.windows(2).all(|w| w[0] < w[1]), "writes did not grow");
    assert!((bytes.len() as u64) > seen[ENTRIES - 1]);
}

#[test]
fn options_choose_the_initial_height_and_the_sections() {
    let app = chain(None);
    let parse = |options: &ExportOptions| -> AppGenesis {
        AppGenesis::from_slice(&streamed(&app, options), "export").expect("valid document")
    };
    let plain = parse(&ExportOptions::default());
    assert_eq!(plain.initial_height, 4);
    let zero = parse(&ExportOptions {
        for_zero_height: true,
        ..ExportOptions::default()
    });
    assert_eq!(zero.initial_height, 1);
    assert_eq!(zero.app_state, plain.app_state, "the state is kept");

    let some = parse(&ExportOptions {
        // Order and repetition as given do not matter: registration order.
        modules: Some(vec!["omega".into(), "alpha".into(), "omega".into()]),
        ..ExportOptions::default()
    });
    let keys: Vec<&str> = some.app_state.keys().map(String::as_str).collect();
    assert_eq!(keys, ["alpha", "omega", "upgrade"]);
    assert_eq!(some.app_state["omega"], plain.app_state["omega"]);
}

#[test]
fn an_unknown_module_to_export_is_refused_before_anything_is_written() {
    let app = chain(None);
    let mut probe = Probe {
        bytes: Vec::new(),
        limit: None,
    };
    let err = app
        .export_genesis_to(
            &mut probe,
            &ExportOptions {
                modules: Some(vec!["bank".into()]),
                ..ExportOptions::default()
            },
        )
        .expect_err("unknown module");
    insta::assert_snapshot!(err, @r#"cannot export module "bank": no such module in this binary (modules: alpha, streamer, omega)"#);
    assert!(probe.bytes.is_empty());
}

#[test]
fn a_module_failing_mid_array_is_named_and_not_masked_by_the_writer() {
    let app = chain(Some(700));
    let mut probe = Probe {
        bytes: Vec::new(),
        limit: None,
    };
    let err = app
        .export_genesis_to(&mut probe, &ExportOptions::default())
        .expect_err("the module fails");
    insta::assert_snapshot!(err, @r#"while exporting module "streamer": corrupt state in store "streamer" under key 652f303030373030: configured failure while exporting"#);
    // The in-memory export fails the same way.
    let err = app
        .export_genesis_with(&ExportOptions::default())
        .expect_err("the module fails");
    assert!(err.to_string().contains("configured failure"), "{err}");
}

#[test]
fn a_failing_writer_is_an_error_not_a_panic() {
    let app = chain(None);
    for limit in [0, 10, 5_000, 100_000] {
        let mut probe = Probe {
            bytes: Vec::new(),
            limit: Some(limit),
        };
        let err = app
            .export_genesis_to(&mut probe, &ExportOptions::default())
            .expect_err("the writer fails");
        let text = format!(
            "{err}: {}",
            std::error::Error::source(&err).map_or(String::new(), |s| s.to_string())
        );
        assert!(
            text.starts_with("cannot write the genesis document") && text.contains("disk full"),
            "limit {limit}: {text}"
        );
    }
}
