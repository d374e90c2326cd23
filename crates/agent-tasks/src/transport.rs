//! The one path every request takes.
//!
//! [`Transport::send`] and [`Transport::send_conditional`] run one operation of the generated
//! client: one tracing span (operation, status, request id, attempts; never the token), a hold
//! while the primary rate limit is spent, retries of what may be retried (see `retry`), the
//! rate-limit figures of every answer, and the one mapping of progenitor's outcomes to
//! [`Error`]:
//!
//! - an error answer, whatever its status and media type, becomes an [`ApiError`] with
//!   GitHub's message when the body has GitHub's shape (its body is read up to
//!   [`ERROR_BODY_LIMIT`]);
//! - a success status the spec does not name (a creation answered 200 or 202) is decoded as
//!   the operation's answer all the same;
//! - `304 Not Modified` is [`Conditional::NotModified`] only for a conditional request;
//! - a body over the client's cap is [`Error::BodyTooLarge`]; a transfer cut short is a
//!   truncated [`DecodeError`];
//! - the token is taken out of everything an answer brings into an error or a trace (a proxy
//!   that echoes the request's headers in its error page must not leak it).

use std::borrow::Cow;
use std::future::Future;
use std::sync::{Arc, Mutex};

use agent_tasks_raw::ByteStream;
use agent_tasks_raw::{BodyTooLarge, ResponseValue};
use futures_util::StreamExt;
use reqwest::StatusCode;
use reqwest::header::{HeaderMap, HeaderValue};
use serde::de::DeserializeOwned;
use tracing::Instrument;

use crate::clock::{Clock, human};
use crate::error::{ApiError, DecodeError, Error, RateLimit, Result};
use crate::retry::{Jitter, Next, PRIMARY_WINDOW, RateLimitPolicy, RetryPolicy, next_step, until};

/// How much of an error answer's body is read: enough for any GitHub error, little enough
/// that a hostile one costs nothing.
pub const ERROR_BODY_LIMIT: usize = 64 * 1024;

/// What the generated client answers: a value, or one of its errors (error bodies come raw).
type RawResult<T> = std::result::Result<ResponseValue<T>, agent_tasks_raw::Error<ByteStream>>;

/// The answer to a conditional request.
#[derive(Clone, Debug, PartialEq)]
#[non_exhaustive]
pub enum Conditional<T> {
    /// The resource changed (or no `etag` was given): here it is, with its new `ETag`.
    Modified {
        /// The resource.
        value: T,
        /// Its `ETag`, for the next conditional request.
        etag: Option<String>,
    },
    /// `304 Not Modified`: unchanged since the given `ETag`.
    NotModified,
}

/// Whether a request may be sent again after it may have been applied.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Retry {
    /// A read: sent again after any transient failure.
    Idempotent,
    /// A task creation: sent again only when it never left.
    OnlyIfNotSent,
}

/// The request path shared by every clone of a client.
pub(crate) struct Transport {
    raw: agent_tasks_raw::Client,
    /// The client of GraphQL, when it lives elsewhere than under the REST base URL (GitHub
    /// Enterprise Server: `https://HOST/api/graphql` beside `https://HOST/api/v3`).
    graphql: Option<agent_tasks_raw::Client>,
    base_url: String,
    clock: Arc<dyn Clock>,
    retry: RetryPolicy,
    rate_limits: RateLimitPolicy,
    jitter: Jitter,
    rate_limit: Mutex<Option<RateLimit>>,
    redactor: Redactor,
}

impl Transport {
    /// `token` is used only to take it out of what answers bring into errors.
    pub(crate) fn new(
        raw: agent_tasks_raw::Client,
        graphql: Option<agent_tasks_raw::Client>,
        base_url: String,
        token: &str,
        clock: Arc<dyn Clock>,
        retry: RetryPolicy,
        rate_limits: RateLimitPolicy,
    ) -> Self {
        Transport {
            raw,
            graphql,
            base_url,
            clock,
            retry,
            rate_limits,
            jitter: Jitter::new(),
            rate_limit: Mutex::new(None),
            redactor: Redactor(token.as_bytes().into()),
        }
    }

