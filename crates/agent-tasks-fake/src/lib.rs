//! A local, stateful stand-in for GitHub's Agent tasks REST API.
//!
//! It serves the five operations, `GET /user`, `GET /repos/{owner}/{repo}` and GraphQL's
//! `nodes(ids:)` (and `node(id:)`) for its pull requests on 127.0.0.1 with the documented shapes,
//! checks what GitHub checks (user agent, token, API version, the body), moves each task from
//! `queued` through `in_progress` to an outcome on its own clock, and injects faults on demand.
//! Tests, demos, benchmarks and users' own tests run against it; it shares no code with the
//! client.
//!
//! ```no_run
//! # async fn run() -> std::io::Result<()> {
//! let fake = agent_tasks_fake::Fake::builder()
//!     .repo("octocat", "hello-world")
//!     .time_scale(60.0)
//!     .start()
//!     .await?;
//! println!("serving on {} (token: {})", fake.url(), agent_tasks_fake::DEFAULT_TOKEN);
//! # Ok(()) }
//! ```
//!
//! # Serving as a program
//!
//! Everything a command line needs is in the builder; waiting for Ctrl-C (and dropping the
//! [`Fake`], which stops it) is the caller's job:
//!
//! ```no_run
//! # async fn run() -> Result<(), Box<dyn std::error::Error>> {
//! use agent_tasks_fake::{Fake, Faults, Schedule};
//! let fake = Fake::builder()
//!     .addr("127.0.0.1:8787".parse()?)
//!     .repo("my-org", "my-repo")
//!     .token("second-token")
//!     .user("third-token", "mona")
//!     .time_scale(10.0)
//!     .schedule(Schedule::from_secs_f64(5.0, 60.0)?)
//!     .faults(Faults::from_json(r#"{"error_rate": 0.1, "latency_ms": 50}"#)?)
//!     .seed(42)
//!     .start()
//!     .await?;
//! println!("{}", fake.url());
//! std::future::pending::<()>().await; // a program waits for Ctrl-C here
//! # Ok(()) }
//! ```
//!
//! # Users
//!
//! The n-th accepted token (from 1) authenticates as user id n, login `fake-user-N` unless
//! [`FakeBuilder::user`] named it: [`DEFAULT_TOKEN`] is user 1, `fake-user-1`. `GET /user`
//! answers `{"login", "id", "type": "User"}` for the token, checked like the API.
//!
//! # Time
//!
//! The fake's clock runs at [`FakeBuilder::time_scale`] times real time, or stands still
//! ([`FakeBuilder::manual_clock`]) and moves only when told. Every answer's `Date` header
//! (API, errors, 304s, control endpoints) is an HTTP-date on that clock, as are the tasks'
//! timestamps, so a client can compare the two.
//!
//! # Control endpoints
//!
//! Inspection and control over HTTP (no token needed, no faults, not counted):
//!
//! | request | does |
//! |---|---|
//! | `GET /_fake/state` | every stored task, request counts by operation and status, the faults ([`StateSnapshot`]) |
//! | `PUT /_fake/faults` | replaces the fault knobs ([`Faults`] as JSON, e.g. `{"error_rate": 0.2, "latency_ms": 50}`) |
//! | `POST /_fake/clock/advance` | `{"seconds": N}` moves the clock forward, N from 0 to 100 years |
//! | `POST /_fake/outcomes` | `{"prompt_contains": "flaky", "outcome": {"state": "failed", "message": "tests failed"}}` |
//!
//! An outcome is any task state (`TaskState::KNOWN`, or one the client does not know yet),
//! with an optional `message` for the session's error ([`Outcome`]).
//!
//! Fault knobs (each missing knob is off; unknown ones are refused; see [`Faults`]):
//!
//! | knob | does |
//! |---|---|
//! | `latency_ms` | added to every answer (at most 60 000) |
//! | `error_rate` | share answered 500, 502 or 503 without being handled |
//! | `drop_rate` | share whose connection drops before handling: a proxy lost the request, nothing stored |
//! | `drop_after_store_rate` | share of creations whose connection drops after the task was stored |
//! | `secondary_429_rate` | share refused 429 with `Retry-After` (a secondary rate limit) |
//! | `secondary_403_rate` | share refused 403 with `Retry-After` (a secondary rate limit) |
//! | `retry_after_secs` | the `Retry-After` of those (0: none; at most 86 400) |
//! | `primary_limit` | requests per window; beyond it 403 with `x-ratelimit-remaining: 0` |
//! | `primary_window_secs` | the primary window on the fake's clock (0: 3600; at most 86 400) |
//! | `malformed_rate` | share of successful answers whose body is cut short |
//!
//! Shares are from 0.0 to 1.0, drawn from a generator seeded by [`FakeBuilder::seed`].
//!
//! # Limits
//!
//! Whatever a client sends, the fake answers 4xx or closes the connection; it does not panic
//! and its memory stays bounded:
//!
//! | what | cap | beyond it |
//! |---|---|---|
//! | API request body | [`MAX_API_BODY_BYTES`] (1 MiB) | 413, GitHub-shaped |
//! | `/_fake/...` request body | [`MAX_CONTROL_BODY_BYTES`] (64 KiB) | 413 |
//! | request head | [`MAX_HEADER_BYTES`] (64 KiB), 100 headers | 431 (from hyper) |
//! | time to send a head, idle keep-alive included | [`HEADER_READ_TIMEOUT_SECS`] (30 s) | connection closed |
//! | connections at once | [`MAX_CONNECTIONS`] (512) | wait in the backlog |
//! | stored tasks | [`MAX_TASKS`] (100 000), [`MAX_STORED_TASK_BYTES`] (256 MiB of text) | 422 |
//! | outcome scripts over HTTP | [`MAX_SCRIPTS`] (1 000) | 400 |
//! | one clock step over HTTP | [`MAX_ADVANCE_SECS`] (100 years) | 400 |
//!
//! A body over its cap is still read and thrown away up to [`MAX_DISCARDED_BODY_BYTES`] more,
//! so an ordinary client can read its 413; past that the connection is closed after the answer.
#![warn(missing_docs)]
#![forbid(unsafe_code)]

