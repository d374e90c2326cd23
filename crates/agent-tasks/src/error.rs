//! The crate's one error type.
//!
//! Every failure of a call ends up here. GitHub's answers become an [`ApiError`] in one place
//! (`ApiError::from_answer`, called by the transport), keeping what a caller needs to act:
//! the status, GitHub's message, documentation URL and validation errors, the request id, the
//! rate-limit figures, and a plain hint where the cause is knowable. `Display` is a short
//! phrase; the cause (a refused connection, a TLS failure, a body that did not decode) is
//! reachable through [`std::error::Error::source`]. The token never appears in any of it.

use std::time::Duration;

use chrono::{DateTime, TimeZone, Utc};
use reqwest::StatusCode;
use reqwest::header::{HeaderMap, HeaderValue};

use crate::clock::human;
use crate::types::{Task, TaskWithSessions, ValidationError, ValidationErrorCode};

/// A `Result` with this crate's [`Error`].
pub type Result<T, E = Error> = std::result::Result<T, E>;

/// What went wrong with a call.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// An argument or a setting was rejected before anything was sent.
    #[error("invalid {field}: {reason}")]
    InvalidInput {
        /// The argument or setting, as named in this crate's API (`owner`, `per_page`, ...).
        field: &'static str,
        /// What is wrong with it.
        reason: String,
    },

    /// The token is missing or cannot be used with this API; nothing was sent.
    #[error("{0}")]
    Token(TokenProblem),

    /// GitHub (or something in front of it) answered with an error status.
    #[error("{0}")]
    Api(Box<ApiError>),

    /// The request could not be sent, or the connection failed before an answer arrived
    /// (refused, DNS, TLS, reset). The cause is the `source`.
    #[error("cannot reach {url}")]
    Transport {
        /// The base URL of the API.
        url: String,
        /// What failed.
        #[source]
        source: reqwest::Error,
    },

    /// No answer arrived within the configured timeout.
    #[error("no answer from {url} in time")]
    Timeout {
        /// The base URL of the API.
        url: String,
        /// What failed.
        #[source]
        source: reqwest::Error,
    },

    /// An answer arrived but its body could not be decoded. The `source` is the decoding
    /// error (whose own `source` is serde's).
    #[error("{0}")]
    Decode(#[source] Box<DecodeError>),

    /// An answer's body was longer than the client accepts
    /// ([`ClientBuilder::max_response_bytes`](crate::client::ClientBuilder::max_response_bytes)).
    #[error("the answer is larger than the limit of {limit} bytes")]
    BodyTooLarge {
        /// The limit, in bytes.
        limit: u64,
        /// The size the answer declared, if it declared one.
        declared: Option<u64>,
    },

    /// The server's pagination cannot be followed safely (a `next` link that does not move
    /// forward, or more pages than the documented bound); the walk stopped there.
    #[error("pagination stopped: {reason}")]
    Pagination {
        /// What the server did.
        reason: String,
    },

    /// The primary rate limit is spent until a reset further away than the client may wait;
    /// nothing was sent.
    #[error("rate limit spent until {}; nothing was sent", limit.reset.to_rfc3339())]
    RateLimited {
        /// The figures of the latest answer.
        limit: RateLimit,
    },

    /// A task creation never reached GitHub (the connection could not even be opened), so no
    /// task was created. Safe to try again.
    #[error("the task was not created: the request never reached GitHub")]
    NotCreated {
        /// Why the request could not be sent.
        #[source]
        cause: Box<Error>,
    },

    /// A task creation failed in a way that leaves unknown whether the task was created (a
    /// timeout, a dropped connection, a 5xx), and looking for it did not settle the question.
    /// The task may exist: check before starting it again.
    #[error(
        "look for the task before starting it again: it may or may not have been created ({checked})"
    )]
    OutcomeUnknown {
        /// What went wrong with the creation.
        #[source]
        cause: Box<Error>,
        /// What was done to find the task, and what that found.
        checked: String,
        /// Tasks that could be the one created, when there were several (none is claimed).
        candidates: Vec<String>,
    },

    /// The task was created, but the answer carries an id this client cannot use in a
    /// request path (empty, `.`, `..`, or with `/`, `%`, ...). The task as GitHub described it
    /// is kept.
    #[error("the task was created, but its id {id:?} cannot be used in a request: {reason}")]
    CreatedWithUnusableId {
        /// The id as GitHub sent it.
        id: String,
        /// What is wrong with it.
        reason: String,
        /// The task as GitHub described it.
        task: Box<Task>,
    },

    /// A wait for one task reached its timeout; the task as last seen is kept.
    #[error("gave up waiting after {}: {}", human(*waited), still(last.as_deref()))]
    WaitTimedOut {
        /// How long the wait lasted.
        waited: Duration,
        /// The task as last seen (`None` if no answer came before the deadline).
        last: Option<Box<TaskWithSessions>>,
    },

    /// A task waited for with `wait_for_all` does not appear in the token's list of tasks (it
    /// was created by another user, or archived), so its state cannot be followed that way.
    #[error(
        "task {task_id} is not in this token's list of tasks (another user's, or archived); wait for it with client.task(id).wait()"
    )]
    TaskNotListed {
        /// The task's id.
        task_id: String,
    },

    /// A wait for many tasks reached its timeout.
    #[error("gave up waiting after {}: {pending} tasks have not finished", human(*waited))]
    WaitAllTimedOut {
        /// How long the wait lasted.
        waited: Duration,
        /// How many tasks did not meet the condition.
        pending: usize,
    },

    /// GitHub's GraphQL API answered with an error (it answers errors with status 200).
    #[error("github's graphql api refused: {message}")]
    GraphQl {
        /// GitHub's error type (`FORBIDDEN`, `NOT_FOUND`, ...), when given.
        kind: Option<String>,
        /// GitHub's message.
        message: String,
    },

    /// Something this crate should have prevented happened: a bug, worth reporting.
    #[error("internal error in agent-tasks (please report it): {0}")]
    Internal(String),
}

