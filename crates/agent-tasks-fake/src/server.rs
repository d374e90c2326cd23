//! The HTTP side of the fake: one accept loop, one handler that applies the faults, checks
//! what GitHub checks, routes, counts, and answers.
//!
//! hyper is used directly (no framework) because a fault must be able to drop a connection
//! without an answer, even after the request was handled: the service returns an error and
//! hyper closes the connection.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use bytes::Bytes;
use chrono::{DateTime, Utc};
use http_body_util::{BodyExt, Full};
use hyper::body::Incoming;
use hyper::header::{CONTENT_TYPE, HeaderValue};
use hyper::{Method, Request, Response, StatusCode};
use hyper_util::rt::TokioIo;
use serde_json::{Value, json};
use tokio::net::TcpListener;

use crate::model::{
    Clock, Faults, Outcome, Repo, RequestCounts, Rng, Schedule, StateSnapshot, StoredTask,
};

/// API versions the fake accepts, as GitHub does for this API.
pub const SUPPORTED_API_VERSIONS: [&str; 2] = ["2022-11-28", "2026-03-10"];

const DOCS: &str = "https://docs.github.com/rest/agent-tasks/agent-tasks";
const KNOWN_STATES: [&str; 8] = [
    "queued",
    "in_progress",
    "completed",
    "failed",
    "idle",
    "waiting_for_user",
    "timed_out",
    "cancelled",
];

pub(crate) struct Inner {
    pub repos: Vec<Repo>,
    pub tokens: Vec<String>,
    pub tasks: Vec<StoredTask>,
    pub by_id: HashMap<String, usize>,
    pub clock: Clock,
    pub rng: Rng,
    pub faults: Faults,
    pub schedule: Schedule,
    pub scripts: Vec<(String, Outcome)>,
    pub counts: RequestCounts,
    pub total: u64,
    pub primary: (DateTime<Utc>, u64),
    pub next_request_id: u64,
    pub dropped_after_store: Vec<String>,
}

pub(crate) type Shared = Arc<Mutex<Inner>>;

impl Inner {
    pub(crate) fn snapshot(&self) -> StateSnapshot {
        let now = self.clock.now();
        StateSnapshot {
            now,
            tasks: self
                .tasks
                .iter()
                .map(|t| {
                    let mut v = t.render_with_sessions(now, "");
                    v["prompt"] = json!(t.prompt);
                    v["create_pull_request"] = json!(t.create_pull_request);
                    v["owner_login"] = json!(t.repo.owner);
                    v["repo_name"] = json!(t.repo.name);
                    v
                })
                .collect(),
            requests: self.counts.clone(),
            requests_total: self.total,
            faults: self.faults.clone(),
            dropped_after_store: self.dropped_after_store.clone(),
        }
    }

    fn count(&mut self, operation: &str, status: u16) {
        *self
            .counts
            .entry(operation.to_owned())
            .or_default()
            .entry(status)
            .or_default() += 1;
        self.total += 1;
    }

    pub(crate) fn add_repo(&mut self, owner: &str, name: &str) {
        if self.find_repo(owner, name).is_some() {
            return;
        }
        let n = self.repos.len() as i64;
        self.repos.push(Repo {
            owner: owner.to_owned(),
            name: name.to_owned(),
            id: 1_296_269 + n,
            owner_id: 583_231 + n,
        });
    }

    fn find_repo(&self, owner: &str, name: &str) -> Option<&Repo> {
        // GitHub's owner and repository names are not case sensitive.
        self.repos
            .iter()
            .find(|r| r.owner.eq_ignore_ascii_case(owner) && r.name.eq_ignore_ascii_case(name))
    }

    pub(crate) fn outcome_for(&self, prompt: &str) -> Outcome {
        self.scripts
            .iter()
            .find(|(pattern, _)| prompt.contains(pattern.as_str()))
            .map(|(_, o)| o.clone())
            .unwrap_or(Outcome::Completed)
    }
}