    pub(crate) fn raw(&self) -> &agent_tasks_raw::Client {
        &self.raw
    }

    /// The generated client to send GraphQL queries through.
    pub(crate) fn graphql(&self) -> &agent_tasks_raw::Client {
        self.graphql.as_ref().unwrap_or(&self.raw)
    }

    pub(crate) fn base_url(&self) -> &str {
        &self.base_url
    }

    pub(crate) fn clock(&self) -> &Arc<dyn Clock> {
        &self.clock
    }

    /// The rate-limit figures of the latest answer that carried them (a reset beyond GitHub's
    /// one-hour window believed for one hour from that answer).
    pub(crate) fn rate_limit(&self) -> Option<RateLimit> {
        lock(&self.rate_limit).clone()
    }

    /// Sends one operation (no `If-None-Match`). The answer is boxed: it is large, and every
    /// layer it passes through would otherwise copy it.
    pub(crate) async fn send<'a, T, Fut>(
        &'a self,
        operation: &'static str,
        retry: Retry,
        call: impl Fn(&'a agent_tasks_raw::Client) -> Fut,
    ) -> Result<Box<ResponseValue<T>>>
    where
        T: DeserializeOwned,
        Fut: Future<Output = RawResult<T>>,
    {
        match self.run(operation, retry, false, false, call).await? {
            Conditional::Modified { value, .. } => Ok(value),
            Conditional::NotModified => Err(Error::Internal(format!(
                "{operation}: a 304 was taken for an answer to a request that was not conditional"
            ))),
        }
    }

    /// Sends one read. `conditional`: the call carries `If-None-Match`, so a 304 is
    /// [`Conditional::NotModified`]; `tagged`: the answer's `ETag` is kept, for a later
    /// conditional request. Not an `async fn`: a layer of its own would copy the request's
    /// large future once more on every call.
    pub(crate) fn read<'a, T, Fut>(
        &'a self,
        operation: &'static str,
        conditional: bool,
        tagged: bool,
        call: impl Fn(&'a agent_tasks_raw::Client) -> Fut + 'a,
    ) -> impl Future<Output = Result<Conditional<Box<ResponseValue<T>>>>> + 'a
    where
        T: DeserializeOwned + 'a,
        Fut: Future<Output = RawResult<T>> + 'a,
    {
        self.run(operation, Retry::Idempotent, conditional, tagged, call)
    }

    /// The one request path. `conditional`: the call carries `If-None-Match`, so a 304 is an
    /// answer; `tagged`: the caller wants the answer's `ETag`.
    async fn run<'a, T, Fut>(
        &'a self,
        operation: &'static str,
        retry: Retry,
        conditional: bool,
        tagged: bool,
        call: impl Fn(&'a agent_tasks_raw::Client) -> Fut,
    ) -> Result<Conditional<Box<ResponseValue<T>>>>
    where
        T: DeserializeOwned,
        Fut: Future<Output = RawResult<T>>,
    {
        let span = tracing::info_span!(
            "agent_tasks.request",
            operation,
            http.status = tracing::field::Empty,
            request_id = tracing::field::Empty,
            attempts = tracing::field::Empty,
        );
        // The span's fields are filled only when someone listens: finding the current span
        // and cleaning the request id cost on every call otherwise.
        let traced = !span.is_disabled();
        let run = async move {
            let started = self.clock.now();
            let mut retries: u32 = 0;
            loop {
                self.hold_for_primary_limit().await?;
                let result = self.attempt(&call, conditional, tagged, traced).await;
                if traced {
                    tracing::Span::current().record("attempts", retries.saturating_add(1));
                }
                let error = match result {
                    Ok(answer) => return Ok(answer),
                    Err(e) => e,
                };
                retries = retries.saturating_add(1);
                let step = next_step(
                    &error,
                    retry == Retry::Idempotent,
                    retries,
                    &self.retry,
                    &self.rate_limits,
                    self.clock.utc_now(),
                    self.jitter.next(),
                );
                let Next::Retry(wait) = step else {
                    return Err(error);
                };
                // Every wait, rate limits included, stays inside the retry budget's time.
                let elapsed = self.clock.now().saturating_duration_since(started);
                if elapsed.saturating_add(wait) > self.retry.max_elapsed {
                    return Err(error);
                }
                tracing::warn!(retry = retries, wait = %human(wait), error = %error, "retrying");
                self.clock.sleep(wait).await;
            }
        };
        if traced {
            // Boxed: `instrument` would otherwise copy the large future as it moves it.
            Box::pin(run).instrument(span).await
        } else {
            run.await
        }
    }

