//! The two list operations: the caller's tasks (`GET /agents/tasks`) and a repository's
//! (`GET /agents/repos/{owner}/{repo}/tasks`). Filters, sort, pages and the `Link` header
//! follow GitHub; a filter value GitHub would refuse gets a 422 naming the parameter.

use chrono::{DateTime, Utc};
use hyper::StatusCode;
use serde_json::{Value, json};

use crate::answer::Answer;
use crate::auth::Caller;
use crate::model::{Repo, StoredTask, TaskState};
use crate::store::Store;
use crate::url::{encode_path, encode_query_component, query_pairs};

use super::request::Request;

/// The query parameters, checked.
struct Filters {
    per_page: usize,
    page: usize,
    by_created: bool,
    descending: bool,
    archived: bool,
    states: Option<Vec<TaskState>>,
    since: Option<DateTime<Utc>>,
    creators: Vec<i64>,
}

impl Filters {
    fn parse(pairs: &[(String, String)], for_repo: bool) -> Result<Filters, Answer> {
        let get = |name: &str| {
            pairs
                .iter()
                .find(|(k, _)| k == name)
                .map(|(_, v)| v.as_str())
        };
        let invalid = |field: &str| Answer::invalid("Task", field);
        let per_page = match get("per_page").map(str::parse::<usize>) {
            None => 30,
            Some(Ok(n)) if (1..=100).contains(&n) => n,
            Some(_) => return Err(invalid("per_page")),
        };
        let page = match get("page").map(str::parse::<usize>) {
            None => 1,
            Some(Ok(n)) if n >= 1 => n,
            Some(_) => return Err(invalid("page")),
        };
        let by_created = match get("sort") {
            None | Some("updated_at") => false,
            Some("created_at") => true,
            Some(_) => return Err(invalid("sort")),
        };
        let descending = match get("direction") {
            None | Some("desc") => true,
            Some("asc") => false,
            Some(_) => return Err(invalid("direction")),
        };
        let archived = match get("is_archived") {
            None | Some("false") => false,
            Some("true") => true,
            Some(_) => return Err(invalid("is_archived")),
        };
        let states: Option<Vec<TaskState>> = get("state").map(|s| {
            s.split(',')
                .map(str::trim)
                .filter(|s| !s.is_empty())
                .map(TaskState::from)
                .collect()
        });
        if let Some(states) = &states
            && states.iter().any(TaskState::is_unknown)
        {
            return Err(invalid("state"));
        }
        let since = match get("since").map(DateTime::parse_from_rfc3339) {
            None => None,
            Some(Ok(t)) => Some(t.with_timezone(&Utc)),
            Some(Err(_)) => return Err(invalid("since")),
        };
        // `creator_id` filters a repository's list only; the caller's list ignores it.
        let mut creators = Vec::new();
        if for_repo {
            for (_, v) in pairs.iter().filter(|(k, _)| k == "creator_id") {
                creators.push(v.parse::<i64>().map_err(|_| invalid("creator_id"))?);
            }
        }
        Ok(Filters {
            per_page,
            page,
            by_created,
            descending,
            archived,
            states,
            since,
            creators,
        })
    }
}

/// One page of `repo`'s tasks, or of the caller's when `repo` is `None`.
pub(super) fn list(store: &Store, repo: Option<&Repo>, req: &Request, caller: &Caller) -> Answer {
    let pairs = query_pairs(req.query);
    let f = match Filters::parse(&pairs, repo.is_some()) {
        Ok(f) => f,
        Err(answer) => return answer,
    };
    let now = req.now;
    let in_scope = |t: &&StoredTask| match repo {
        Some(r) => t.repo.id == r.id,
        None => t.creator_id == caller.id,
    };
    let scope: Vec<&StoredTask> = store.tasks().iter().filter(in_scope).collect();
    let total_active = scope.iter().filter(|t| t.archived_at.is_none()).count();
    let total_archived = scope.len() - total_active;
    let mut matching: Vec<(&StoredTask, DateTime<Utc>)> = scope
        .into_iter()
        .filter(|t| t.archived_at.is_some() == f.archived)
        .filter(|t| f.creators.is_empty() || f.creators.contains(&t.creator_id))
        .map(|t| (t, t.state_at(now)))
        .filter(|(_, (state, ..))| f.states.as_ref().is_none_or(|s| s.contains(state)))
        .filter(|(_, (_, updated, _))| f.since.is_none_or(|s| *updated >= s))
        .map(|(t, (_, updated, _))| (t, updated))
        .collect();
    matching.sort_by(|a, b| {
        let key = |x: &(&StoredTask, DateTime<Utc>)| {
            if f.by_created { x.0.created_at } else { x.1 }
        };
        key(a).cmp(&key(b)).then(a.0.number.cmp(&b.0.number))
    });
    if f.descending {
        matching.reverse();
    }
    let last = matching.len().div_ceil(f.per_page).max(1);
    let items: Vec<Value> = matching
        .iter()
        .skip((f.page - 1).saturating_mul(f.per_page))
        .take(f.per_page)
        .map(|(t, _)| t.render(now, req.base))
        .collect();
    Answer::json(
        StatusCode::OK,
        &json!({"tasks": items, "total_active_count": total_active, "total_archived_count": total_archived}),
    )
    .header("link", links(&pairs, req, f.page, last))
}

/// The `Link` header: next and last while there are more, always first, prev after page 1.
/// Every other parameter stays in the links, so following them keeps the filters.
fn links(pairs: &[(String, String)], req: &Request, page: usize, last: usize) -> String {
    let path = encode_path(req.path);
    let kept: Vec<String> = pairs
        .iter()
        .filter(|(k, _)| k != "page")
        .map(|(k, v)| {
            format!(
                "{}={}",
                encode_query_component(k),
                encode_query_component(v)
            )
        })
        .collect();
    let link_to = |n: usize, rel: &str| {
        let mut q = kept.clone();
        q.push(format!("page={n}"));
        format!("<{}{path}?{}>; rel=\"{rel}\"", req.base, q.join("&"))
    };
    let mut links = Vec::new();
    if page < last {
        links.push(link_to(page + 1, "next"));
        links.push(link_to(last, "last"));
    }
    links.push(link_to(1, "first"));
    if page > 1 {
        links.push(link_to((page - 1).min(last), "prev"));
    }
    links.join(", ")
}