/// The error a service returns to make hyper drop the connection without an answer.
#[derive(Debug)]
struct Dropped;

impl std::fmt::Display for Dropped {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("connection dropped by fault injection")
    }
}

impl std::error::Error for Dropped {}

/// Accepts connections until `shutdown` fires.
pub(crate) async fn serve(
    listener: TcpListener,
    shared: Shared,
    mut shutdown: tokio::sync::watch::Receiver<bool>,
) {
    loop {
        tokio::select! {
            accepted = listener.accept() => {
                let Ok((stream, _)) = accepted else { continue };
                let _ = stream.set_nodelay(true);
                let shared = shared.clone();
                tokio::spawn(async move {
                    let service = hyper::service::service_fn(move |req| handle(shared.clone(), req));
                    let _ = hyper::server::conn::http1::Builder::new()
                        .keep_alive(true)
                        .serve_connection(TokioIo::new(stream), service)
                        .await;
                });
            }
            _ = shutdown.changed() => break,
        }
    }
}

struct Answer {
    status: StatusCode,
    body: Bytes,
    headers: Vec<(&'static str, String)>,
}

impl Answer {
    fn json(status: StatusCode, value: &Value) -> Self {
        Answer {
            status,
            body: Bytes::from(serde_json::to_vec(value).expect("JSON values serialize")),
            headers: Vec::new(),
        }
    }

    fn error(status: StatusCode, message: &str) -> Self {
        Answer::json(
            status,
            &json!({"message": message, "documentation_url": DOCS}),
        )
    }

    fn validation(errors: Value) -> Self {
        Answer::json(
            StatusCode::UNPROCESSABLE_ENTITY,
            &json!({"message": "Validation Failed", "documentation_url": DOCS, "errors": errors}),
        )
    }

    fn header(mut self, name: &'static str, value: impl Into<String>) -> Self {
        self.headers.push((name, value.into()));
        self
    }

    fn into_response(self) -> Response<Full<Bytes>> {
        let mut response = Response::new(Full::new(self.body));
        *response.status_mut() = self.status;
        let headers = response.headers_mut();
        if self.status != StatusCode::NOT_MODIFIED {
            headers.insert(
                CONTENT_TYPE,
                HeaderValue::from_static("application/json; charset=utf-8"),
            );
        }
        for (name, value) in self.headers {
            if let Ok(v) = HeaderValue::from_str(&value) {
                headers.append(name, v);
            }
        }
        response
    }
}

/// The operations of the API, by method and path.
enum Route {
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
}

impl Route {
    fn name(&self) -> &'static str {
        match self {
            Route::ListForRepo { .. } => "list_tasks_for_repo",
            Route::Create { .. } => "create_task_in_repo",
            Route::GetByRepo { .. } => "get_task_by_repo_and_id",
            Route::List => "list_tasks",
            Route::Get { .. } => "get_task_by_id",
        }
    }

    fn parse(method: &Method, path: &str) -> Option<Route> {
        let parts: Vec<String> = path
            .trim_end_matches('/')
            .split('/')
            .skip(1)
            .map(percent_decode)
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
            _ => return None,
        })
    }
}

fn percent_decode(s: &str) -> String {
    let bytes = s.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        match bytes[i] {
            b'%' if i + 2 < bytes.len() => match u8::from_str_radix(&s[i + 1..i + 3], 16) {
                Ok(b) => {
                    out.push(b);
                    i += 3;
                    continue;
                }
                Err(_) => out.push(b'%'),
            },
            b'+' => out.push(b' '),
            b => out.push(b),
        }
        i += 1;
    }
    String::from_utf8_lossy(&out).into_owned()
}

fn query_pairs(query: Option<&str>) -> Vec<(String, String)> {
    query
        .unwrap_or("")
        .split('&')
        .filter(|p| !p.is_empty())
        .map(|p| {
            let (k, v) = p.split_once('=').unwrap_or((p, ""));
            (percent_decode(k), percent_decode(v))
        })
        .collect()
}

