//! The ledger's genesis section at each version. Both hold the same facts
//! (a list of named counters) spelled differently, so one [`Shape`]
//! describes either and the 1 -> 2 JSON migration is "parse as v1, write as
//! v2".

use serde_json::{Map, Value};
use upgrade_runtime::{ValidationError, join_path};

use crate::json::{fields, index, list, string, uint, unique};

/// How one version spells the section: `{LIST: [{KEY: "..", AMOUNT: "12"}]}`.
pub(crate) struct Shape {
    list: &'static str,
    key: &'static str,
    amount: &'static str,
}

/// Version 1: `{"counters": [{"name": "alice", "value": "12"}]}`.
pub(crate) const V1: Shape = Shape {
    list: "counters",
    key: "name",
    amount: "value",
};

/// Version 2: `{"entries": [{"owner": "alice", "amount": "12"}]}`.
pub(crate) const V2: Shape = Shape {
    list: "entries",
    key: "owner",
    amount: "amount",
};

impl Shape {
    /// The `(name, amount)` pairs of `section`, in order, checked: names
    /// non-empty and distinct, amounts canonical decimals.
    pub(crate) fn parse(&self, section: &Value) -> Result<Vec<(String, u64)>, ValidationError> {
        let [items] = fields(section, "", [self.list])?;
        let mut pairs = Vec::new();
        for (i, item) in list(items, self.list)?.iter().enumerate() {
            let path = index(self.list, i);
            let [key, amount] = fields(item, &path, [self.key, self.amount])?;
            let key = string(key, &join_path(&path, self.key))?;
            pairs.push((
                key.to_owned(),
                uint(amount, &join_path(&path, self.amount))?,
            ));
        }
        let keys = pairs
            .iter()
            .enumerate()
            .map(|(i, (key, _))| (key.as_str(), join_path(&index(self.list, i), self.key)));
        unique(keys)?;
        Ok(pairs)
    }

    /// The section holding `pairs`, in their order.
    pub(crate) fn to_json(&self, pairs: impl IntoIterator<Item = (String, u64)>) -> Value {
        let item = |(key, amount): (String, u64)| {
            let mut object = Map::new();
            object.insert(self.key.to_owned(), Value::String(key));
            object.insert(self.amount.to_owned(), Value::String(amount.to_string()));
            Value::Object(object)
        };
        let items = pairs.into_iter().map(item).collect();
        Value::Object(Map::from_iter([(
            self.list.to_owned(),
            Value::Array(items),
        )]))
    }
}