fn still(last: Option<&TaskWithSessions>) -> String {
    match last {
        Some(task) => format!("the task is still {}", task.state),
        None => "no answer came in time".to_owned(),
    }
}

/// Why a token cannot be used; nothing was sent.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum TokenProblem {
    /// No token was given (nor found in the environment by `from_env`).
    Missing,
    /// The token is an empty string.
    Empty,
    /// The token contains whitespace or control characters (a newline copied with it?).
    Whitespace,
    /// The token contains characters outside ASCII.
    NonAscii,
    /// A GitHub App installation token (`ghs_...`), which this API refuses.
    Installation,
}

impl std::fmt::Display for TokenProblem {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self {
            TokenProblem::Missing => {
                "no token (give one, or use from_env with GH_TOKEN or GITHUB_TOKEN)"
            }
            TokenProblem::Empty => "the token is empty",
            TokenProblem::Whitespace => {
                "the token contains whitespace or control characters (was a newline copied with it?)"
            }
            TokenProblem::NonAscii => "the token contains characters outside ASCII",
            TokenProblem::Installation => {
                "GitHub App installation tokens (ghs_...) are refused by this API"
            }
        })
    }
}

impl std::error::Error for TokenProblem {}

impl Error {
    pub(crate) fn invalid(field: &'static str, reason: impl Into<String>) -> Self {
        Error::InvalidInput {
            field,
            reason: reason.into(),
        }
    }

    /// The HTTP status of the answer, if one arrived.
    pub fn status(&self) -> Option<StatusCode> {
        match self {
            Error::Api(e) => Some(e.status),
            Error::Decode(e) => e.status,
            _ => None,
        }
    }

    /// GitHub's error details, when the error is an error answer.
    pub fn api(&self) -> Option<&ApiError> {
        match self {
            Error::Api(e) => Some(e),
            _ => None,
        }
    }