async fn handle(shared: Shared, req: Request<Incoming>) -> Result<Response<Full<Bytes>>, Dropped> {
    if req.uri().path().starts_with("/_fake/") {
        return Ok(control(&shared, req).await.into_response());
    }
    let route = Route::parse(req.method(), req.uri().path());
    let operation = route.as_ref().map_or("unknown", Route::name);

    // Faults that strike before the request is handled.
    let (faults, before) = {
        let mut inner = shared.lock().expect("fake state lock");
        let faults = inner.faults.clone();
        let drop = inner.rng.chance(faults.drop_rate);
        let secondary_429 = inner.rng.chance(faults.secondary_429_rate);
        let secondary_403 = inner.rng.chance(faults.secondary_403_rate);
        let error = inner.rng.chance(faults.error_rate).then(|| {
            [
                StatusCode::INTERNAL_SERVER_ERROR,
                StatusCode::BAD_GATEWAY,
                StatusCode::SERVICE_UNAVAILABLE,
            ][(inner.rng.next_f64() * 3.0) as usize % 3]
        });
        (faults, (drop, secondary_429, secondary_403, error))
    };
    if faults.latency_ms > 0 {
        tokio::time::sleep(Duration::from_millis(faults.latency_ms)).await;
    }
    let (drop, secondary_429, secondary_403, error) = before;
    if drop {
        shared.lock().expect("fake state lock").count(operation, 0);
        return Err(Dropped);
    }

    let if_none_match = req
        .headers()
        .get("if-none-match")
        .and_then(|v| v.to_str().ok())
        .map(str::to_owned);
    let host = req
        .headers()
        .get("host")
        .and_then(|v| v.to_str().ok())
        .unwrap_or("127.0.0.1")
        .to_owned();
    let (parts, body) = req.into_parts();
    let body = match body.collect().await {
        Ok(b) => b.to_bytes(),
        Err(_) => return Err(Dropped),
    };

    let mut inner = shared.lock().expect("fake state lock");
    let now = inner.clock.now();
    let request_id = {
        inner.next_request_id += 1;
        format!(
            "FAKE:{:04X}:{:06X}",
            std::process::id() % 0xFFFF,
            inner.next_request_id
        )
    };

    // The primary rate limit, counted like GitHub: every answered request but a 304.
    let mut rate_headers = Vec::new();
    if let Some(limit) = faults.primary_limit {
        let window = chrono::Duration::seconds(if faults.primary_window_secs == 0 {
            3600
        } else {
            faults.primary_window_secs as i64
        });
        if now >= inner.primary.0 + window {
            inner.primary = (now, 0);
        }
        let reset = (inner.primary.0 + window).timestamp();
        if inner.primary.1 >= limit {
            rate_headers = rate_limit_headers(limit, 0, inner.primary.1, reset);
            let answer = with_headers(
                Answer::error(StatusCode::FORBIDDEN, "API rate limit exceeded for user ID 1. If you reach out to GitHub Support for help, please include the request ID."),
                rate_headers,
            )
            .header("x-github-request-id", request_id);
            inner.count(operation, 403);
            return Ok(answer.into_response());
        }
        inner.primary.1 += 1;
        let used = inner.primary.1;
        rate_headers = rate_limit_headers(limit, limit - used, used, reset);
    }

    let answer = if secondary_429 || secondary_403 {
        let status = if secondary_429 {
            StatusCode::TOO_MANY_REQUESTS
        } else {
            StatusCode::FORBIDDEN
        };
        let answer = Answer::error(
            status,
            "You have exceeded a secondary rate limit. Please wait a few minutes before you try again.",
        );
        if faults.retry_after_secs > 0 {
            answer.header("retry-after", faults.retry_after_secs.to_string())
        } else {
            answer
        }
    } else if let Some(status) = error {
        Answer::json(status, &json!({"message": "Server Error"}))
    } else {
        match check_request(&inner, &parts) {
            Err(answer) => answer,
            Ok(user) => match &route {
                None => Answer::error(StatusCode::NOT_FOUND, "Not Found"),
                Some(route) => answer(&mut inner, route, &parts, &body, user, now, &host),
            },
        }
    };

    // A task creation whose connection drops after the task was stored.
    if matches!(route, Some(Route::Create { .. }))
        && answer.status == StatusCode::CREATED
        && inner.rng.chance(faults.drop_after_store_rate)
    {
        inner.count(operation, 0);
        if let Some(task) = inner.tasks.last() {
            let id = task.id.clone();
            inner.dropped_after_store.push(id);
        }
        return Err(Dropped);
    }

    let mut answer = with_headers(answer, rate_headers).header("x-github-request-id", request_id);
    if parts.method == Method::GET && answer.status == StatusCode::OK {
        let etag = format!("\"{:016x}\"", fnv1a(&answer.body));
        if if_none_match.as_deref() == Some(etag.as_str()) {
            // GitHub does not charge a 304 to the rate limit.
            if faults.primary_limit.is_some() {
                inner.primary.1 = inner.primary.1.saturating_sub(1);
            }
            answer = Answer {
                status: StatusCode::NOT_MODIFIED,
                body: Bytes::new(),
                headers: answer.headers,
            };
        }
        answer = answer.header("etag", etag);
    }
    if answer.status.is_success()
        && answer.status != StatusCode::NOT_MODIFIED
        && inner.rng.chance(faults.malformed_rate)
    {
        answer.body = answer.body.slice(..answer.body.len() / 2);
    }
    inner.count(operation, answer.status.as_u16());
    Ok(answer.into_response())
}

