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
        self.inner
            .rate_limit
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
            .clone()
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

    /// Sends one operation through the generated client. Every request of the crate comes
    /// through here: it opens the tracing span (operation, status, request id; never the
    /// token), records the rate-limit figures and maps errors.
    pub(crate) async fn execute<'a, T, Fut>(
        &'a self,
        operation: &'static str,
        call: impl FnOnce(&'a agent_tasks_raw::Client) -> Fut,
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
        );
        async move {
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
                    *self
                        .inner
                        .rate_limit
                        .lock()
                        .unwrap_or_else(std::sync::PoisonError::into_inner) = Some(limit);
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
        .instrument(span)
        .await
    }
}
