//! The client, its configuration, and the one path every request takes.
//!
//! [`Client`] holds the generated raw client (with the headers every request carries) behind an
//! `Arc`, so clones are cheap and requests can be spread across tasks. Every operation goes
//! through [`Client::execute`]: one tracing span, one mapping of errors, one place that reads
//! the rate-limit headers.

use std::future::Future;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use reqwest::header::{AUTHORIZATION, HeaderMap, HeaderName, HeaderValue, USER_AGENT};
use tracing::Instrument;

use agent_tasks_raw::types::BasicError;
use agent_tasks_raw::{RequestDefaults, ResponseValue};

use crate::error::{Error, RateLimit, Result};
use crate::retry::{Jitter, Next, RateLimitPolicy, RetryPolicy, next_step};
use crate::validate;
use crate::wait::Clock;

/// GitHub's REST API.
pub const DEFAULT_BASE_URL: &str = "https://api.github.com";
/// The API version sent unless another is chosen: the one GitHub's how-to guide for this API uses.
pub const DEFAULT_API_VERSION: &str = "2022-11-28";
/// The newer API version, which serves the same Agent tasks operations.
pub const API_VERSION_2026_03_10: &str = "2026-03-10";
/// The `User-Agent` sent unless another is chosen.
pub const DEFAULT_USER_AGENT: &str = concat!("agent-tasks-rs/", env!("CARGO_PKG_VERSION"));
/// Time allowed to open a connection, unless set otherwise.
pub const DEFAULT_CONNECT_TIMEOUT: Duration = Duration::from_secs(10);
/// Time allowed for a whole request, unless set otherwise.
pub const DEFAULT_TIMEOUT: Duration = Duration::from_secs(30);

const API_VERSION_HEADER: HeaderName = HeaderName::from_static("x-github-api-version");

/// A GitHub token. Its value never appears in `Debug` output.
#[derive(Clone)]
pub struct Token(String);

impl Token {
    /// Wraps a token, checking it (non-empty, no whitespace or control characters, not an
    /// installation token).
    pub fn new(value: impl Into<String>) -> Result<Self> {
        let value = value.into();
        validate::token(&value)?;
        Ok(Token(value))
    }

    fn header(&self) -> HeaderValue {
        let mut value = HeaderValue::try_from(format!("Bearer {}", self.0))
            .expect("validated: ASCII without control characters");
        value.set_sensitive(true);
        value
    }
}

impl std::fmt::Debug for Token {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Token(<redacted>)")
    }
}

/// Builds a [`Client`]. Get one from [`Client::builder`] or [`ClientBuilder::from_env`].
#[derive(Debug, Default)]
#[must_use]
pub struct ClientBuilder {
    // Unchecked until `build`, but already redacted in `Debug`.
    token: Option<Token>,
    base_url: Option<String>,
    api_version: Option<String>,
    user_agent: Option<String>,
    connect_timeout: Option<Duration>,
    timeout: Option<Duration>,
    http: Option<reqwest::Client>,
    clock: Option<Arc<dyn Clock>>,
    retry: Option<RetryPolicy>,
    rate_limits: Option<RateLimitPolicy>,
    reconcile: Option<bool>,
}

impl ClientBuilder {
    /// A builder with the token from `GH_TOKEN`, else `GITHUB_TOKEN`, and the base URL from
    /// `GITHUB_API_URL` when set. Empty variables count as unset. Nothing else in this crate
    /// reads the environment.
    ///
    /// ```no_run
    /// # fn main() -> agent_tasks::Result<()> {
    /// let client = agent_tasks::ClientBuilder::from_env()
    ///     .user_agent("my-bot/1.0")
    ///     .build()?;
    /// # Ok(()) }
    /// ```
    pub fn from_env() -> Self {
        let var = |name: &str| std::env::var(name).ok().filter(|v| !v.is_empty());
        ClientBuilder {
            token: var("GH_TOKEN").or_else(|| var("GITHUB_TOKEN")).map(Token),
            base_url: var("GITHUB_API_URL"),
            ..ClientBuilder::default()
        }
    }

    /// The token: a personal access token, an OAuth app token or a GitHub App user access
    /// token. Installation tokens (`ghs_`) are refused by the API, so `build` refuses them.
    pub fn token(mut self, token: impl Into<String>) -> Self {
        self.token = Some(Token(token.into()));
        self
    }