fn rate_limit_headers(
    limit: u64,
    remaining: u64,
    used: u64,
    reset: i64,
) -> Vec<(&'static str, String)> {
    vec![
        ("x-ratelimit-limit", limit.to_string()),
        ("x-ratelimit-remaining", remaining.to_string()),
        ("x-ratelimit-used", used.to_string()),
        ("x-ratelimit-reset", reset.to_string()),
        ("x-ratelimit-resource", "core".to_owned()),
    ]
}

fn with_headers(mut answer: Answer, headers: Vec<(&'static str, String)>) -> Answer {
    answer.headers.extend(headers);
    answer
}

fn fnv1a(bytes: &[u8]) -> u64 {
    bytes.iter().fold(0xcbf2_9ce4_8422_2325u64, |h, b| {
        (h ^ u64::from(*b)).wrapping_mul(0x0100_0000_01b3)
    })
}

/// What GitHub checks before it looks at the operation: user agent, token, API version.
/// Returns the caller's user id.
fn check_request(inner: &Inner, parts: &hyper::http::request::Parts) -> Result<i64, Answer> {
    let header = |name: &str| parts.headers.get(name).and_then(|v| v.to_str().ok());
    if header("user-agent").is_none_or(|ua| ua.trim().is_empty()) {
        return Err(Answer::error(
            StatusCode::FORBIDDEN,
            "Request forbidden by administrative rules. Please make sure your request has a User-Agent header (https://docs.github.com/en/rest/overview/resources-in-the-rest-api#user-agent-required). Check https://developer.github.com for other possible causes.",
        ));
    }
    let Some(auth) = header("authorization") else {
        return Err(Answer::error(
            StatusCode::UNAUTHORIZED,
            "Requires authentication",
        ));
    };
    let token = auth
        .strip_prefix("Bearer ")
        .or_else(|| auth.strip_prefix("token "))
        .unwrap_or("");
    if token.starts_with("ghs_") {
        return Err(Answer::error(
            StatusCode::FORBIDDEN,
            "GitHub App installation access tokens are not supported for this endpoint.",
        ));
    }
    let Some(index) = inner.tokens.iter().position(|t| t == token) else {
        return Err(Answer::error(StatusCode::UNAUTHORIZED, "Bad credentials"));
    };
    if let Some(version) = header("x-github-api-version")
        && !SUPPORTED_API_VERSIONS.contains(&version)
    {
        return Err(Answer::error(
            StatusCode::BAD_REQUEST,
            &format!(
                "API version '{version}' is not supported. Supported: {}.",
                SUPPORTED_API_VERSIONS.join(", ")
            ),
        ));
    }
    Ok(index as i64 + 1)
}

fn answer(
    inner: &mut Inner,
    route: &Route,
    parts: &hyper::http::request::Parts,
    body: &Bytes,
    user: i64,
    now: DateTime<Utc>,
    host: &str,
) -> Answer {
    let base = format!("http://{host}");
    match route {
        Route::Create { owner, repo } => create(inner, owner, repo, body, user, now, &base),
        Route::GetByRepo { owner, repo, id } => {
            if inner.find_repo(owner, repo).is_none() {
                return Answer::error(StatusCode::NOT_FOUND, "Not Found");
            }
            match inner.by_id.get(id).map(|i| &inner.tasks[*i]) {
                Some(t)
                    if t.repo.owner.eq_ignore_ascii_case(owner)
                        && t.repo.name.eq_ignore_ascii_case(repo) =>
                {
                    Answer::json(StatusCode::OK, &t.render_with_sessions(now, &base))
                }
                _ => Answer::error(StatusCode::NOT_FOUND, "Not Found"),
            }
        }
        Route::Get { id } => match inner.by_id.get(id).map(|i| &inner.tasks[*i]) {
            Some(t) if t.creator_id == user => {
                Answer::json(StatusCode::OK, &t.render_with_sessions(now, &base))
            }
            _ => Answer::error(StatusCode::NOT_FOUND, "Not Found"),
        },
        Route::ListForRepo { owner, repo } => {
            let Some(r) = inner.find_repo(owner, repo).cloned() else {
                return Answer::error(StatusCode::NOT_FOUND, "Not Found");
            };
            list(inner, parts, Some(&r), user, now, &base)
        }
        Route::List => list(inner, parts, None, user, now, &base),
    }
}

fn create(
    inner: &mut Inner,
    owner: &str,
    repo: &str,
    body: &Bytes,
    user: i64,
    now: DateTime<Utc>,
    base: &str,
) -> Answer {
    let Some(repo) = inner.find_repo(owner, repo).cloned() else {
        return Answer::error(StatusCode::NOT_FOUND, "Not Found");
    };
    let Ok(Value::Object(fields)) = serde_json::from_slice::<Value>(body) else {
        return Answer::error(StatusCode::BAD_REQUEST, "Problems parsing JSON");
    };
    let prompt = match fields.get("prompt") {
        None => {
            return Answer::validation(
                json!([{"resource": "Task", "field": "prompt", "code": "missing_field"}]),
            );
        }
        Some(Value::String(p)) if p.trim().is_empty() => {
            return Answer::validation(
                json!([{"resource": "Task", "field": "prompt", "code": "custom", "message": "prompt must not be blank"}]),
            );
        }
        Some(Value::String(p)) => p.clone(),
        Some(_) => {
            return Answer::validation(
                json!([{"resource": "Task", "field": "prompt", "code": "invalid"}]),
            );
        }
    };
    let text = |name: &str| -> Result<Option<String>, Answer> {
        match fields.get(name) {
            None | Some(Value::Null) => Ok(None),
            Some(Value::String(s)) => Ok(Some(s.clone())),
            Some(_) => Err(Answer::validation(
                json!([{"resource": "Task", "field": name, "code": "invalid"}]),
            )),
        }
    };
    let (model, custom_agent, base_ref, head_ref) = match (
        text("model"),
        text("custom_agent"),
        text("base_ref"),
        text("head_ref"),
    ) {
        (Ok(a), Ok(b), Ok(c), Ok(d)) => (a, b, c, d),
        (Err(e), ..) | (_, Err(e), ..) | (_, _, Err(e), _) | (.., Err(e)) => return e,
    };
    let create_pull_request = match fields.get("create_pull_request") {
        None | Some(Value::Null) => false,
        Some(Value::Bool(b)) => *b,
        Some(_) => {
            return Answer::validation(
                json!([{"resource": "Task", "field": "create_pull_request", "code": "invalid"}]),
            );
        }
    };
    let number = inner.tasks.len() as u64 + 1;
    let id = format!("{:08x}-fa6e-4a5c-8000-{:012x}", number as u32, number);
    let task = StoredTask {
        number,
        id: id.clone(),
        repo,
        creator_id: user,
        outcome: inner.outcome_for(&prompt),
        prompt,
        model,
        custom_agent,
        base_ref,
        head_ref,
        create_pull_request,
        created_at: now,
        schedule: inner.schedule,
        archived_at: None,
    };
    let rendered = task.render(now, base);
    inner.by_id.insert(id, inner.tasks.len());
    inner.tasks.push(task);
    Answer::json(StatusCode::CREATED, &rendered)
}

fn list(
    inner: &Inner,
    parts: &hyper::http::request::Parts,
    repo: Option<&Repo>,
    user: i64,
    now: DateTime<Utc>,
    base: &str,
) -> Answer {
    let pairs = query_pairs(parts.uri.query());
    let get = |name: &str| {
        pairs
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.as_str())
    };
    let invalid = |field: &str| {
        Answer::validation(json!([{"resource": "Task", "field": field, "code": "invalid"}]))
    };

    let per_page = match get("per_page").map(str::parse::<usize>) {
        None => 30,
        Some(Ok(n)) if (1..=100).contains(&n) => n,
        Some(_) => return invalid("per_page"),
    };
    let page = match get("page").map(str::parse::<usize>) {
        None => 1,
        Some(Ok(n)) if n >= 1 => n,
        Some(_) => return invalid("page"),
    };
    let sort = get("sort").unwrap_or("updated_at");
    if !matches!(sort, "updated_at" | "created_at") {
        return invalid("sort");
    }
    let direction = get("direction").unwrap_or("desc");
    if !matches!(direction, "asc" | "desc") {
        return invalid("direction");
    }
    let archived = match get("is_archived") {
        None | Some("false") => false,
        Some("true") => true,
        Some(_) => return invalid("is_archived"),
    };
    let states: Option<Vec<&str>> = get("state").map(|s| {
        s.split(',')
            .map(str::trim)
            .filter(|s| !s.is_empty())
            .collect()
    });
    if let Some(states) = &states
        && states.iter().any(|s| !KNOWN_STATES.contains(s))
    {
        return invalid("state");
    }
    let since = match get("since").map(DateTime::parse_from_rfc3339) {
        None => None,
        Some(Ok(t)) => Some(t.with_timezone(&Utc)),
        Some(Err(_)) => return invalid("since"),
    };
    let mut creators = Vec::new();
    for (k, v) in &pairs {
        if k == "creator_id" {
            if repo.is_none() {
                continue;
            }
            match v.parse::<i64>() {
                Ok(id) => creators.push(id),
                Err(_) => return invalid("creator_id"),
            }
        }
    }

    let in_scope = |t: &&StoredTask| match repo {
        Some(r) => t.repo.id == r.id,
        None => t.creator_id == user,
    };
    let scope: Vec<&StoredTask> = inner.tasks.iter().filter(in_scope).collect();
    let total_active = scope.iter().filter(|t| t.archived_at.is_none()).count();
    let total_archived = scope.len() - total_active;
    let mut matching: Vec<(&StoredTask, &'static str, DateTime<Utc>)> = scope
        .into_iter()
        .filter(|t| t.archived_at.is_some() == archived)
        .filter(|t| creators.is_empty() || creators.contains(&t.creator_id))
        .map(|t| {
            let (state, updated) = t.state_at(now);
            (t, state, updated)
        })
        .filter(|(_, state, _)| states.as_ref().is_none_or(|s| s.contains(state)))
        .filter(|(_, _, updated)| since.is_none_or(|s| *updated >= s))
        .collect();
    matching.sort_by(|a, b| {
        let key = |x: &(&StoredTask, &str, DateTime<Utc>)| {
            if sort == "created_at" {
                x.0.created_at
            } else {
                x.2
            }
        };
        key(a).cmp(&key(b)).then(a.0.number.cmp(&b.0.number))
    });
    if direction == "desc" {
        matching.reverse();
    }
    let last = matching.len().div_ceil(per_page).max(1);
    let items: Vec<Value> = matching
        .iter()
        .skip((page - 1).saturating_mul(per_page))
        .take(per_page)
        .map(|(t, ..)| t.render(now, base))
        .collect();
    let link_to = |n: usize| {
        let mut q: Vec<String> = pairs
            .iter()
            .filter(|(k, _)| k != "page")
            .map(|(k, v)| format!("{k}={}", encode_query(v)))
            .collect();
        q.push(format!("page={n}"));
        format!("<{base}{}?{}>", parts.uri.path(), q.join("&"))
    };
    let mut links = Vec::new();
    if page < last {
        links.push(format!("{}; rel=\"next\"", link_to(page + 1)));
        links.push(format!("{}; rel=\"last\"", link_to(last)));
    }
    links.push(format!("{}; rel=\"first\"", link_to(1)));
    if page > 1 {
        links.push(format!("{}; rel=\"prev\"", link_to((page - 1).min(last))));
    }
    Answer::json(
        StatusCode::OK,
        &json!({"tasks": items, "total_active_count": total_active, "total_archived_count": total_archived}),
    )
    .header("link", links.join(", "))
}

fn encode_query(v: &str) -> String {
    v.bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' | b',' | b':' => {
                (b as char).to_string()
            }
            _ => format!("%{b:02X}"),
        })
        .collect()
}

