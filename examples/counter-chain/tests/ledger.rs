//! The ledger's own rules: genesis validation names the JSON path of the
//! problem, at both versions, and `MsgAdd` adds to the signer's counter.

use serde_json::{Map, Value, json};
use upgrade_runtime::app::{App, AppConfig};
use upgrade_runtime::genesis::AppGenesis;
use upgrade_runtime::store::{Layout, Storage};
use upgrade_runtime::{Module, ModuleManager, Msg, Tx};

use counter_chain::ledger::{Ledger, MSG_ADD};

fn error_at(ledger: Ledger, genesis: Value) -> String {
    let error = ledger
        .validate_genesis(&genesis)
        .expect_err("invalid genesis");
    format!("{error}")
}

#[test]
fn validation_errors_name_the_json_path() {
    let v1 = |counters: Value| error_at(Ledger::V1, json!({"counters": counters}));
    assert_eq!(
        v1(json!([{"name": "a", "value": "1"}, {"name": "b", "value": "01"}])),
        "counters[1].value: \"01\" is not a canonical decimal u64"
    );
    assert_eq!(
        v1(json!([{"name": "a", "value": "1"}, {"name": "a", "value": "2"}])),
        "counters[1].name: duplicate \"a\" (also at counters[0].name)"
    );
    assert_eq!(
        v1(json!([{"name": "a", "value": "1", "memo": "x"}])),
        "counters[0].memo: unknown field"
    );
    // v2 spells the same rules with its own field names.
    assert_eq!(
        error_at(
            Ledger::V2,
            json!({"entries": [{"owner": "", "amount": "3"}]})
        ),
        "entries[0].owner: must not be empty"
    );
    assert_eq!(
        error_at(Ledger::V2, json!({"counters": []})),
        "counters: unknown field"
    );
}

fn add(signer: &str, amount: &str) -> Tx {
    let value = Map::from_iter([("amount".to_owned(), json!(amount))]);
    Tx {
        signer: signer.into(),
        msgs: vec![Msg {
            type_url: MSG_ADD.into(),
            value,
        }],
    }
}

#[test]
fn msg_add_adds_to_the_signers_counter_at_both_versions() {
    for release in ["v1.0.0", "v2.0.0"] {
        // The ledger alone: its messages' rules, not the chain's signatures
        // (in-process transactions carry a plain signer name).
        let version = if release == "v1.0.0" {
            Ledger::V1
        } else {
            Ledger::V2
        };
        let manager = ModuleManager::new(vec![Box::new(version)]).expect("manager");
        let ledger = match release {
            "v1.0.0" => json!({"counters": [{"name": "alice", "value": "12"}]}),
            _ => json!({"entries": [{"owner": "alice", "amount": "12"}]}),
        };
        let mut app_state: Map<String, Value> = manager
            .modules()
            .map(|m| (m.name().to_owned(), m.default_genesis()))
            .collect();
        app_state.insert("ledger".to_owned(), ledger);
        let storage = Storage::in_memory(Layout::V1).expect("storage");
        let config = AppConfig::default();
        let mut app = App::new(storage, manager, Default::default(), config).expect("app");
        app.init_chain(&AppGenesis::new("counter-1", app_state))
            .expect("init");
        let txs = [add("alice", "5"), add("bob", "3"), add("bob", "x")];
        let (_, outcomes) = app.execute_block(&txs).expect("block");
        let codes: Vec<u32> = outcomes.iter().map(|o| o.code).collect();
        assert_eq!(codes[..2], [0, 0], "{release}");
        assert_ne!(codes[2], 0, "{release}: a bad amount is rejected");
        assert!(outcomes[2].log.contains("amount"), "{}", outcomes[2].log);
        let exported = app.export_genesis().expect("export");
        let expected = match release {
            "v1.0.0" => json!({"counters": [
                {"name": "alice", "value": "17"}, {"name": "bob", "value": "3"}
            ]}),
            _ => json!({"entries": [
                {"owner": "alice", "amount": "17"}, {"owner": "bob", "amount": "3"}
            ]}),
        };
        assert_eq!(exported.app_state["ledger"], expected, "{release}");
    }
}