    /// While the latest answer said the primary budget is spent, waits for its reset (if it is
    /// near enough) or fails without sending.
    async fn hold_for_primary_limit(&self) -> Result<()> {
        // Runs before every request: clone the figures only when the budget is spent.
        let spent = lock(&self.rate_limit)
            .as_ref()
            .filter(|l| l.remaining == 0)
            .cloned();
        let Some(limit) = spent else { return Ok(()) };
        let now = self.clock.utc_now();
        if limit.reset <= now {
            return Ok(());
        }
        let wait = until(limit.reset, now);
        if wait > self.rate_limits.max_wait {
            return Err(Error::RateLimited { limit });
        }
        tracing::warn!(wait = %human(wait), "rate limit spent; holding the request until its reset");
        self.clock.sleep(wait).await;
        // The figures are stale now; the next answer brings new ones.
        let mut stored = lock(&self.rate_limit);
        if stored.as_ref() == Some(&limit) {
            *stored = None;
        }
        Ok(())
    }

    /// One attempt: send, record status, request id and rate limits, map the outcome.
    async fn attempt<'a, T, Fut>(
        &'a self,
        call: &impl Fn(&'a agent_tasks_raw::Client) -> Fut,
        conditional: bool,
        tagged: bool,
        traced: bool,
    ) -> Result<Conditional<Box<ResponseValue<T>>>>
    where
        T: DeserializeOwned,
        Fut: Future<Output = RawResult<T>>,
    {
        // Boxed as it arrives: from here on the answer moves as a pointer.
        let result = call(&self.raw).await.map(Box::new);
        let (status, headers) = match &result {
            Ok(rv) => (Some(rv.status()), Some(rv.headers())),
            Err(agent_tasks_raw::Error::ErrorResponse(rv)) => {
                (Some(rv.status()), Some(rv.headers()))
            }
            Err(agent_tasks_raw::Error::UnexpectedResponse(r)) => {
                (Some(r.status()), Some(r.headers()))
            }
            Err(_) => (None, None),
        };
        if traced && let Some(status) = status {
            tracing::Span::current().record("http.status", status.as_u16());
        }
        if let Some(headers) = headers {
            // Only the values kept from every answer are cleaned of the token (a scan of all
            // headers here would run on every call; error answers are cleaned whole below).
            const REQUEST_ID: reqwest::header::HeaderName =
                reqwest::header::HeaderName::from_static("x-github-request-id");
            if traced && let Some(id) = headers.get(REQUEST_ID) {
                let id = self.redactor.bytes(id.as_bytes());
                tracing::Span::current().record("request_id", &*String::from_utf8_lossy(&id));
            }
            if let Some(mut limit) = RateLimit::from_headers(headers) {
                limit.resource = limit
                    .resource
                    .map(|r| match self.redactor.bytes(r.as_bytes()) {
                        Cow::Borrowed(_) => r,
                        Cow::Owned(clean) => String::from_utf8_lossy(&clean).into_owned(),
                    });
                // A reset further ahead than GitHub's window is broken or hostile: believed for
                // one window from now at most, or it would hold every request for as long.
                let latest = chrono::TimeDelta::from_std(PRIMARY_WINDOW)
                    .ok()
                    .and_then(|w| self.clock.utc_now().checked_add_signed(w));
                if let Some(latest) = latest {
                    limit.reset = limit.reset.min(latest);
                }
                *lock(&self.rate_limit) = Some(limit);
            }
        }
        let outcome = match result {
            Ok(rv) => Ok(Conditional::Modified {
                etag: if tagged {
                    crate::page::etag_of(rv.headers())
                } else {
                    None
                },
                value: rv,
            }),
            Err(e) => self.map_error(e, conditional).await,
        };
        match &outcome {
            Ok(_) => tracing::debug!("answered"),
            Err(e) => tracing::debug!(error = %e, "failed"),
        }
        outcome
    }