    /// The API's base URL: `https://api.github.com` (the default), `https://HOST/api/v3` for
    /// GitHub Enterprise Server, `https://api.SUBDOMAIN.ghe.com` for GHE.com. Plain http is
    /// accepted only to loopback (tests, the fake).
    pub fn base_url(mut self, url: impl Into<String>) -> Self {
        self.base_url = Some(url.into());
        self
    }

    /// The `X-GitHub-Api-Version` to send; [`DEFAULT_API_VERSION`] unless set.
    pub fn api_version(mut self, version: impl Into<String>) -> Self {
        self.api_version = Some(version.into());
        self
    }

    /// The `User-Agent` to send; [`DEFAULT_USER_AGENT`] unless set. GitHub asks for one that
    /// names your application.
    pub fn user_agent(mut self, user_agent: impl Into<String>) -> Self {
        self.user_agent = Some(user_agent.into());
        self
    }

    /// Time allowed to open a connection ([`DEFAULT_CONNECT_TIMEOUT`] unless set). Applies to
    /// the client this builder makes, not to one given with [`http_client`](Self::http_client).
    pub fn connect_timeout(mut self, timeout: Duration) -> Self {
        self.connect_timeout = Some(timeout);
        self
    }

    /// Time allowed for a whole request ([`DEFAULT_TIMEOUT`] unless set). Also applies to each
    /// request of a client given with [`http_client`](Self::http_client).
    pub fn timeout(mut self, timeout: Duration) -> Self {
        self.timeout = Some(timeout);
        self
    }

    /// Sends through this `reqwest::Client` (proxies, TLS roots, connection pools of your own).
    /// The token, API version and user agent are still added to every request.
    pub fn http_client(mut self, client: reqwest::Client) -> Self {
        self.http = Some(client);
        self
    }

    /// The clock waits and retries use ([`TokioClock`](crate::TokioClock) unless set): tests
    /// can supply one that does not really sleep.
    pub fn clock(mut self, clock: Arc<dyn Clock>) -> Self {
        self.clock = Some(clock);
        self
    }

    /// How failed reads are retried ([`RetryPolicy::default`] unless set;
    /// [`RetryPolicy::none`] turns retries off). Task creation is never retried once sent.
    pub fn retry(mut self, policy: RetryPolicy) -> Self {
        self.retry = Some(policy);
        self
    }

    /// How rate limits are waited for ([`RateLimitPolicy::default`] unless set).
    pub fn rate_limits(mut self, policy: RateLimitPolicy) -> Self {
        self.rate_limits = Some(policy);
        self
    }

    /// Whether a task creation whose outcome is unknown (timeout, dropped connection, 5xx) is
    /// reconciled by looking for the task (default: yes). Without it such a creation fails
    /// with [`Error::OutcomeUnknown`] at once.
    pub fn reconcile_creations(mut self, yes: bool) -> Self {
        self.reconcile = Some(yes);
        self
    }

    /// Checks every setting and builds the client.
    pub fn build(self) -> Result<Client> {
        let token = self.token.ok_or_else(|| {
            Error::invalid(
                "token",
                "is not set (give one, or use from_env with GH_TOKEN or GITHUB_TOKEN)",
            )
        })?;
        validate::token(&token.0)?;
        let base_url = validate::base_url(self.base_url.as_deref().unwrap_or(DEFAULT_BASE_URL))?;
        let api_version = self
            .api_version
            .unwrap_or_else(|| DEFAULT_API_VERSION.to_owned());
        validate::api_version(&api_version)?;
        let user_agent = self
            .user_agent
            .unwrap_or_else(|| DEFAULT_USER_AGENT.to_owned());
        validate::user_agent(&user_agent)?;
        for (field, d) in [
            ("timeout", self.timeout),
            ("connect_timeout", self.connect_timeout),
        ] {
            if d == Some(Duration::ZERO) {
                return Err(Error::invalid(field, "must be more than zero"));
            }
        }

        let mut headers = HeaderMap::new();
        headers.insert(AUTHORIZATION, token.header());
        headers.insert(
            API_VERSION_HEADER,
            HeaderValue::from_str(&api_version).expect("validated date"),
        );
        headers.insert(
            USER_AGENT,
            HeaderValue::from_str(&user_agent).expect("validated"),
        );

        let (http, request_timeout) = match self.http {
            Some(http) => (http, self.timeout),
            None => {
                let http = reqwest::Client::builder()
                    .connect_timeout(self.connect_timeout.unwrap_or(DEFAULT_CONNECT_TIMEOUT))
                    .timeout(self.timeout.unwrap_or(DEFAULT_TIMEOUT))
                    .build()
                    .map_err(|e| Error::invalid("http_client", format!("cannot be built: {e}")))?;
                (http, None)
            }
        };
        let defaults = RequestDefaults {
            headers,
            timeout: request_timeout,
        };
        Ok(Client {
            inner: Arc::new(Inner {
                raw: agent_tasks_raw::Client::new_with_client(&base_url, http, defaults),
                base_url,
                api_version,
                user_agent,
                rate_limit: Mutex::new(None),
                clock: self
                    .clock
                    .unwrap_or_else(|| Arc::new(crate::wait::TokioClock)),
                retry: self.retry.unwrap_or_default(),
                rate_limits: self.rate_limits.unwrap_or_default(),
                reconcile: self.reconcile.unwrap_or(true),
                jitter: Jitter::new(),
                claimed: Mutex::new(std::collections::VecDeque::new()),
            }),
        })
    }
}

