//! The API's operations: which one a request names ([`Route`], from its method and path alone),
//! and the handler that answers it, each in its own file. The five Agent tasks operations, and
//! the few others a client needs around them (`GET /user`, `GET /repos/{owner}/{repo}`,
//! GraphQL's `nodes(ids:)` for pull requests). Handlers run after the HTTP layer has drawn the
//! faults, charged the rate limit and checked the caller, and only turn a request into an
//! [`Answer`] against the store. A new operation is a variant and an arm here, and a handler
//! file (`tests/operations.rs` names any operation of the spec that has none).

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
use crate::store::Store;
use crate::url::decode_path_segment;
use hyper::Method;

/// The operations the fake serves.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Route {
    ListForRepo {
        owner: String,
        repo: String,
    },
    Create {
        owner: String,
        repo: String,
    },
    GetByRepo {
        owner: String,
        repo: String,
        id: String,
    },
    List,
    Get {
        id: String,
    },
    User,
    /// `POST /graphql`: only the `nodes(ids:)` and `node(id:)` queries that resolve pull requests.
    Graphql,
    /// `GET /repos/{owner}/{repo}`: the repository, with the caller's permissions.
    Repo {
        owner: String,
        repo: String,
    },
}

/// The operation name of a request that matches no route.
pub(crate) const UNKNOWN: &str = "unknown";

impl Route {
    /// The operation's name, as the spec's `operationId` spells it (snake case).
    pub(crate) fn name(&self) -> &'static str {
        match self {
            Route::ListForRepo { .. } => "list_tasks_for_repo",
            Route::Create { .. } => "create_task_in_repo",
            Route::GetByRepo { .. } => "get_task_by_repo_and_id",
            Route::List => "list_tasks",
            Route::Get { .. } => "get_task_by_id",
            Route::User => "get_authenticated_user",
            Route::Graphql => "graphql",
            Route::Repo { .. } => "get_repository",
        }
    }

    /// The route of `method` and `path` (without the query), or `None`.
    pub(crate) fn parse(method: &Method, path: &str) -> Option<Route> {
        let parts: Vec<String> = path
            .trim_end_matches('/')
            .split('/')
            .skip(1)
            .map(decode_path_segment)
            .collect();
        let p: Vec<&str> = parts.iter().map(String::as_str).collect();
        Some(match (method, p.as_slice()) {
            (&Method::GET, ["agents", "repos", o, r, "tasks"]) => Route::ListForRepo {
                owner: o.to_string(),
                repo: r.to_string(),
            },
            (&Method::POST, ["agents", "repos", o, r, "tasks"]) => Route::Create {
                owner: o.to_string(),
                repo: r.to_string(),
            },
            (&Method::GET, ["agents", "repos", o, r, "tasks", id]) => Route::GetByRepo {
                owner: o.to_string(),
                repo: r.to_string(),
                id: id.to_string(),
            },
            (&Method::GET, ["agents", "tasks"]) => Route::List,
            (&Method::GET, ["agents", "tasks", id]) => Route::Get { id: id.to_string() },
            (&Method::GET, ["user"]) => Route::User,
            (&Method::POST, ["graphql"]) => Route::Graphql,
            (&Method::GET, ["repos", o, r]) => Route::Repo {
                owner: o.to_string(),
                repo: r.to_string(),
            },
            _ => return None,
        })
    }
}

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

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn paths_route_to_their_operations() {
        let get = |p: &str| Route::parse(&Method::GET, p).map(|r| r.name());
        assert_eq!(get("/agents/tasks"), Some("list_tasks"));
        assert_eq!(get("/agents/tasks/"), Some("list_tasks"));
        assert_eq!(get("/agents/tasks/abc"), Some("get_task_by_id"));
        assert_eq!(get("/agents/repos/o/r/tasks"), Some("list_tasks_for_repo"));
        assert_eq!(
            get("/agents/repos/o/r/tasks/x"),
            Some("get_task_by_repo_and_id")
        );
        assert_eq!(get("/user"), Some("get_authenticated_user"));
        assert_eq!(get("/agents"), None);
        assert_eq!(get(""), None);
        assert_eq!(
            Route::parse(&Method::POST, "/agents/repos/o/r/tasks").map(|r| r.name()),
            Some("create_task_in_repo")
        );
        assert_eq!(Route::parse(&Method::DELETE, "/agents/tasks"), None);
        assert_eq!(
            Route::parse(&Method::GET, "/agents/repos/%6Fcto/r%a\u{e9}/tasks"),
            Some(Route::ListForRepo {
                owner: "octo".into(),
                repo: "r%a\u{e9}".into()
            })
        );
    }

    proptest! {
        #[test]
        fn parsing_never_panics(
            method in prop_oneof![
                Just(Method::GET),
                Just(Method::POST),
                Just(Method::PUT),
                "[A-Z]{1,8}".prop_map(|m| Method::from_bytes(m.as_bytes()).unwrap_or(Method::GET)),
            ],
            path in "\\PC*",
        ) {
            if let Some(route) = Route::parse(&method, &path) {
                prop_assert!(!route.name().is_empty());
            }
        }

        #[test]
        fn parsing_never_panics_on_api_like_paths(
            segments in proptest::collection::vec(
                prop_oneof!["agents", "repos", "tasks", "user", "%[0-9a-fA-F%]{0,3}", "\\PC{0,4}"],
                0..8,
            )
        ) {
            let path = format!("/{}", segments.join("/"));
            let _ = Route::parse(&Method::GET, &path);
            let _ = Route::parse(&Method::POST, &path);
        }
    }
}
