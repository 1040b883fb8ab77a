//! The runtime library and the node layer are used by other chains: no
//! message, doc or comment in them names the example binary `appd`. The
//! node layer adds the command to run, spelled with the chain's own name.

use std::path::Path;

fn mentions(dir: &Path, needle: &str, found: &mut Vec<String>) {
    let mut entries: Vec<_> = std::fs::read_dir(dir)
        .unwrap_or_else(|e| panic!("cannot list {}: {e}", dir.display()))
        .map(|e| e.expect("entry").path())
        .collect();
    entries.sort();
    for path in entries {
        if path.is_dir() {
            mentions(&path, needle, found);
        } else if path.extension().is_some_and(|e| e == "rs") {
            let text = std::fs::read_to_string(&path).expect("utf-8 source");
            for (i, line) in text.lines().enumerate() {
                // The node's own test of its hints spells a binary name.
                let own_test = line.contains("hint(\"appd\"") || line.contains("`appd start`, or");
                if line.contains(needle) && !own_test {
                    found.push(format!("{}:{}: {}", path.display(), i + 1, line.trim()));
                }
            }
        }
    }
}

#[test]
fn neither_the_library_nor_the_node_layer_names_appd() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let mut found = Vec::new();
    mentions(&root.join("src"), "appd", &mut found);
    mentions(&root.join("node/src"), "appd", &mut found);
    assert!(found.is_empty(), "mentions of appd:\n{}", found.join("\n"));
}