/// A client of the Agent tasks API. Cheap to clone; clones share connections.
///
/// ```no_run
/// # async fn run() -> agent_tasks::Result<()> {
/// let client = agent_tasks::Client::builder().token("github_pat_...").build()?;
/// let task = client
///     .repo("octocat", "hello-world")
///     .create_task("Fix the flaky login test")
///     .base_ref("main")
///     .send()
///     .await?;
/// println!("{} is {}", task.id, task.state);
/// # Ok(()) }
/// ```
#[derive(Clone)]
pub struct Client {
    inner: Arc<Inner>,
}

struct Inner {
    raw: agent_tasks_raw::Client,
    base_url: String,
    api_version: String,
    user_agent: String,
    rate_limit: Mutex<Option<RateLimit>>,
    clock: Arc<dyn Clock>,
    retry: RetryPolicy,
    rate_limits: RateLimitPolicy,
    reconcile: bool,
    jitter: Jitter,
    /// Ids of tasks this client created lately, so that reconciling a creation never claims a
    /// task another creation of this client already returned.
    claimed: Mutex<std::collections::VecDeque<String>>,
}

impl std::fmt::Debug for Client {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Client")
            .field("base_url", &self.inner.base_url)
            .field("api_version", &self.inner.api_version)
            .field("user_agent", &self.inner.user_agent)
            .field("token", &"<redacted>")
            .finish()
    }
}

impl Client {
    /// A builder for a client.
    ///
    /// ```
    /// let client = agent_tasks::Client::builder()
    ///     .token("github_pat_example")
    ///     .base_url("https://ghe.example.com/api/v3")
    ///     .api_version(agent_tasks::API_VERSION_2026_03_10)
    ///     .build()?;
    /// assert_eq!(client.base_url(), "https://ghe.example.com/api/v3");
    /// # Ok::<(), agent_tasks::Error>(())
    /// ```
    pub fn builder() -> ClientBuilder {
        ClientBuilder::default()
    }

    /// A client configured from the environment: see [`ClientBuilder::from_env`].
    pub fn from_env() -> Result<Client> {
        ClientBuilder::from_env().build()
    }

    /// The base URL requests go to, without a trailing slash.
    pub fn base_url(&self) -> &str {
        &self.inner.base_url
    }

    /// The `X-GitHub-Api-Version` sent.
    pub fn api_version(&self) -> &str {
        &self.inner.api_version
    }

    /// The `User-Agent` sent.
    pub fn user_agent(&self) -> &str {
        &self.inner.user_agent
    }

    /// The rate-limit figures of the latest answer that carried them.
    pub fn rate_limit(&self) -> Option<RateLimit> {
        lock(&self.inner.rate_limit).clone()
    }

    /// The clock of waits and retries.
    pub fn clock(&self) -> Arc<dyn Clock> {
        self.inner.clock.clone()
    }

    /// The generated client underneath: an escape hatch for what this crate does not wrap.
    /// Requests sent through it carry the same headers.
    pub fn raw(&self) -> &agent_tasks_raw::Client {
        &self.inner.raw
    }

    pub(crate) fn reconciles(&self) -> bool {
        self.inner.reconcile
    }

    /// Remembers the id of a task this client created (a bounded list).
    pub(crate) fn claim(&self, id: &str) {
        let mut claimed = lock(&self.inner.claimed);
        if claimed.len() >= 10_000 {
            claimed.pop_front();
        }
        claimed.push_back(id.to_owned());
    }

    pub(crate) fn is_claimed(&self, id: &str) -> bool {
        lock(&self.inner.claimed).iter().any(|c| c == id)
    }

