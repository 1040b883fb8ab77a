//! Where two JSON documents first differ, said as a JSON path.

use serde_json::Value;

use crate::module::join_path;

/// The first place where `a` and `b` differ, as `path: <a> vs <b>` (values
/// shortened), walking objects in `a`'s key order then keys only `b` has,
/// and arrays by index; `None` when they are equal (key order aside).
pub fn first_difference(path: &str, a: &Value, b: &Value) -> Option<String> {
    match (a, b) {
        (Value::Object(x), Value::Object(y)) => {
            for (key, va) in x {
                let here = join_path(path, key);
                match y.get(key) {
                    Some(vb) => {
                        if let Some(d) = first_difference(&here, va, vb) {
                            return Some(d);
                        }
                    }
                    None => return Some(format!("{here}: {} vs missing", short(va))),
                }
            }
            y.iter()
                .find(|(key, _)| !x.contains_key(*key))
                .map(|(key, vb)| format!("{}: missing vs {}", join_path(path, key), short(vb)))
        }
        (Value::Array(x), Value::Array(y)) => {
            for (i, (va, vb)) in x.iter().zip(y).enumerate() {
                if let Some(d) = first_difference(&join_path(path, &format!("[{i}]")), va, vb) {
                    return Some(d);
                }
            }
            (x.len() != y.len())
                .then(|| format!("{path}: {} elements vs {} elements", x.len(), y.len()))
        }
        _ if a == b => None,
        _ => Some(format!("{path}: {} vs {}", short(a), short(b))),
    }
}

fn short(v: &Value) -> String {
    let text = v.to_string();
    match text.char_indices().nth(80) {
        Some((cut, _)) => format!("{}...", &text[..cut]),
        None => text,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn the_first_difference_is_named_by_its_path() {
        let a = json!({"bank": {"balances": [{"amount": "5"}, {"amount": "6"}]}, "x": 1});
        let b = json!({"x": 1, "bank": {"balances": [{"amount": "5"}, {"amount": "7"}]}});
        insta::assert_snapshot!(
            first_difference("app_state", &a, &b).unwrap_or_default(),
            @r#"app_state.bank.balances[1].amount: "6" vs "7""#
        );
        assert_eq!(first_difference("", &a, &a), None);
        insta::assert_snapshot!(
            first_difference("s", &json!({"a": [1]}), &json!({"a": [1, 2], "b": null}))
                .unwrap_or_default(),
            @"s.a: 1 elements vs 2 elements"
        );
    }
}