mod answer;
mod api;
mod auth;
mod clock;
mod control;
mod faults;
mod http;
mod limits;
mod model;
mod rate_limit;
mod rng;
mod store;
mod url;

use std::net::SocketAddr;
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::Duration;

use chrono::{DateTime, Utc};

pub use auth::SUPPORTED_API_VERSIONS;
pub use control::CONTROL_ENDPOINTS;
pub use faults::Faults;
pub use limits::{
    HEADER_READ_TIMEOUT_SECS, MAX_ADVANCE_SECS, MAX_API_BODY_BYTES, MAX_CONNECTIONS,
    MAX_CONTROL_BODY_BYTES, MAX_DISCARDED_BODY_BYTES, MAX_HEADER_BYTES, MAX_LATENCY_MS,
    MAX_PRIMARY_WINDOW_SECS, MAX_RETRY_AFTER_SECS, MAX_SCRIPTS, MAX_STORED_TASK_BYTES, MAX_TASKS,
};
pub use model::{Outcome, Schedule, TaskState};
pub use store::{RequestCounts, StateSnapshot};

use clock::Clock;
use store::{Shared, Store, lock};

/// The repository the fake knows out of the box.
pub const DEFAULT_REPO: (&str, &str) = ("octocat", "hello-world");
/// The token the fake accepts out of the box (user id 1).
pub const DEFAULT_TOKEN: &str = "fake-token";
/// The login of [`DEFAULT_TOKEN`]'s user, as `GET /user` answers it.
pub const DEFAULT_LOGIN: &str = "fake-user-1";

/// Configures and starts a [`Fake`].
#[derive(Debug)]
#[must_use]
pub struct FakeBuilder {
    addr: SocketAddr,
    repos: Vec<(String, String)>,
    users: Vec<(String, Option<String>)>,
    schedule: Schedule,
    scale: f64,
    manual_clock: Option<DateTime<Utc>>,
    faults: Faults,
    seed: u64,
    scripts: Vec<(String, Outcome)>,
}