    /// GitHub's request id (`x-github-request-id`), to quote to GitHub support.
    pub fn request_id(&self) -> Option<&str> {
        match self {
            Error::OutcomeUnknown { cause, .. } | Error::NotCreated { cause } => cause.request_id(),
            _ => self.api().and_then(|e| e.request_id.as_deref()),
        }
    }

    /// A plain hint at the cause and the fix, where it is knowable.
    pub fn hint(&self) -> Option<&str> {
        match self {
            Error::Api(e) => e.hint.as_deref(),
            Error::Token(TokenProblem::Installation) => Some(
                "use a user-to-server token: a personal access token, an OAuth app token or a GitHub App user access token",
            ),
            Error::Token(_) => Some(
                "pass the token of a user (a personal access token, an OAuth app token or a GitHub App user access token)",
            ),
            Error::OutcomeUnknown { .. } => Some(
                "list the repository's tasks (or look on github.com) before starting the task again, or accept a possible duplicate",
            ),
            Error::RateLimited { .. } => {
                Some("wait for the reset, or allow longer waits with RateLimitPolicy::max_wait")
            }
            Error::BodyTooLarge { .. } => Some(
                "something other than GitHub may be answering (a proxy?); raise the limit with ClientBuilder::max_response_bytes if the answer is genuine",
            ),
            Error::GraphQl { kind, .. } if kind.as_deref() == Some("FORBIDDEN") => Some(
                "the token may not read pull requests: give it the \"Pull requests\" repository permission (read)",
            ),
            Error::Transport { .. } => {
                Some("check the base URL, the network and any proxy (HTTPS_PROXY, NO_PROXY)")
            }
            _ => None,
        }
    }

    /// 404: the task or repository does not exist, is not visible to the token, or the host
    /// does not serve this API.
    pub fn is_not_found(&self) -> bool {
        self.status() == Some(StatusCode::NOT_FOUND)
    }

    /// An authentication problem: no usable token, a 401, or a 403 that is not a rate limit
    /// (the token is wrong, expired or lacks access).
    pub fn is_auth(&self) -> bool {
        match self {
            Error::Token(_) => true,
            Error::Api(e) => {
                e.status == StatusCode::UNAUTHORIZED
                    || (e.status == StatusCode::FORBIDDEN && !e.is_rate_limited())
            }
            _ => false,
        }
    }

    /// A primary or secondary rate limit refused the request, or held it back.
    pub fn is_rate_limited(&self) -> bool {
        matches!(self, Error::RateLimited { .. })
            || self.api().is_some_and(ApiError::is_rate_limited)
    }

    /// Whether a task creation may have succeeded although it returned this error.
    pub fn is_outcome_unknown(&self) -> bool {
        matches!(self, Error::OutcomeUnknown { .. })
    }

    /// Whether the same request may succeed if sent again later: transport failures, timeouts,
    /// 5xx answers and rate limits. Says nothing about whether resending is *safe*: a POST
    /// that timed out may have created its task.
    pub fn is_retryable(&self) -> bool {
        match self {
            Error::Transport { .. }
            | Error::Timeout { .. }
            | Error::RateLimited { .. }
            | Error::NotCreated { .. } => true,
            Error::Api(e) => e.status.is_server_error() || e.is_rate_limited(),
            Error::Decode(d) => d.truncated,
            _ => false,
        }
    }

    /// Whether a wait gave up at its timeout.
    pub fn is_wait_timeout(&self) -> bool {
        matches!(
            self,
            Error::WaitTimedOut { .. } | Error::WaitAllTimedOut { .. }
        )
    }

    /// Whether the error happened before anything was sent (bad input, settings or token).
    pub fn is_invalid_input(&self) -> bool {
        matches!(self, Error::InvalidInput { .. } | Error::Token(_))
    }
}

/// Longest piece of a body kept in an error.
pub(crate) const SNIPPET_LEN: usize = 200;