    /// Sends one operation through the generated client. Every request of the crate comes
    /// through here: it opens the tracing span (operation, status, request id, attempts; never
    /// the token), holds requests while a primary rate limit is spent, retries what may be
    /// retried (`idempotent`: reads; a creation only when it never left), records the
    /// rate-limit figures and maps errors.
    pub(crate) async fn execute<'a, T, Fut>(
        &'a self,
        operation: &'static str,
        idempotent: bool,
        call: impl Fn(&'a agent_tasks_raw::Client) -> Fut,
    ) -> Result<ResponseValue<T>>
    where
        Fut: Future<
            Output = std::result::Result<ResponseValue<T>, agent_tasks_raw::Error<BasicError>>,
        >,
    {
        let span = tracing::info_span!(
            "agent_tasks.request",
            operation,
            http.status = tracing::field::Empty,
            request_id = tracing::field::Empty,
            attempts = tracing::field::Empty,
        );
        // Boxed once: the request's future is large, and the wrappers below would otherwise
        // copy it as they move it (measured: a few thousand instructions of memcpy per call).
        let run = Box::pin(async move {
            let clock = &self.inner.clock;
            let started = clock.now();
            let mut retry = 0;
            loop {
                self.hold_for_primary_limit().await?;
                let result = self.attempt(&call).await;
                tracing::Span::current().record("attempts", retry + 1);
                let error = match result {
                    Ok(rv) => return Ok(rv),
                    Err(e) => e,
                };
                retry += 1;
                let step = next_step(
                    &error,
                    idempotent,
                    retry,
                    &self.inner.retry,
                    &self.inner.rate_limits,
                    clock.utc_now(),
                    self.inner.jitter.next(),
                );
                match step {
                    Next::Fail => return Err(error),
                    Next::Retry(wait) => {
                        let elapsed = clock.now().saturating_duration_since(started);
                        if elapsed + wait > self.inner.retry.max_elapsed && !error.is_rate_limited()
                        {
                            return Err(error);
                        }
                        tracing::warn!(retry, wait_ms = wait.as_millis() as u64, error = %error, "retrying");
                        clock.sleep(wait).await;
                    }
                }
            }
        });
        if span.is_disabled() {
            run.await
        } else {
            run.instrument(span).await
        }
    }

    /// While the latest answer said the primary budget is spent, waits for its reset (if it is
    /// near enough) or fails without sending.
    async fn hold_for_primary_limit(&self) -> Result<()> {
        // Runs before every request: clone the figures only when the budget is spent.
        let spent = lock(&self.inner.rate_limit)
            .as_ref()
            .filter(|l| l.remaining == 0)
            .cloned();
        let Some(limit) = spent else { return Ok(()) };
        let clock = &self.inner.clock;
        let now = clock.utc_now();
        if limit.reset <= now {
            return Ok(());
        }
        let wait = crate::retry::until(limit.reset, now);
        if wait > self.inner.rate_limits.max_wait {
            return Err(Error::RateLimited { limit });
        }
        tracing::warn!(
            wait_ms = wait.as_millis() as u64,
            "rate limit spent; holding the request until its reset"
        );
        clock.sleep(wait).await;
        Ok(())
    }

    /// One attempt: send, record status, request id and rate limits, map the error.
    async fn attempt<'a, T, Fut>(
        &'a self,
        call: &impl Fn(&'a agent_tasks_raw::Client) -> Fut,
    ) -> Result<ResponseValue<T>>
    where
        Fut: Future<
            Output = std::result::Result<ResponseValue<T>, agent_tasks_raw::Error<BasicError>>,
        >,
    {
        let result = call(&self.inner.raw).await;
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
        if let Some(status) = status {
            tracing::Span::current().record("http.status", status.as_u16());
        }
        if let Some(headers) = headers {
            if let Some(id) = headers
                .get("x-github-request-id")
                .and_then(|v| v.to_str().ok())
            {
                tracing::Span::current().record("request_id", id);
            }
            if let Some(limit) = RateLimit::from_headers(headers) {
                *lock(&self.inner.rate_limit) = Some(limit);
            }
        }
        match result {
            Ok(rv) => {
                tracing::debug!("answered");
                Ok(rv)
            }
            Err(e) => {
                let e = Error::from_raw(e);
                tracing::debug!(error = %e, "failed");
                Err(e)
            }
        }
    }
}

fn lock<T>(m: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    m.lock().unwrap_or_else(std::sync::PoisonError::into_inner)
}