impl Default for FakeBuilder {
    fn default() -> Self {
        FakeBuilder {
            addr: SocketAddr::from(([127, 0, 0, 1], 0)),
            repos: vec![(DEFAULT_REPO.0.to_owned(), DEFAULT_REPO.1.to_owned())],
            users: vec![(DEFAULT_TOKEN.to_owned(), None)],
            schedule: Schedule::default(),
            scale: 1.0,
            manual_clock: None,
            faults: Faults::default(),
            seed: 0x5EED,
            scripts: Vec::new(),
        }
    }
}

impl FakeBuilder {
    /// Where to listen (default `127.0.0.1:0`, a free port).
    ///
    /// ```
    /// let b = agent_tasks_fake::Fake::builder().addr("127.0.0.1:8787".parse().unwrap());
    /// ```
    pub fn addr(mut self, addr: SocketAddr) -> Self {
        self.addr = addr;
        self
    }

    /// Adds a repository (besides `octocat/hello-world`).
    ///
    /// ```
    /// let b = agent_tasks_fake::Fake::builder().repo("my-org", "my-repo");
    /// ```
    pub fn repo(mut self, owner: &str, name: &str) -> Self {
        self.repos.push((owner.to_owned(), name.to_owned()));
        self
    }

    /// Adds an accepted token (besides `fake-token`); the n-th token is user id n, login
    /// `fake-user-N`.
    ///
    /// ```
    /// let b = agent_tasks_fake::Fake::builder().token("second-token"); // user 2
    /// ```
    pub fn token(mut self, token: &str) -> Self {
        self.users.push((token.to_owned(), None));
        self
    }

    /// Adds an accepted token whose user has this login (the id is its place, as for
    /// [`FakeBuilder::token`]).
    ///
    /// ```
    /// let b = agent_tasks_fake::Fake::builder().user("mona-token", "mona"); // user 2, mona
    /// ```
    pub fn user(mut self, token: &str, login: &str) -> Self {
        self.users.push((token.to_owned(), Some(login.to_owned())));
        self
    }

    /// How long new tasks stay queued and running, in the fake's time.
    ///
    /// ```
    /// use std::time::Duration;
    /// let b = agent_tasks_fake::Fake::builder().schedule(agent_tasks_fake::Schedule {
    ///     queued: Duration::from_secs(1),
    ///     running: Duration::from_secs(10),
    /// });
    /// ```
    pub fn schedule(mut self, schedule: Schedule) -> Self {
        self.schedule = schedule;
        self
    }

    /// Runs the clock this many times faster than real time (the demo uses 60; a negative or
    /// NaN scale stops it).
    ///
    /// ```
    /// let b = agent_tasks_fake::Fake::builder().time_scale(60.0);
    /// ```
    pub fn time_scale(mut self, scale: f64) -> Self {
        self.scale = scale.max(0.0);
        self
    }

    /// Stops the clock, on the current whole second (answers carry whole seconds, so times
    /// measured on the fake's clock against them are whole too, the same in every run): it
    /// moves only through [`Fake::advance`] or `/_fake/clock/advance`.
    ///
    /// ```
    /// let b = agent_tasks_fake::Fake::builder().manual_clock();
    /// ```
    pub fn manual_clock(mut self) -> Self {
        use chrono::SubsecRound;
        self.manual_clock = Some(Utc::now().trunc_subsecs(0));
        self
    }

    /// The faults to inject from the start (clamped into their bounds, see [`Faults`]).
    ///
    /// ```
    /// use agent_tasks_fake::Faults;
    /// let b = agent_tasks_fake::Fake::builder().faults(Faults { error_rate: 0.1, ..Faults::default() });
    /// ```
    pub fn faults(mut self, faults: Faults) -> Self {
        self.faults = faults;
        self
    }

    /// The seed of the fault draws (the same seed, the same faults in the same order).
    ///
    /// ```
    /// let b = agent_tasks_fake::Fake::builder().seed(7);
    /// ```
    pub fn seed(mut self, seed: u64) -> Self {
        self.seed = seed;
        self
    }

    /// Tasks whose prompt contains `pattern` end with `outcome` (first match wins; the default
    /// outcome is `completed`).
    ///
    /// ```
    /// use agent_tasks_fake::Outcome;
    /// let b = agent_tasks_fake::Fake::builder()
    ///     .outcome("[fail]", Outcome::failed("tests failed"));
    /// ```
    pub fn outcome(mut self, pattern: &str, outcome: Outcome) -> Self {
        self.scripts.push((pattern.to_owned(), outcome));
        self
    }