    /// The one place progenitor's outcomes become ours.
    async fn map_error<T: DeserializeOwned>(
        &self,
        error: agent_tasks_raw::Error<ByteStream>,
        conditional: bool,
    ) -> Result<Conditional<Box<ResponseValue<T>>>> {
        use agent_tasks_raw::Error as Raw;
        match error {
            Raw::ErrorResponse(rv) => {
                let status = rv.status();
                let headers = rv.headers().clone();
                let body = read_error_body(rv.into_inner_stream()).await;
                Err(self.api_error(status, &headers, &body))
            }
            Raw::UnexpectedResponse(response) => {
                let status = response.status();
                let headers = response.headers().clone();
                if status == StatusCode::NOT_MODIFIED && conditional {
                    return Ok(Conditional::NotModified);
                }
                if !status.is_success() {
                    let body = read_error_body(response.bytes_stream()).await;
                    return Err(self.api_error(status, &headers, &body));
                }
                // A success the spec does not name (200 or 202 where it says 201): the answer
                // is still the operation's.
                let bytes = response
                    .bytes()
                    .await
                    .map_err(|e| self.body_error(e, Some(status)))?;
                match serde_json::from_slice::<T>(&bytes) {
                    Ok(value) => Ok(Conditional::Modified {
                        etag: crate::page::etag_of(&headers),
                        value: Box::new(ResponseValue::new(value, status, headers)),
                    }),
                    Err(e) => Err(self.decode_error::<T>(Some(status), &bytes, e)),
                }
            }
            Raw::InvalidResponsePayload(bytes, source) => {
                Err(self.decode_error::<T>(None, &bytes, source))
            }
            Raw::ResponseBodyError(e) => Err(self.body_error(e, None)),
            Raw::CommunicationError(e) | Raw::InvalidUpgrade(e) => Err(self.transport_error(e)),
            // Only the generated builders' own checks produce these; every argument is
            // checked before it reaches them.
            Raw::InvalidRequest(reason) | Raw::Custom(reason) => Err(Error::Internal(format!(
                "the generated client refused a request: {reason}"
            ))),
        }
    }

    fn api_error(
        &self,
        status: StatusCode,
        headers: &reqwest::header::HeaderMap,
        body: &[u8],
    ) -> Error {
        Error::Api(Box::new(ApiError::from_answer(
            status,
            &self.redactor.headers(headers),
            &self.redactor.bytes(body),
            self.clock.utc_now(),
        )))
    }

    /// A body that did not decode as `T`, with the token taken out of what it keeps.
    fn decode_error<T: DeserializeOwned>(
        &self,
        status: Option<StatusCode>,
        bytes: &[u8],
        source: serde_json::Error,
    ) -> Error {
        let clean = self.redactor.bytes(bytes);
        let source = match &clean {
            Cow::Borrowed(_) => source,
            // The decoder's message may quote the body: decode the redacted one for a message
            // that cannot.
            Cow::Owned(clean) => serde_json::from_slice::<T>(clean).err().unwrap_or_else(|| {
                serde::de::Error::custom(
                    "the answer does not decode (details left out: they held the token)",
                )
            }),
        };
        Error::Decode(Box::new(DecodeError::json::<T>(status, &clean, source)))
    }

