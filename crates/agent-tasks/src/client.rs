//! The client and its configuration.
//!
//! [`Client`] holds the request path (`Transport`) and what it knows about whose tasks are
//! whose (`Claims`) behind an `Arc`, so clones are cheap and requests can be spread across
//! tasks. The operations' builders live beside their requests (`create`, `get`, `list`,
//! `wait`); this file only builds and configures.

use std::sync::Arc;
use std::time::Duration;

use reqwest::header::{AUTHORIZATION, HeaderMap, HeaderName, HeaderValue, USER_AGENT};

use agent_tasks_raw::RequestDefaults;

use crate::claims::Claims;
use crate::clock::{Clock, TokioClock};
use crate::error::{Error, RateLimit, Result, TokenProblem};
use crate::retry::{RateLimitPolicy, RetryPolicy};
use crate::transport::Transport;
use crate::validate;

/// GitHub's REST API.
pub const DEFAULT_BASE_URL: &str = "https://api.github.com";
/// The API version sent unless another is chosen: the one GitHub's how-to guide for this API uses.
pub const DEFAULT_API_VERSION: &str = "2022-11-28";
/// The newer API version, which serves the same Agent tasks operations.
pub const API_VERSION_2026_03_10: &str = "2026-03-10";
/// The API versions this client knows serve the Agent tasks operations. Others are sent as
/// given (a newer one may serve them too); the CLI takes only these.
pub const API_VERSIONS: [&str; 2] = [DEFAULT_API_VERSION, API_VERSION_2026_03_10];
/// The `User-Agent` sent unless another is chosen.
pub const DEFAULT_USER_AGENT: &str = concat!("agent-tasks-rs/", env!("CARGO_PKG_VERSION"));
/// Time allowed to open a connection, unless set otherwise.
pub const DEFAULT_CONNECT_TIMEOUT: Duration = Duration::from_secs(10);
/// Time allowed for a whole request, unless set otherwise.
pub const DEFAULT_TIMEOUT: Duration = Duration::from_secs(30);
/// The largest answer body read, unless set otherwise (16 MiB; a page of 100 tasks is about
/// 100 KiB).
pub const DEFAULT_MAX_RESPONSE_BYTES: u64 = 16 * 1024 * 1024;

const API_VERSION_HEADER: HeaderName = HeaderName::from_static("x-github-api-version");

/// What kind of token a token is, by its prefix (GitHub's token formats).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum TokenKind {
    /// A classic personal access token (`ghp_`).
    Classic,
    /// A fine-grained personal access token (`github_pat_`).
    FineGrained,
    /// An OAuth app token (`gho_`).
    OAuth,
    /// A GitHub App user access token (`ghu_`).
    UserToServer,
    /// A GitHub App installation token (`ghs_`), which this API refuses.
    Installation,
    /// No known prefix (an older format, or something else).
    Unknown,
}

impl TokenKind {
    /// The kind of `token`.
    pub fn of(token: &str) -> TokenKind {
        match token {
            t if t.starts_with("github_pat_") => TokenKind::FineGrained,
            t if t.starts_with("ghp_") => TokenKind::Classic,
            t if t.starts_with("gho_") => TokenKind::OAuth,
            t if t.starts_with("ghu_") => TokenKind::UserToServer,
            t if t.starts_with("ghs_") => TokenKind::Installation,
            _ => TokenKind::Unknown,
        }
    }
}

impl std::fmt::Display for TokenKind {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self {
            TokenKind::Classic => "classic personal access token",
            TokenKind::FineGrained => "fine-grained personal access token",
            TokenKind::OAuth => "OAuth app token",
            TokenKind::UserToServer => "GitHub App user access token",
            TokenKind::Installation => "GitHub App installation token",
            TokenKind::Unknown => "token of an unknown kind",
        })
    }
}

/// A token, kept out of `Debug` output.
#[derive(Clone)]
struct Secret(String);

impl std::fmt::Debug for Secret {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("<redacted>")
    }
}

/// Builds a [`Client`]. Get one from [`Client::builder`] or [`ClientBuilder::from_env`].
#[derive(Default)]
#[must_use]
pub struct ClientBuilder {
    // Unchecked until `build`, but already redacted in `Debug`.
    token: Option<Secret>,
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
    creation_markers: Option<bool>,
    max_response_bytes: Option<u64>,
}

impl std::fmt::Debug for ClientBuilder {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ClientBuilder")
            .field("token", &self.token)
            .field("base_url", &self.base_url.as_deref().map(redacted_url))
            .field("api_version", &self.api_version)
            .field("user_agent", &self.user_agent)
            .field("connect_timeout", &self.connect_timeout)
            .field("timeout", &self.timeout)
            .field(
                "http",
                &self.http.as_ref().map(|_| "<caller's reqwest::Client>"),
            )
            .field("clock", &self.clock)
            .field("retry", &self.retry)
            .field("rate_limits", &self.rate_limits)
            .field("reconcile", &self.reconcile)
            .field("creation_markers", &self.creation_markers)
            .field("max_response_bytes", &self.max_response_bytes)
            .finish()
    }
}

