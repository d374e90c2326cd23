//! `GET /repos/{owner}/{repo}`: the repository and the caller's permissions on it, as GitHub
//! answers (the fields a client checks before starting a task).

use hyper::StatusCode;
use serde_json::json;

use crate::answer::Answer;
use crate::auth::Caller;
use crate::store::Store;

pub(super) fn get(store: &Store, owner: &str, repo: &str, caller: &Caller) -> Answer {
    let Some(r) = store.find_repo(owner, repo) else {
        return Answer::not_found();
    };
    let push = !store.is_read_only(caller.id);
    Answer::json(
        StatusCode::OK,
        &json!({
            "id": r.id,
            "name": r.name,
            "full_name": format!("{}/{}", r.owner, r.name),
            "owner": {"login": r.owner, "id": r.owner_id},
            "permissions": {"admin": false, "maintain": false, "push": push, "triage": push, "pull": true},
        }),
    )
}