/// `/_fake/...`: inspection and control, without faults or auth.
async fn control(shared: &Shared, req: Request<Incoming>) -> Answer {
    let method = req.method().clone();
    let path = req.uri().path().to_owned();
    let body = req
        .into_body()
        .collect()
        .await
        .map(|b| b.to_bytes())
        .unwrap_or_default();
    let mut inner = shared.lock().expect("fake state lock");
    match (method, path.as_str()) {
        (Method::GET, "/_fake/state") => Answer::json(
            StatusCode::OK,
            &serde_json::to_value(inner.snapshot()).expect("serializes"),
        ),
        (Method::PUT, "/_fake/faults") => match serde_json::from_slice::<Faults>(&body) {
            Ok(faults) => {
                inner.faults = faults;
                Answer::json(
                    StatusCode::OK,
                    &serde_json::to_value(&inner.faults).expect("serializes"),
                )
            }
            Err(e) => Answer::error(StatusCode::BAD_REQUEST, &format!("bad faults: {e}")),
        },
        (Method::POST, "/_fake/clock/advance") => match serde_json::from_slice::<Value>(&body)
            .ok()
            .and_then(|v| v["seconds"].as_f64())
        {
            Some(s) if s >= 0.0 => {
                inner.clock.advance(Duration::from_secs_f64(s));
                Answer::json(StatusCode::OK, &json!({"now": inner.clock.now()}))
            }
            _ => Answer::error(StatusCode::BAD_REQUEST, "expected {\"seconds\": N}"),
        },
        (Method::POST, "/_fake/outcomes") => {
            #[derive(serde::Deserialize)]
            struct Script {
                prompt_contains: String,
                outcome: Outcome,
            }
            match serde_json::from_slice::<Script>(&body) {
                Ok(s) => {
                    inner.scripts.push((s.prompt_contains, s.outcome));
                    Answer::json(StatusCode::OK, &json!({"scripts": inner.scripts.len()}))
                }
                Err(e) => Answer::error(StatusCode::BAD_REQUEST, &format!("bad script: {e}")),
            }
        }
        _ => Answer::error(
            StatusCode::NOT_FOUND,
            "unknown control endpoint: GET /_fake/state, PUT /_fake/faults, POST /_fake/clock/advance, POST /_fake/outcomes",
        ),
    }
}