/// A URL for `Debug` output: credentials and query replaced, since either may hold a secret.
fn redacted_url(text: &str) -> String {
    match url::Url::parse(text.trim()) {
        Ok(mut url) => {
            if !url.username().is_empty() || url.password().is_some() {
                let _ = url.set_username("redacted");
                let _ = url.set_password(None);
            }
            if url.query().is_some() {
                url.set_query(Some("redacted"));
            }
            if url.fragment().is_some() {
                url.set_fragment(Some("redacted"));
            }
            url.to_string()
        }
        Err(_) => "<not a URL>".to_owned(),
    }
}

impl ClientBuilder {
    /// A builder with the token from `GH_TOKEN`, else `GITHUB_TOKEN`, and the base URL from
    /// `GITHUB_API_URL` when set. Variables that are empty or only whitespace count as unset;
    /// values are trimmed. Nothing else in this crate reads the environment (but see the
    /// README on proxies: reqwest honours `HTTPS_PROXY` and `NO_PROXY`).
    ///
    /// ```no_run
    /// # fn main() -> agent_tasks::Result<()> {
    /// let client = agent_tasks::ClientBuilder::from_env()
    ///     .user_agent("my-bot/1.0")
    ///     .build()?;
    /// # Ok(()) }
    /// ```
    pub fn from_env() -> Self {
        let var = |name: &str| {
            std::env::var(name)
                .ok()
                .map(|v| v.trim().to_owned())
                .filter(|v| !v.is_empty())
        };
        ClientBuilder {
            token: var("GH_TOKEN").or_else(|| var("GITHUB_TOKEN")).map(Secret),
            base_url: var("GITHUB_API_URL"),
            ..ClientBuilder::default()
        }
    }

    /// The token: a personal access token, an OAuth app token or a GitHub App user access
    /// token. Installation tokens (`ghs_`) are refused by the API, so `build` refuses them.
    pub fn token(mut self, token: impl Into<String>) -> Self {
        self.token = Some(Secret(token.into()));
        self
    }

    /// The API's base URL: `https://api.github.com` (the default), `https://HOST/api/v3` for
    /// GitHub Enterprise Server, `https://api.SUBDOMAIN.ghe.com` for GHE.com. Plain http is
    /// accepted only to loopback (tests, the fake), and then no proxy is used.
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

    /// The largest answer body read ([`DEFAULT_MAX_RESPONSE_BYTES`] unless set); a longer one
    /// fails with [`Error::BodyTooLarge`] as soon as it passes the limit.
    pub fn max_response_bytes(mut self, max: u64) -> Self {
        self.max_response_bytes = Some(max);
        self
    }

    /// Sends through this `reqwest::Client` (proxies, TLS roots, connection pools of your own).
    /// The token, API version, user agent and body limit still apply to every request; its
    /// proxy and redirect settings are yours (this crate's own client follows redirects only
    /// within the same host and uses no proxy for a loopback base URL).
    pub fn http_client(mut self, client: reqwest::Client) -> Self {
        self.http = Some(client);
        self
    }

    /// The clock waits and retries use ([`TokioClock`] unless set):
    /// tests can supply one that does not really sleep.
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

    /// Whether each task creation without an idempotency key carries a marker of its own
    /// (default: yes): a last line of the prompt that renders as nothing in Markdown,
    /// `<!-- agent-tasks creation: 16 hex digits -->`, random, never looked up before sending
    /// (the happy path costs no request). When a creation's answer is lost, reconciliation then
    /// matches the marker exactly, so an identical task started by the same user just before
    /// (in the same second, from another process) is never taken for this creation's.
    ///
    /// Without markers the prompt is sent untouched, and a task that matches but was created
    /// in the second the request left is reported as a candidate of
    /// [`Error::OutcomeUnknown`], not claimed: it could be that identical earlier task.
    pub fn creation_markers(mut self, yes: bool) -> Self {
        self.creation_markers = Some(yes);
        self
    }

