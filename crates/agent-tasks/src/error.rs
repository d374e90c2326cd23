//! The crate's one error type.
//!
//! Every failure of a call ends up here, built from progenitor's error in exactly one place
//! ([`Error::from_raw`]). It keeps what a caller needs to act: GitHub's status, message,
//! documentation URL and validation errors, the request id, the rate-limit figures, and a plain
//! hint where the cause is knowable. The token never appears in it.

use std::time::Duration;

use chrono::{DateTime, TimeZone, Utc};
use reqwest::StatusCode;
use reqwest::header::HeaderMap;

use crate::types::ValidationError;

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

    /// GitHub (or something in front of it) answered with an error status.
    #[error("{0}")]
    Api(Box<ApiError>),

    /// The request could not be sent or the connection failed before an answer arrived.
    #[error("request failed before an answer arrived")]
    Transport(#[source] reqwest::Error),

    /// No answer arrived within the configured timeout.
    #[error("request timed out")]
    Timeout(#[source] reqwest::Error),

    /// An answer arrived but its body could not be decoded.
    #[error("{0}")]
    Decode(Box<DecodeError>),

    /// The primary rate limit is spent until a reset further away than the client may wait;
    /// nothing was sent.
    #[error("rate limit spent until {}; nothing was sent", limit.reset.to_rfc3339())]
    RateLimited {
        /// The figures of the latest answer.
        limit: RateLimit,
    },

    /// A task creation failed in a way that leaves unknown whether the task was created (a
    /// timeout, a dropped connection, a 5xx), and looking for it did not settle the question.
    /// The task may exist: check before starting it again.
    #[error("the task may or may not have been created ({cause}); {checked}")]
    OutcomeUnknown {
        /// What went wrong with the creation.
        cause: Box<Error>,
        /// What was done to find the task, and what that found.
        checked: String,
    },

    /// A wait for one task reached its timeout; the task as last seen is kept.
    #[error("gave up waiting after {waited:?}: the task is still {}", last.state)]
    WaitTimedOut {
        /// How long the wait lasted.
        waited: Duration,
        /// The task as last seen.
        last: Box<crate::types::TaskWithSessions>,
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
    #[error("gave up waiting after {waited:?}: {pending} tasks have not finished")]
    WaitAllTimedOut {
        /// How long the wait lasted.
        waited: Duration,
        /// How many tasks did not meet the condition.
        pending: usize,
    },
}

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
        self.api().and_then(|e| e.request_id.as_deref())
    }

    /// A plain hint at the cause and the fix, where it is knowable.
    pub fn hint(&self) -> Option<&str> {
        match self {
            Error::Api(e) => e.hint.as_deref(),
            Error::InvalidInput {
                field: "token",
                reason,
            } if reason.contains("installation") => Some(INSTALLATION_TOKEN_HINT),
            Error::OutcomeUnknown { .. } => Some(
                "list the repository's tasks (or look on github.com) before starting the task again, or accept a possible duplicate",
            ),
            Error::RateLimited { .. } => {
                Some("wait for the reset, or allow longer waits with RateLimitPolicy::max_wait")
            }
            _ => None,
        }
    }

    /// 404: the task or repository does not exist, is not visible to the token, or the host
    /// does not serve this API.
    pub fn is_not_found(&self) -> bool {
        self.status() == Some(StatusCode::NOT_FOUND)
    }

    /// 401, or a 403 that is not a rate limit: the token is wrong, expired or lacks access.
    pub fn is_auth(&self) -> bool {
        match self {
            Error::Api(e) => {
                e.status == StatusCode::UNAUTHORIZED
                    || (e.status == StatusCode::FORBIDDEN && !e.is_rate_limited())
            }
            Error::InvalidInput { field, .. } => *field == "token",
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
            Error::Transport(_) | Error::Timeout(_) | Error::RateLimited { .. } => true,
            Error::Api(e) => e.status.is_server_error() || e.is_rate_limited(),
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

    /// Whether the error happened before anything was sent (bad input or settings).
    pub fn is_invalid_input(&self) -> bool {
        matches!(self, Error::InvalidInput { .. })
    }

    /// The one place progenitor's error becomes ours.
    pub(crate) fn from_raw(
        err: agent_tasks_raw::Error<agent_tasks_raw::types::BasicError>,
    ) -> Self {
        use agent_tasks_raw::Error as Raw;
        match err {
            Raw::ErrorResponse(rv) => {
                let status = rv.status();
                let headers = rv.headers().clone();
                let body = rv.into_inner();
                Error::Api(Box::new(ApiError::new(status, &headers, Some(body))))
            }
            Raw::UnexpectedResponse(response) => {
                let status = response.status();
                Error::Api(Box::new(ApiError::new(status, response.headers(), None)))
            }
            Raw::InvalidResponsePayload(bytes, source) => {
                Error::Decode(Box::new(DecodeError::new(None, &bytes, source)))
            }
            Raw::CommunicationError(e) | Raw::ResponseBodyError(e) | Raw::InvalidUpgrade(e) => {
                if e.is_timeout() {
                    Error::Timeout(e)
                } else if e.is_decode() {
                    Error::Decode(Box::new(DecodeError {
                        status: e.status(),
                        path: None,
                        message: e.to_string(),
                        snippet: String::new(),
                        truncated: true,
                    }))
                } else {
                    Error::Transport(e)
                }
            }
            // Only the builders' argument checks produce these; the wrapper validates every
            // argument before it reaches them, so this is a bug if it shows.
            Raw::InvalidRequest(reason) => Error::invalid("request", reason),
            Raw::Custom(reason) => Error::invalid("request", reason),
        }
    }
}

const INSTALLATION_TOKEN_HINT: &str = "this API accepts only user-to-server tokens (a personal access token, an OAuth app token or a GitHub App user access token); GitHub App installation tokens (ghs_...) are refused";

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
    /// Validation errors of a 422 answer.
    pub errors: Vec<ValidationError>,
    /// The `x-github-request-id` header.
    pub request_id: Option<String>,
    /// Rate-limit figures from the answer's headers.
    pub rate_limit: Option<RateLimit>,
    /// The `retry-after` header.
    pub retry_after: Option<Duration>,
    /// A plain hint at the cause and the fix, where it is knowable.
    pub hint: Option<String>,
    /// The start of the body when it was not GitHub's JSON error shape.
    pub body_snippet: Option<String>,
}

impl ApiError {
    fn new(
        status: StatusCode,
        headers: &HeaderMap,
        body: Option<agent_tasks_raw::types::BasicError>,
    ) -> Self {
        let (message, documentation_url, errors) = match body {
            Some(b) => (
                Some(b.message).filter(|m| !m.is_empty()),
                Some(b.documentation_url).filter(|u| !u.is_empty()),
                b.errors
                    .unwrap_or_default()
                    .into_iter()
                    .map(ValidationError::from)
                    .collect(),
            ),
            None => (None, None, Vec::new()),
        };
        let header = |name: &str| {
            headers
                .get(name)
                .and_then(|v| v.to_str().ok())
                .map(str::to_owned)
        };
        let mut error = ApiError {
            status,
            message,
            documentation_url,
            errors,
            request_id: header("x-github-request-id"),
            rate_limit: RateLimit::from_headers(headers),
            retry_after: header("retry-after")
                .and_then(|s| s.trim().parse::<u64>().ok())
                .map(Duration::from_secs),
            hint: None,
            body_snippet: header(agent_tasks_raw::UNDECODABLE_ERROR_BODY_HEADER),
        };
        error.hint = error.plain_hint();
        error
    }

    /// A primary limit (`x-ratelimit-remaining: 0`), or a secondary one (429, or a 403 with
    /// `retry-after` or saying so).
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
                    "rate limited: GitHub asks to wait {} s before sending again",
                    wait.as_secs()
                ),
                (None, Some(r)) if r.remaining == 0 => format!(
                    "the rate-limit budget is spent until {}",
                    r.reset.to_rfc3339()
                ),
                _ => "secondary rate limit: wait at least one minute before sending again"
                    .to_owned(),
            },
            401 => "the token is missing, malformed, expired or revoked".to_owned(),
            403 if self
                .message
                .as_deref()
                .is_some_and(|m| m.to_ascii_lowercase().contains("installation")) =>
            {
                INSTALLATION_TOKEN_HINT.to_owned()
            }
            403 => "the token needs the \"Agent tasks\" repository permission (read to list and get, read and write to start tasks), and its owner a Copilot plan that allows cloud agent tasks".to_owned(),
            404 => "the repository or task does not exist or is not visible to this token, or this host does not serve the Agent tasks API".to_owned(),
            422 => "GitHub rejected the request's fields; see the validation errors".to_owned(),
            500..=599 => "GitHub had a problem; the request may succeed later".to_owned(),
            _ => return None,
        };
        Some(text)
    }
}

