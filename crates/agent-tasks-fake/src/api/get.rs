//! The two get operations: a task by id among the caller's own, and a task by repository
//! and id. Both render the task with its sessions.

use hyper::StatusCode;

use crate::answer::Answer;
use crate::auth::Caller;
use crate::store::Store;

use super::request::Request;

/// `GET /agents/tasks/{id}`: only the caller's own tasks are visible.
pub(super) fn by_id(store: &Store, id: &str, req: &Request, caller: &Caller) -> Answer {
    match store.task(id) {
        Some(t) if t.creator_id == caller.id => {
            Answer::json(StatusCode::OK, &t.render_with_sessions(req.now, req.base))
        }
        _ => Answer::not_found(),
    }
}

/// `GET /agents/repos/{owner}/{repo}/tasks/{id}`.
pub(super) fn by_repo(store: &Store, owner: &str, repo: &str, id: &str, req: &Request) -> Answer {
    if store.find_repo(owner, repo).is_none() {
        return Answer::not_found();
    }
    match store.task(id) {
        Some(t) if t.repo.is(owner, repo) => {
            Answer::json(StatusCode::OK, &t.render_with_sessions(req.now, req.base))
        }
        _ => Answer::not_found(),
    }
}