    /// Binds and starts serving in the background of the current tokio runtime.
    ///
    /// ```no_run
    /// # async fn run() -> std::io::Result<()> {
    /// let fake = agent_tasks_fake::Fake::builder().start().await?;
    /// # Ok(()) }
    /// ```
    pub async fn start(self) -> std::io::Result<Fake> {
        let listener = tokio::net::TcpListener::bind(self.addr).await?;
        let addr = listener.local_addr()?;
        let clock = match self.manual_clock {
            Some(now) => Clock::manual(now),
            None => Clock::scaled(self.scale),
        };
        let mut store = Store::new(clock, self.seed, self.schedule, self.faults);
        for (owner, name) in &self.repos {
            store.add_repo(owner, name);
        }
        for (token, login) in &self.users {
            store.add_user(token, login.as_deref());
        }
        for (pattern, outcome) in self.scripts {
            store.add_script(&pattern, outcome);
        }
        let shared: Shared = Arc::new(Mutex::new(store));
        let (stop, stopped) = tokio::sync::watch::channel(false);
        tokio::spawn(http::serve(listener, shared.clone(), addr, stopped));
        Ok(Fake {
            url: format!("http://{addr}"),
            addr,
            shared,
            stop,
        })
    }
}

/// A running fake. It stops accepting connections when dropped.
pub struct Fake {
    url: String,
    addr: SocketAddr,
    shared: Shared,
    stop: tokio::sync::watch::Sender<bool>,
}

/// Starts a fake with the defaults on a free port of 127.0.0.1.
///
/// ```no_run
/// # async fn run() -> std::io::Result<()> {
/// let fake = agent_tasks_fake::start().await?;
/// # Ok(()) }
/// ```
pub async fn start() -> std::io::Result<Fake> {
    Fake::builder().start().await
}

impl Fake {
    /// A builder with the defaults: `octocat/hello-world`, token `fake-token`, real time.
    ///
    /// ```
    /// let b = agent_tasks_fake::Fake::builder();
    /// ```
    pub fn builder() -> FakeBuilder {
        FakeBuilder::default()
    }

    /// The base URL to point a client at (`http://127.0.0.1:PORT`).
    ///
    /// ```no_run
    /// # async fn run() -> std::io::Result<()> {
    /// let fake = agent_tasks_fake::start().await?;
    /// assert!(fake.url().starts_with("http://127.0.0.1:"));
    /// # Ok(()) }
    /// ```
    pub fn url(&self) -> &str {
        &self.url
    }

    /// The address it listens on.
    ///
    /// ```no_run
    /// # async fn run() -> std::io::Result<()> {
    /// let fake = agent_tasks_fake::start().await?;
    /// assert!(fake.addr().ip().is_loopback());
    /// # Ok(()) }
    /// ```
    pub fn addr(&self) -> SocketAddr {
        self.addr
    }