impl std::fmt::Display for ApiError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "github answered {}", self.status)?;
        if let Some(message) = &self.message {
            write!(f, ": {message}")?;
        }
        for e in &self.errors {
            write!(f, "; {}", e.code)?;
            if let Some(m) = &e.message {
                write!(f, " ({m})")?;
            }
        }
        if let Some(hint) = &self.hint {
            write!(f, " (hint: {hint})")?;
        }
        Ok(())
    }
}

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
        let num = |name: &str| {
            headers
                .get(name)
                .and_then(|v| v.to_str().ok())
                .and_then(|s| s.trim().parse::<u64>().ok())
        };
        Some(RateLimit {
            limit: num("x-ratelimit-limit")?,
            remaining: num("x-ratelimit-remaining")?,
            used: num("x-ratelimit-used"),
            reset: Utc
                .timestamp_opt(i64::try_from(num("x-ratelimit-reset")?).ok()?, 0)
                .single()?,
            resource: headers
                .get("x-ratelimit-resource")
                .and_then(|v| v.to_str().ok())
                .map(str::to_owned),
        })
    }
}

/// A body that arrived but could not be decoded.
#[derive(Clone, Debug)]
#[non_exhaustive]
pub struct DecodeError {
    /// The HTTP status, when known.
    pub status: Option<StatusCode>,
    /// Where in the JSON decoding failed (`tasks[3].created_at`), when known.
    pub path: Option<String>,
    /// What serde said.
    pub message: String,
    /// The start of the body, printable characters only.
    pub snippet: String,
    /// The body ended early (a transfer cut short rather than a shape the client does not
    /// know): worth another try.
    pub truncated: bool,
}

