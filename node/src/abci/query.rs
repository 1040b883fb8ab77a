//! The query connection: the upgrade module's Cosmos gRPC methods as
//! paths (`/cosmos.upgrade.v1beta1.Query/CurrentPlan`, `AppliedPlan`,
//! `ModuleVersions`), the runtime's own (`/upgrade/done`,
//! `/upgrade/migration`), the modules' own ([`Module::query`](upgrade_runtime::Module::query):
//! bank balances, accounts), and whatever the chain adds through
//! [`Extensions::abci_query`](crate::Extensions::abci_query). Requests and answers are JSON. Only the latest state is
//! kept, so a query at another height says so.

use bytes::Bytes;
use serde_json::{Value, json};
use tendermint_proto::v0_38::abci::{RequestQuery, ResponseQuery};
use upgrade_runtime::VersionMap;
use upgrade_runtime::upgrade::{done_height, done_history, pending_plan};

use super::Failure;
use super::state::AbciNode;
use crate::commands::migration::status_of;

/// Code of a query the node cannot answer (an unknown path, bad data, a
/// height it does not keep).
pub const CODE_QUERY_FAILED: u32 = 1;

impl AbciNode {
    /// `Query` at `request.path`.
    pub fn query(&self, request: RequestQuery) -> Result<ResponseQuery, Failure> {
        let state = self.lock();
        let app = &state.app;
        let latest = app.last_commit().map_or(0, |c| c.height);
        let height = i64::try_from(latest).unwrap_or(i64::MAX);
        if request.height != 0 && request.height != height {
            return Ok(failed(
                height,
                format!(
                    "height {} is not retained: this node keeps only the latest state (height {latest}); query at height 0 or {latest}",
                    request.height
                ),
            ));
        }
        let answer = (|| -> anyhow::Result<Value> {
            let snapshot = app.snapshot()?;
            Ok(match request.path.as_str() {
                "/cosmos.upgrade.v1beta1.Query/CurrentPlan" => {
                    json!({ "plan": pending_plan(&snapshot)? })
                }
                "/cosmos.upgrade.v1beta1.Query/AppliedPlan" => {
                    let name = request_field(&request.data, "name")?;
                    let height = done_height(&snapshot, &name)?.unwrap_or(0);
                    json!({ "height": height.to_string() })
                }
                "/cosmos.upgrade.v1beta1.Query/ModuleVersions" => {
                    let versions = VersionMap::load(&snapshot)?;
                    let list: Vec<Value> = versions
                        .iter()
                        .map(
                            |(name, version)| json!({"name": name, "version": version.to_string()}),
                        )
                        .collect();
                    json!({ "module_versions": list })
                }
                "/upgrade/done" => json!({ "done": done_history(&snapshot)? }),
                "/upgrade/migration" => serde_json::to_value(status_of(app))?,
                path => match app.query(path, &request.data) {
                    Some(answer) => answer?,
                    None => match self.extensions.abci_query(app, path, &request.data) {
                        Some(answer) => answer?,
                        None => anyhow::bail!("unknown query path {path:?}"),
                    },
                },
            })
        })();
        Ok(match answer {
            Ok(value) => ResponseQuery {
                value: Bytes::from(serde_json::to_vec(&value).unwrap_or_default()),
                height,
                ..ResponseQuery::default()
            },
            Err(e) => failed(height, format!("{e:#}")),
        })
    }
}

/// A string field of a JSON request body.
fn request_field(data: &[u8], field: &str) -> anyhow::Result<String> {
    let body: Value = serde_json::from_slice(data)
        .map_err(|e| anyhow::anyhow!("the request data is not JSON: {e}"))?;
    body.get(field)
        .and_then(Value::as_str)
        .map(str::to_owned)
        .ok_or_else(|| anyhow::anyhow!("the request needs a string field {field:?}"))
}

fn failed(height: i64, log: String) -> ResponseQuery {
    ResponseQuery {
        code: CODE_QUERY_FAILED,
        log,
        height,
        ..ResponseQuery::default()
    }
}