    fn lock(&self) -> MutexGuard<'_, Store> {
        lock(&self.shared)
    }

    /// Every stored task and the request counts, as `GET /_fake/state` returns them.
    ///
    /// ```no_run
    /// # async fn run() -> std::io::Result<()> {
    /// let fake = agent_tasks_fake::start().await?;
    /// assert_eq!(fake.state().requests_total, 0);
    /// # Ok(()) }
    /// ```
    pub fn state(&self) -> StateSnapshot {
        self.lock().snapshot()
    }

    /// Replaces the fault knobs (clamped into their bounds, see [`Faults`]).
    ///
    /// ```no_run
    /// # async fn run() -> std::io::Result<()> {
    /// use agent_tasks_fake::Faults;
    /// let fake = agent_tasks_fake::start().await?;
    /// fake.set_faults(Faults { drop_rate: 0.5, ..Faults::default() });
    /// # Ok(()) }
    /// ```
    pub fn set_faults(&self, faults: Faults) {
        self.lock().set_faults(faults);
    }

    /// Moves the fake's clock forward (saturating at the end of time).
    ///
    /// ```no_run
    /// # async fn run() -> std::io::Result<()> {
    /// let fake = agent_tasks_fake::Fake::builder().manual_clock().start().await?;
    /// fake.advance(std::time::Duration::from_secs(60));
    /// # Ok(()) }
    /// ```
    pub fn advance(&self, by: Duration) {
        self.lock().clock.advance(by);
    }

    /// The fake's clock.
    ///
    /// ```no_run
    /// # async fn run() -> std::io::Result<()> {
    /// let fake = agent_tasks_fake::start().await?;
    /// println!("{}", fake.now());
    /// # Ok(()) }
    /// ```
    pub fn now(&self) -> DateTime<Utc> {
        self.lock().clock.now()
    }

    /// Adds a repository while running.
    ///
    /// ```no_run
    /// # async fn run() -> std::io::Result<()> {
    /// let fake = agent_tasks_fake::start().await?;
    /// fake.add_repo("my-org", "my-repo");
    /// # Ok(()) }
    /// ```
    pub fn add_repo(&self, owner: &str, name: &str) {
        self.lock().add_repo(owner, name);
    }

    /// Adds an accepted token while running (the next user id, login `fake-user-N`).
    ///
    /// ```no_run
    /// # async fn run() -> std::io::Result<()> {
    /// let fake = agent_tasks_fake::start().await?;
    /// fake.add_token("second-token");
    /// # Ok(()) }
    /// ```
    pub fn add_token(&self, token: &str) {
        self.lock().add_user(token, None);
    }

    /// Adds an accepted token whose user has this login, while running.
    ///
    /// ```no_run
    /// # async fn run() -> std::io::Result<()> {
    /// let fake = agent_tasks_fake::start().await?;
    /// fake.add_user("mona-token", "mona");
    /// # Ok(()) }
    /// ```
    pub fn add_user(&self, token: &str, login: &str) {
        self.lock().add_user(token, Some(login));
    }

    /// Restricts the user of `token`: GraphQL refuses them pull requests (`FORBIDDEN`, as
    /// for a token without pull-request read) and `GET /repos/{owner}/{repo}` says they may not
    /// push.
    ///
    /// ```no_run
    /// # async fn run() -> std::io::Result<()> {
    /// let fake = agent_tasks_fake::Fake::builder().token("reader").start().await?;
    /// fake.restrict("reader");
    /// # Ok(()) }
    /// ```
    pub fn restrict(&self, token: &str) {
        self.lock().restrict(token);
    }

    /// Scripts the outcome of future tasks whose prompt contains `pattern`.
    ///
    /// ```no_run
    /// # async fn run() -> std::io::Result<()> {
    /// let fake = agent_tasks_fake::start().await?;
    /// fake.script_outcome("[ask]", agent_tasks_fake::TaskState::WaitingForUser.into());
    /// # Ok(()) }
    /// ```
    pub fn script_outcome(&self, pattern: &str, outcome: Outcome) {
        self.lock().add_script(pattern, outcome);
    }

    /// Changes the outcome of a stored task; `false` if there is no such task.
    ///
    /// ```no_run
    /// # async fn run() -> std::io::Result<()> {
    /// let fake = agent_tasks_fake::start().await?;
    /// assert!(!fake.set_task_outcome("no-such-task", agent_tasks_fake::TaskState::Idle.into()));
    /// # Ok(()) }
    /// ```
    pub fn set_task_outcome(&self, task_id: &str, outcome: Outcome) -> bool {
        match self.lock().task_mut(task_id) {
            Some(task) => {
                task.outcome = outcome;
                true
            }
            None => false,
        }
    }

    /// Archives a stored task now; `false` if there is no such task.
    ///
    /// ```no_run
    /// # async fn run() -> std::io::Result<()> {
    /// let fake = agent_tasks_fake::start().await?;
    /// assert!(!fake.archive("no-such-task"));
    /// # Ok(()) }
    /// ```
    pub fn archive(&self, task_id: &str) -> bool {
        let mut store = self.lock();
        let now = store.clock.now();
        match store.task_mut(task_id) {
            Some(task) => {
                task.archived_at = Some(now);
                true
            }
            None => false,
        }
    }
}

impl std::fmt::Debug for Fake {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Fake")
            .field("url", &self.url)
            .finish_non_exhaustive()
    }
}

impl Drop for Fake {
    fn drop(&mut self) {
        let _ = self.stop.send(true);
    }
}
