//! `POST /graphql`: the one query a client sends, `node(id:)` on a pull request's node id, for
//! the pull requests of the fake's own tasks. Anything else is a GraphQL error, as GitHub
//! answers: status 200 with `errors`.

use hyper::StatusCode;
use serde_json::{Value, json};

use crate::answer::Answer;
use crate::auth::Caller;
use crate::store::Store;

use super::request::Request;

pub(super) fn query(store: &Store, req: &Request, caller: &Caller) -> Answer {
    let Ok(body) = serde_json::from_slice::<Value>(req.body) else {
        return Answer::error(StatusCode::BAD_REQUEST, "Problems parsing JSON");
    };
    let query = body
        .get("query")
        .and_then(Value::as_str)
        .unwrap_or_default();
    let id = body
        .pointer("/variables/id")
        .and_then(Value::as_str)
        .unwrap_or_default();
    if !query.contains("node(") {
        return errors(
            json!([{"message": "The fake answers only `node(id:)` queries for pull requests."}]),
        );
    }
    if store.pulls_denied(caller.id) {
        return errors(json!([{
            "type": "FORBIDDEN",
            "path": ["node"],
            "message": "Resource not accessible by personal access token"
        }]));
    }
    let found = store.tasks().iter().find_map(|t| {
        let (pr_id, node_id) = t.pull_request_at(req.now)?;
        (node_id == id).then_some((t, pr_id))
    });
    match found {
        Some((t, _)) => Answer::json(
            StatusCode::OK,
            &json!({"data": {"node": {
                "__typename": "PullRequest",
                "number": t.number,
                "url": format!("https://github.com/{}/{}/pull/{}", t.repo.owner, t.repo.name, t.number),
                "title": t.prompt.lines().next().unwrap_or("").chars().take(80).collect::<String>(),
                "state": "OPEN",
                "isDraft": false,
                "merged": false,
            }}}),
        ),
        None => errors(json!([{
            "type": "NOT_FOUND",
            "path": ["node"],
            "message": format!("Could not resolve to a node with the global id of '{}'", crate::url::printable(id)),
        }])),
    }
}

fn errors(errors: Value) -> Answer {
    Answer::json(
        StatusCode::OK,
        &json!({"data": {"node": null}, "errors": errors}),
    )
}