    /// A failure while reading a body: over the cap, a timeout, or cut short.
    fn body_error(&self, e: reqwest::Error, status: Option<StatusCode>) -> Error {
        if let Some(too_large) = find_cause::<BodyTooLarge>(&e) {
            return Error::BodyTooLarge {
                limit: too_large.limit,
                declared: too_large.declared,
            };
        }
        if e.is_timeout() {
            return self.transport_error(e);
        }
        Error::Decode(Box::new(DecodeError::cut_short(status, e)))
    }

    fn transport_error(&self, source: reqwest::Error) -> Error {
        let url = self.base_url.clone();
        if source.is_timeout() {
            Error::Timeout { url, source }
        } else {
            Error::Transport { url, source }
        }
    }
}

/// The token, kept only to take it out of what an answer brings into an error: a server or
/// proxy that echoes the request (an error page quoting its headers) must not put it into a
/// message, a log line or a terminal.
struct Redactor(Box<[u8]>);

impl Redactor {
    const MARK: &'static [u8] = b"<redacted>";

    /// `bytes` with every occurrence of the token replaced.
    fn bytes<'b>(&self, bytes: &'b [u8]) -> Cow<'b, [u8]> {
        let token = &*self.0;
        if find(bytes, token).is_none() {
            return Cow::Borrowed(bytes);
        }
        let mut out = Vec::with_capacity(bytes.len());
        let mut rest = bytes;
        while let Some(i) = find(rest, token) {
            out.extend_from_slice(&rest[..i]);
            out.extend_from_slice(Self::MARK);
            rest = &rest[i + token.len()..];
        }
        out.extend_from_slice(rest);
        Cow::Owned(out)
    }

    /// `headers` with every value holding the token redacted.
    fn headers<'h>(&self, headers: &'h HeaderMap) -> Cow<'h, HeaderMap> {
        if !headers
            .values()
            .any(|v| find(v.as_bytes(), &self.0).is_some())
        {
            return Cow::Borrowed(headers);
        }
        let mut clean = HeaderMap::with_capacity(headers.len());
        for (name, value) in headers {
            let value = match self.bytes(value.as_bytes()) {
                Cow::Borrowed(_) => value.clone(),
                Cow::Owned(bytes) => HeaderValue::from_bytes(&bytes)
                    .unwrap_or_else(|_| HeaderValue::from_static("<redacted>")),
            };
            clean.append(name.clone(), value);
        }
        Cow::Owned(clean)
    }
}

/// Where `needle` first occurs in `haystack` (never for an empty needle).
fn find(haystack: &[u8], needle: &[u8]) -> Option<usize> {
    if needle.is_empty() {
        return None;
    }
    haystack.windows(needle.len()).position(|w| w == needle)
}

/// Up to [`ERROR_BODY_LIMIT`] bytes of an error answer's body; what cannot be read is left
/// out (the status and headers matter more than the body).
async fn read_error_body<S>(stream: S) -> Vec<u8>
where
    S: futures_util::Stream<Item = reqwest::Result<bytes::Bytes>>,
{
    let mut stream = std::pin::pin!(stream);
    let mut body = Vec::new();
    while let Some(Ok(chunk)) = stream.next().await {
        let room = ERROR_BODY_LIMIT.saturating_sub(body.len());
        body.extend_from_slice(&chunk[..chunk.len().min(room)]);
        if body.len() >= ERROR_BODY_LIMIT {
            break;
        }
    }
    body
}

/// The first error of type `E` in `error`'s source chain.
fn find_cause<E: std::error::Error + Copy + 'static>(
    error: &(dyn std::error::Error + 'static),
) -> Option<E> {
    let mut next = Some(error);
    while let Some(e) = next {
        if let Some(found) = e.downcast_ref::<E>() {
            return Some(*found);
        }
        next = e.source();
    }
    None
}

pub(crate) fn lock<T>(m: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    m.lock().unwrap_or_else(std::sync::PoisonError::into_inner)
}