impl DecodeError {
    fn new(status: Option<StatusCode>, bytes: &[u8], source: serde_json::Error) -> Self {
        // Decode again to learn the path of the field that failed: only on this error path.
        let path = locate_failure(bytes);
        DecodeError {
            status,
            path,
            message: source.to_string(),
            snippet: agent_tasks_raw::printable_snippet(bytes, agent_tasks_raw::BODY_SNIPPET_LEN),
            truncated: source.is_eof(),
        }
    }
}

/// The JSON path at which a body fails to decode as any of the API's success shapes.
fn locate_failure(bytes: &[u8]) -> Option<String> {
    use agent_tasks_raw::types as raw;
    fn path_of<T: serde::de::DeserializeOwned>(bytes: &[u8]) -> Option<String> {
        let mut de = serde_json::Deserializer::from_slice(bytes);
        match serde_path_to_error::deserialize::<_, T>(&mut de) {
            Ok(_) => None,
            Err(e) => Some(e.path().to_string()),
        }
    }
    let value: serde_json::Value = serde_json::from_slice(bytes).ok()?;
    let path = if value.get("tasks").is_some() {
        path_of::<raw::TaskList>(bytes)
    } else if value.get("sessions").is_some() {
        path_of::<raw::TaskWithSessions>(bytes)
    } else {
        path_of::<raw::Task>(bytes)
    };
    path.filter(|p| p != ".")
}

impl std::fmt::Display for DecodeError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "cannot decode the answer")?;
        if let Some(path) = &self.path {
            write!(f, " at `{path}`")?;
        }
        write!(f, ": {} (body starts: {})", self.message, self.snippet)
    }
}
