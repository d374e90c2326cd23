//! The API's operations: the five Agent tasks operations, and the few others a client needs
//! around them (`GET /user`, `GET /repos/{owner}/{repo}`, GraphQL's `node(id:)` for a pull
//! request), each in its own file. They run after the HTTP layer has drawn the faults, charged the rate limit and
//! checked the caller, and only turn a request into an [`Answer`] against the store.

mod create;
mod get;
mod graphql;
mod list;
mod repo;
mod request;
mod user;

pub(crate) use request::Request;

use crate::answer::Answer;
use crate::auth::Caller;
use crate::route::Route;
use crate::store::Store;

/// Runs the operation `route` names for `caller`.
pub(crate) fn answer(store: &mut Store, route: &Route, req: &Request, caller: &Caller) -> Answer {
    match route {
        Route::Create { owner, repo } => create::create(store, owner, repo, req, caller),
        Route::GetByRepo { owner, repo, id } => get::by_repo(store, owner, repo, id, req),
        Route::Get { id } => get::by_id(store, id, req, caller),
        Route::ListForRepo { owner, repo } => match store.find_repo(owner, repo).cloned() {
            Some(repo) => list::list(store, Some(&repo), req, caller),
            None => Answer::not_found(),
        },
        Route::List => list::list(store, None, req, caller),
        Route::User => user::me(caller),
        Route::Graphql => graphql::query(store, req, caller),
        Route::Repo { owner, repo } => repo::get(store, owner, repo, caller),
    }
}