/// GitHub's error answer, with what the caller needs to act on it.
#[derive(Clone, Debug)]
#[non_exhaustive]
pub struct ApiError {
    /// The HTTP status.
    pub status: StatusCode,
    /// GitHub's `message`, if the body had one.
    pub message: Option<String>,
    /// GitHub's `documentation_url`, if the body had one.
    pub documentation_url: Option<String>,
    /// Validation errors (`errors[]`), mostly of a 422 answer.
    pub errors: Vec<ValidationError>,
    /// The `x-github-request-id` header.
    pub request_id: Option<String>,
    /// Rate-limit figures from the answer's headers.
    pub rate_limit: Option<RateLimit>,
    /// How long the `retry-after` header asks to wait (seconds, or a date), if it was readable.
    pub retry_after: Option<Duration>,
    /// A plain hint at the cause and the fix, where it is knowable.
    pub hint: Option<String>,
    /// The start of the body (printable characters only) when it was not GitHub's JSON error
    /// shape: an empty body, a proxy's HTML page.
    pub body_snippet: Option<String>,
}

/// GitHub's JSON error shape, read leniently: any status may carry it.
#[derive(serde::Deserialize)]
struct GithubError {
    message: String,
    #[serde(default)]
    documentation_url: Option<String>,
    #[serde(default)]
    errors: Option<Vec<serde_json::Value>>,
}

impl ApiError {
    /// Reads an error answer: GitHub's JSON error shape when the body has it (whatever the
    /// status), else a printable snippet of the body. `now` dates a `retry-after` given as a
    /// date when the answer has no `date` header.
    pub(crate) fn from_answer(
        status: StatusCode,
        headers: &HeaderMap,
        body: &[u8],
        now: DateTime<Utc>,
    ) -> Self {
        let (message, documentation_url, errors, body_snippet) =
            match serde_json::from_slice::<GithubError>(body) {
                Ok(e) => (
                    Some(e.message).filter(|m| !m.trim().is_empty()),
                    e.documentation_url.filter(|u| !u.is_empty()),
                    e.errors
                        .unwrap_or_default()
                        .into_iter()
                        .map(validation_error)
                        .collect(),
                    None,
                ),
                Err(_) => (
                    None,
                    None,
                    Vec::new(),
                    Some(printable_snippet(body, SNIPPET_LEN)),
                ),
            };
        let header = |name: &str| headers.get(name).and_then(|v| v.to_str().ok());
        let answered_at = crate::clock::date_of(headers).unwrap_or(now);
        let mut error = ApiError {
            status,
            message,
            documentation_url,
            errors,
            request_id: header("x-github-request-id").map(str::to_owned),
            rate_limit: RateLimit::from_headers(headers),
            retry_after: header("retry-after").and_then(|v| parse_retry_after(v, answered_at)),
            hint: None,
            body_snippet,
        };
        error.hint = error.plain_hint();
        error
    }

    /// A primary limit (`x-ratelimit-remaining: 0`), or a secondary one (429, or a 403 with
    /// `retry-after` or whose message says so, as GitHub documents).
    pub fn is_rate_limited(&self) -> bool {
        if self.status == StatusCode::TOO_MANY_REQUESTS {
            return true;
        }
        if self.status != StatusCode::FORBIDDEN {
            return false;
        }
        self.retry_after.is_some()
            || self.rate_limit.as_ref().is_some_and(|r| r.remaining == 0)
            || self
                .message
                .as_deref()
                .is_some_and(|m| m.to_ascii_lowercase().contains("rate limit"))
    }

