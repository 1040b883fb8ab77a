//! `notes`: short texts by title. Its state never changes shape, but
//! release v2.0.0 renames its *store* from `notes` to `memo` while the
//! module keeps its name, version and genesis section: the release's
//! `StoreUpgrades::renamed` moves the keys, and no migration runs.

use serde_json::{Value, json};
use upgrade_runtime::typed::Map;
use upgrade_runtime::{Context, Module, ModuleError, ValidationError, join_path};

use crate::json::{fields, index, list, string, unique};

/// The module's name and genesis section.
pub const NAME: &str = "notes";

/// Body by title.
const NOTES: Map<&str, String> = Map::new(b"n/");

/// The notes module, bound to the store name of one release.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Notes {
    store: &'static str,
}

impl Notes {
    /// As in v1.0.0: the store is called `notes`, like the module.
    pub const V1: Notes = Notes { store: "notes" };
    /// As in v2.0.0: the same module, its store now called `memo`.
    pub const V2: Notes = Notes { store: "memo" };
}

/// `{"notes": [{"title": "..", "body": ".."}]}` as `(title, body)` pairs.
fn parse(genesis: &Value) -> Result<Vec<(String, String)>, ValidationError> {
    let [notes] = fields(genesis, "", ["notes"])?;
    let mut pairs = Vec::new();
    for (i, note) in list(notes, "notes")?.iter().enumerate() {
        let path = index("notes", i);
        let [title, body] = fields(note, &path, ["title", "body"])?;
        let title = string(title, &join_path(&path, "title"))?;
        pairs.push((
            title.to_owned(),
            string(body, &join_path(&path, "body"))?.to_owned(),
        ));
    }
    let titles = pairs.iter().enumerate();
    unique(titles.map(|(i, (t, _))| (t.as_str(), join_path(&index("notes", i), "title"))))?;
    Ok(pairs)
}

impl Module for Notes {
    fn name(&self) -> &'static str {
        NAME
    }

    fn consensus_version(&self) -> u64 {
        1
    }

    fn store_name(&self) -> &'static str {
        self.store
    }

    fn default_genesis(&self) -> Value {
        json!({"notes": []})
    }

    fn validate_genesis(&self, genesis: &Value) -> Result<(), ValidationError> {
        parse(genesis).map(drop)
    }

    fn init_genesis(&self, ctx: &mut Context<'_>, genesis: &Value) -> Result<(), ModuleError> {
        for (title, body) in parse(genesis)? {
            NOTES.save(ctx, &title, &body)?;
        }
        Ok(())
    }

    fn export_genesis(&self, ctx: &Context<'_>) -> Result<Value, ModuleError> {
        let notes: Vec<Value> = NOTES
            .iter(ctx)
            .map(|pair| pair.map(|(title, body)| json!({"title": title, "body": body})))
            .collect::<Result<_, _>>()?;
        Ok(json!({"notes": notes}))
    }
}
