//! `POST /graphql`: the queries a client sends for the pull requests of the fake's own tasks,
//! `nodes(ids:)` (at most 100 ids, as GitHub) and `node(id:)`. Anything else is a GraphQL
//! error, as GitHub answers: status 200 with `errors`, each with the `path` of its node.

use hyper::StatusCode;
use serde_json::{Value, json};

use crate::answer::Answer;
use crate::auth::Caller;
use crate::model::StoredTask;
use crate::store::Store;

use super::request::Request;

/// The most ids one `nodes(ids:)` query may name (GitHub's limit).
const MAX_IDS: usize = 100;

pub(super) fn query(store: &Store, req: &Request, caller: &Caller) -> Answer {
    let Ok(body) = serde_json::from_slice::<Value>(req.body) else {
        return Answer::error(StatusCode::BAD_REQUEST, "Problems parsing JSON");
    };
    let query = body
        .get("query")
        .and_then(Value::as_str)
        .unwrap_or_default();
    let variables = body.get("variables");
    let (field, ids): (&str, Vec<&str>) = if query.contains("nodes(") {
        let ids = variables
            .and_then(|v| v.get("ids"))
            .and_then(Value::as_array)
            .map(|ids| {
                ids.iter()
                    .map(|id| id.as_str().unwrap_or_default())
                    .collect()
            })
            .unwrap_or_default();
        ("nodes", ids)
    } else if query.contains("node(") {
        let id = variables
            .and_then(|v| v.get("id"))
            .and_then(Value::as_str)
            .unwrap_or_default();
        ("node", vec![id])
    } else {
        return errors(
            Value::Null,
            json!([{"message": "The fake answers only `nodes(ids:)` and `node(id:)` queries for pull requests."}]),
        );
    };
    if ids.len() > MAX_IDS {
        return errors(
            Value::Null,
            json!([{"type": "EXCESSIVE_PAGINATION", "message": format!("nodes(ids:) takes at most {MAX_IDS} ids, got {}", ids.len())}]),
        );
    }
    let denied = store.pulls_denied(caller.id);
    let mut nodes = Vec::with_capacity(ids.len());
    let mut problems = Vec::new();
    for (i, id) in ids.iter().enumerate() {
        let path = if field == "nodes" {
            json!(["nodes", i])
        } else {
            json!(["node"])
        };
        if denied {
            nodes.push(Value::Null);
            problems.push(json!({
                "type": "FORBIDDEN",
                "path": path,
                "message": "Resource not accessible by personal access token"
            }));
            continue;
        }
        // Found by the number the node id carries, not by a scan of every task per id.
        let found = StoredTask::number_of_pull_request(id)
            .and_then(|n| store.task_by_number(n))
            .filter(|t| {
                t.pull_request_at(req.now)
                    .is_some_and(|(_, node_id)| node_id == *id)
            });
        match found {
            Some(t) => nodes.push(json!({
                "__typename": "PullRequest",
                "number": t.number,
                "url": format!("https://github.com/{}/{}/pull/{}", t.repo.owner, t.repo.name, t.number),
                "title": t.prompt.lines().next().unwrap_or("").chars().take(80).collect::<String>(),
                "state": "OPEN",
                "isDraft": false,
                "merged": false,
            })),
            None => {
                nodes.push(Value::Null);
                problems.push(json!({
                    "type": "NOT_FOUND",
                    "path": path,
                    "message": format!("Could not resolve to a node with the global id of '{}'", crate::url::printable(id)),
                }));
            }
        }
    }
    let data = if field == "nodes" {
        json!({ "nodes": nodes })
    } else {
        json!({ "node": nodes.into_iter().next().unwrap_or(Value::Null) })
    };
    if problems.is_empty() {
        Answer::json(StatusCode::OK, &json!({ "data": data }))
    } else {
        errors(data, Value::Array(problems))
    }
}

fn errors(data: Value, errors: Value) -> Answer {
    Answer::json(StatusCode::OK, &json!({"data": data, "errors": errors}))
}