    /// Checks every setting and builds the client.
    pub fn build(self) -> Result<Client> {
        let token = self.token.ok_or(Error::Token(TokenProblem::Missing))?;
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
        if self.max_response_bytes == Some(0) {
            return Err(Error::invalid(
                "max_response_bytes",
                "must be more than zero",
            ));
        }

        let mut headers = HeaderMap::new();
        let mut auth = HeaderValue::try_from(format!("Bearer {}", token.0))
            .map_err(|_| Error::Token(TokenProblem::NonAscii))?;
        auth.set_sensitive(true);
        headers.insert(AUTHORIZATION, auth);
        headers.insert(
            API_VERSION_HEADER,
            HeaderValue::from_str(&api_version)
                .map_err(|_| Error::invalid("api_version", "is not a valid header value"))?,
        );
        headers.insert(
            USER_AGENT,
            HeaderValue::from_str(&user_agent)
                .map_err(|_| Error::invalid("user_agent", "is not a valid header value"))?,
        );

        let (http, request_timeout) = match self.http {
            Some(http) => (http, self.timeout),
            None => (
                http_client(
                    &base_url,
                    self.connect_timeout.unwrap_or(DEFAULT_CONNECT_TIMEOUT),
                    self.timeout.unwrap_or(DEFAULT_TIMEOUT),
                )?,
                None,
            ),
        };
        let defaults = RequestDefaults::new(headers)
            .with_timeout(request_timeout)
            .with_max_response_bytes(Some(
                self.max_response_bytes
                    .unwrap_or(DEFAULT_MAX_RESPONSE_BYTES),
            ));
        // GitHub Enterprise Server serves GraphQL at /api/graphql, beside /api/v3.
        let graphql = base_url.strip_suffix("/api/v3").map(|host| {
            agent_tasks_raw::Client::new_with_client(
                &format!("{host}/api"),
                http.clone(),
                defaults.clone(),
            )
        });
        let raw = agent_tasks_raw::Client::new_with_client(&base_url, http, defaults);
        let transport = Transport::new(
            raw,
            graphql,
            base_url,
            &token.0,
            self.clock.unwrap_or_else(|| Arc::new(TokioClock)),
            self.retry.unwrap_or_default(),
            self.rate_limits.unwrap_or_default(),
        );
        Ok(Client {
            inner: Arc::new(Inner {
                transport,
                claims: Claims::default(),
                api_version,
                user_agent,
                reconcile: self.reconcile.unwrap_or(true),
                creation_markers: self.creation_markers.unwrap_or(true),
            }),
        })
    }
}

/// The `reqwest::Client` this crate builds: timeouts; redirects followed only within the same
/// scheme, host and port (so the token never follows one elsewhere); no proxy for a plain-http
/// base URL (loopback only: the token must not travel in clear to a proxy).
fn http_client(base_url: &str, connect: Duration, total: Duration) -> Result<reqwest::Client> {
    let same_origin = reqwest::redirect::Policy::custom(|attempt| {
        let first = attempt.previous().first();
        let same = first.is_some_and(|f| {
            f.scheme() == attempt.url().scheme()
                && f.host_str() == attempt.url().host_str()
                && f.port_or_known_default() == attempt.url().port_or_known_default()
        });
        if !same || attempt.previous().len() > 5 {
            attempt.stop()
        } else {
            attempt.follow()
        }
    });
    let mut builder = agent_tasks_raw::tls::client_builder()
        .connect_timeout(connect)
        .timeout(total)
        .redirect(same_origin);
    if base_url.starts_with("http://") {
        builder = builder.no_proxy();
    }
    builder
        .build()
        .map_err(|e| Error::invalid("http_client", format!("cannot be built: {e}")))
}

/// A client of the Agent tasks API. Cheap to clone; clones share connections, rate-limit
/// figures and claims.
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
    transport: Transport,
    claims: Claims,
    api_version: String,
    user_agent: String,
    reconcile: bool,
    creation_markers: bool,
}

impl std::fmt::Debug for Client {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Client")
            .field("base_url", &self.base_url())
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
    ///     .api_version(agent_tasks::client::API_VERSION_2026_03_10)
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
        self.inner.transport.base_url()
    }

    /// Whether requests go to a loopback host (a local test server).
    pub(crate) fn is_loopback(&self) -> bool {
        validate::is_loopback(self.base_url())
    }

    /// The `X-GitHub-Api-Version` sent.
    pub fn api_version(&self) -> &str {
        &self.inner.api_version
    }

    /// The `User-Agent` sent.
    pub fn user_agent(&self) -> &str {
        &self.inner.user_agent
    }

    /// The rate-limit figures of the latest answer that carried them. A reset announced
    /// further ahead than GitHub's one-hour window is believed for one hour from that answer:
    /// requests are held back that long at most.
    pub fn rate_limit(&self) -> Option<RateLimit> {
        self.inner.transport.rate_limit()
    }

    /// The clock of waits and retries.
    pub fn clock(&self) -> Arc<dyn Clock> {
        self.inner.transport.clock().clone()
    }

    /// The generated client underneath: an escape hatch for what this crate does not wrap.
    /// Requests sent through it carry the same headers and body limit (but skip this crate's
    /// retries, checks and error mapping).
    pub fn raw(&self) -> &agent_tasks_raw::Client {
        self.inner.transport.raw()
    }

    pub(crate) fn transport(&self) -> &Transport {
        &self.inner.transport
    }

    pub(crate) fn claims(&self) -> &Claims {
        &self.inner.claims
    }

    pub(crate) fn reconciles(&self) -> bool {
        self.inner.reconcile
    }

    pub(crate) fn marks_creations(&self) -> bool {
        self.inner.creation_markers
    }
}