    fn plain_hint(&self) -> Option<String> {
        let text = match self.status.as_u16() {
            _ if self.is_rate_limited() => match (self.retry_after, &self.rate_limit) {
                (Some(wait), _) => format!(
                    "rate limited: GitHub asks to wait {} before sending again",
                    human(wait)
                ),
                (None, Some(r)) if r.remaining == 0 => format!(
                    "the rate-limit budget is spent until {}",
                    r.reset.to_rfc3339()
                ),
                _ => "secondary rate limit: wait at least one minute before sending again"
                    .to_owned(),
            },
            // Only a conditional request (with `If-None-Match`) can be answered 304, and those
            // never become an error: this one was not asked for.
            304 => "a 304 Not Modified that was not asked for (no If-None-Match was sent): a cache or proxy between this client and GitHub may be answering".to_owned(),
            300..=399 => "a redirect this client does not follow: it follows at most five, and only within the same host, so that the token never goes elsewhere (check the base URL)".to_owned(),
            401 => "the token is missing, malformed, expired or revoked".to_owned(),
            403 => "the token needs the \"Agent tasks\" repository permission (read to list and get, read and write to start tasks), must be a user-to-server token, and its owner needs a Copilot plan that allows cloud agent tasks".to_owned(),
            // GitHub's 404s carry a documentation URL; a server that is not GitHub (a test's
            // mock server with no matching mock, a wrong base URL) answers without one.
            404 if self.documentation_url.is_none() => "the server answered 404 without GitHub's error shape: is the base URL right? (a mock server answers this way when no mock matches the request)".to_owned(),
            404 => "the repository or task does not exist or is not visible to this token, or this host does not serve the Agent tasks API".to_owned(),
            422 => "GitHub rejected the request's fields; see the validation errors".to_owned(),
            500..=599 => "GitHub had a problem; the request may succeed later".to_owned(),
            _ => return None,
        };
        Some(text)
    }
}

fn validation_error(value: serde_json::Value) -> ValidationError {
    match value {
        serde_json::Value::String(message) => ValidationError {
            code: ValidationErrorCode::Custom,
            message: Some(message),
        },
        other => {
            let text = |key: &str| other.get(key).and_then(|v| v.as_str()).map(str::to_owned);
            ValidationError {
                code: text("code").map_or(ValidationErrorCode::Custom, |c| {
                    ValidationErrorCode::from(c.as_str())
                }),
                message: text("message"),
            }
        }
    }
}

/// `retry-after`: whole seconds, or an HTTP date (relative to when the answer was given). A
/// negative number or text is no instruction at all (`None`).
fn parse_retry_after(value: &str, answered_at: DateTime<Utc>) -> Option<Duration> {
    let value = value.trim();
    if let Ok(secs) = value.parse::<u64>() {
        return Some(Duration::from_secs(secs));
    }
    let at = crate::clock::http_date(value)?;
    Some((at - answered_at).to_std().unwrap_or_default())
}

impl std::fmt::Display for ApiError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "github answered {}", self.status)?;
        // "404 Not Found: Not Found" says nothing twice.
        if let Some(message) = &self.message
            && self
                .status
                .canonical_reason()
                .is_none_or(|r| !r.eq_ignore_ascii_case(message.trim()))
        {
            write!(f, ": {}", message.trim())?;
        }
        for e in &self.errors {
            write!(f, "; {}", e.code)?;
            if let Some(m) = &e.message {
                write!(f, " ({m})")?;
            }
        }
        Ok(())
    }
}

impl std::error::Error for ApiError {}

/// Rate-limit figures from GitHub's `x-ratelimit-*` headers.
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub struct RateLimit {
    /// Requests allowed per window.
    pub limit: u64,
    /// Requests left in this window.
    pub remaining: u64,
    /// Requests used in this window.
    pub used: Option<u64>,
    /// When the window resets.
    pub reset: DateTime<Utc>,
    /// The budget the figures belong to (`core`, ...).
    pub resource: Option<String>,
}

impl RateLimit {
    /// Reads the figures from a response's headers; `None` unless limit, remaining and reset
    /// are all present and numeric.
    pub fn from_headers(headers: &HeaderMap) -> Option<Self> {
        // One pass over the answer's headers: a lookup of each name would hash it, on every
        // answer. The first value of a name counts, as `HeaderMap::get` would have it.
        let (mut limit, mut remaining, mut used, mut reset, mut resource) =
            (None, None, None, None, None);
        for (name, value) in headers {
            let Some(figure) = name.as_str().strip_prefix("x-ratelimit-") else {
                continue;
            };
            let slot = match figure {
                "limit" => &mut limit,
                "remaining" => &mut remaining,
                "used" => &mut used,
                "reset" => &mut reset,
                "resource" => &mut resource,
                _ => continue,
            };
            if slot.is_none() {
                *slot = Some(value);
            }
        }
        let num = |value: Option<&HeaderValue>| {
            value
                .and_then(|v| v.to_str().ok())
                .and_then(|s| s.trim().parse::<u64>().ok())
        };
        Some(RateLimit {
            limit: num(limit)?,
            remaining: num(remaining)?,
            used: num(used),
            reset: Utc
                .timestamp_opt(i64::try_from(num(reset)?).ok()?, 0)
                .single()?,
            resource: resource.and_then(|v| v.to_str().ok()).map(str::to_owned),
        })
    }
}

/// A body that arrived but could not be decoded.
#[derive(Debug)]
#[non_exhaustive]
pub struct DecodeError {
    /// The HTTP status, when known.
    pub status: Option<StatusCode>,
    /// Where in the JSON decoding failed (`tasks[3].created_at`), when known.
    pub path: Option<String>,
    /// The start of the body, printable characters only.
    pub snippet: String,
    /// The body ended early (a transfer cut short rather than a shape the client does not
    /// know): worth another try.
    pub truncated: bool,
    source: Box<dyn std::error::Error + Send + Sync>,
}

impl DecodeError {
    /// A body that is not the JSON the operation answers with.
    pub(crate) fn json<T: serde::de::DeserializeOwned>(
        status: Option<StatusCode>,
        bytes: &[u8],
        source: serde_json::Error,
    ) -> Self {
        // Decode again to learn the path of the field that failed: only on this error path.
        let path = {
            let mut de = serde_json::Deserializer::from_slice(bytes);
            match serde_path_to_error::deserialize::<_, T>(&mut de) {
                Ok(_) => None,
                Err(e) => Some(e.path().to_string()).filter(|p| p != "."),
            }
        };
        DecodeError {
            status,
            path,
            snippet: printable_snippet(bytes, SNIPPET_LEN),
            truncated: source.is_eof(),
            source: Box::new(source),
        }
    }

    /// A body whose transfer broke off before it ended.
    pub(crate) fn cut_short(status: Option<StatusCode>, source: reqwest::Error) -> Self {
        DecodeError {
            status,
            path: None,
            snippet: String::new(),
            truncated: true,
            source: Box::new(source),
        }
    }
}

impl std::fmt::Display for DecodeError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "cannot decode the answer")?;
        if let Some(path) = &self.path {
            write!(f, " at `{path}`")?;
        }
        if self.truncated {
            write!(f, ": it ends early")?;
        }
        if !self.snippet.is_empty() {
            write!(f, " (body starts: {})", self.snippet)?;
        }
        Ok(())
    }
}

impl std::error::Error for DecodeError {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        Some(self.source.as_ref())
    }
}

/// At most `max` characters of `body`, with anything but printable ASCII replaced, so that the
/// snippet fits in a log line and cannot drive a terminal. An empty body reads `(empty body)`.
pub(crate) fn printable_snippet(body: &[u8], max: usize) -> String {
    if body.is_empty() {
        return "(empty body)".to_owned();
    }
    let text = String::from_utf8_lossy(body);
    let mut out: String = text
        .chars()
        .take(max)
        .map(|c| {
            if c == ' ' || c.is_ascii_graphic() {
                c
            } else {
                ' '
            }
        })
        .collect();
    if text.chars().nth(max).is_some() {
        out.push_str("...");
    }
    out
}

/// `stream`, unless `check` failed: then a stream of that one error, and `stream` is never
/// polled (so nothing is sent). Arguments are checked when the stream is made, but the error
/// arrives where the caller reads the items.
pub(crate) fn guarded<T, S>(
    check: Result<()>,
    stream: S,
) -> impl futures_core::Stream<Item = Result<T>>
where
    S: futures_core::Stream<Item = Result<T>>,
{
    match check {
        Ok(()) => futures_util::future::Either::Left(stream),
        Err(e) => futures_util::future::Either::Right(futures_util::stream::once(
            std::future::ready(Err(e)),
        )),
    }
}
