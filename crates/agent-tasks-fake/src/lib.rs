//! A local, stateful stand-in for GitHub's Agent tasks REST API.
//!
//! It serves the five operations on 127.0.0.1 with the documented shapes, checks what GitHub
//! checks (token, user agent, API version, the body), moves each task from `queued` through
//! `in_progress` to an outcome on its own clock, and injects faults on demand. Tests, demos,
//! benchmarks and users' own tests run against it; it shares no code with the client.
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
//! Inspection and control over HTTP (no token needed):
//!
//! | request | does |
//! |---|---|
//! | `GET /_fake/state` | every stored task, request counts by operation and status, the faults |
//! | `PUT /_fake/faults` | replaces the fault knobs ([`Faults`] as JSON) |
//! | `POST /_fake/clock/advance` | `{"seconds": N}` moves the clock forward |
//! | `POST /_fake/outcomes` | `{"prompt_contains": "..", "outcome": {"state": "failed", "message": ".."}}` |
#![warn(missing_docs)]
#![forbid(unsafe_code)]

mod model;
mod server;

use std::collections::HashMap;
use std::net::SocketAddr;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use chrono::{DateTime, Utc};

pub use model::{Faults, Outcome, RequestCounts, Schedule, StateSnapshot};
pub use server::SUPPORTED_API_VERSIONS;

use model::{Clock, Rng};
use server::{Inner, Shared};

/// The repository the fake knows out of the box.
pub const DEFAULT_REPO: (&str, &str) = ("octocat", "hello-world");
/// The token the fake accepts out of the box (user id 1).
pub const DEFAULT_TOKEN: &str = "fake-token";

/// Configures and starts a [`Fake`].
#[derive(Debug)]
#[must_use]
pub struct FakeBuilder {
    addr: SocketAddr,
    repos: Vec<(String, String)>,
    tokens: Vec<String>,
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
            tokens: vec![DEFAULT_TOKEN.to_owned()],
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
    pub fn addr(mut self, addr: SocketAddr) -> Self {
        self.addr = addr;
        self
    }

    /// Adds a repository (besides `octocat/hello-world`).
    pub fn repo(mut self, owner: &str, name: &str) -> Self {
        self.repos.push((owner.to_owned(), name.to_owned()));
        self
    }

    /// Adds an accepted token (besides `fake-token`); the n-th token is user id n.
    pub fn token(mut self, token: &str) -> Self {
        self.tokens.push(token.to_owned());
        self
    }

    /// How long new tasks stay queued and running, in the fake's time.
    pub fn schedule(mut self, schedule: Schedule) -> Self {
        self.schedule = schedule;
        self
    }

    /// Runs the clock this many times faster than real time (the demo uses 60).
    pub fn time_scale(mut self, scale: f64) -> Self {
        self.scale = scale.max(0.0);
        self
    }

    /// Stops the clock: it moves only through [`Fake::advance`] or `/_fake/clock/advance`.
    pub fn manual_clock(mut self) -> Self {
        self.manual_clock = Some(Utc::now());
        self
    }

    /// The faults to inject from the start.
    pub fn faults(mut self, faults: Faults) -> Self {
        self.faults = faults;
        self
    }

    /// The seed of the fault draws (the same seed, the same faults in the same order).
    pub fn seed(mut self, seed: u64) -> Self {
        self.seed = seed;
        self
    }

    /// Tasks whose prompt contains `pattern` end with `outcome` (first match wins; the default
    /// outcome is `completed`).
    pub fn outcome(mut self, pattern: &str, outcome: Outcome) -> Self {
        self.scripts.push((pattern.to_owned(), outcome));
        self
    }

    /// Binds and starts serving in the background of the current tokio runtime.
    pub async fn start(self) -> std::io::Result<Fake> {
        let listener = tokio::net::TcpListener::bind(self.addr).await?;
        let addr = listener.local_addr()?;
        let clock = match self.manual_clock {
            Some(now) => Clock::Manual(now),
            None => Clock::Scaled {
                origin: Utc::now(),
                started: Instant::now(),
                scale: self.scale,
            },
        };
        let mut inner = Inner {
            repos: Vec::new(),
            tokens: self.tokens,
            tasks: Vec::new(),
            by_id: HashMap::new(),
            primary: (clock.now(), 0),
            clock,
            rng: Rng::new(self.seed),
            faults: self.faults,
            schedule: self.schedule,
            scripts: self.scripts,
            counts: RequestCounts::new(),
            total: 0,
            next_request_id: 0,
            dropped_after_store: Vec::new(),
        };
        for (owner, name) in &self.repos {
            inner.add_repo(owner, name);
        }
        let shared: Shared = Arc::new(Mutex::new(inner));
        let (stop, stopped) = tokio::sync::watch::channel(false);
        tokio::spawn(server::serve(listener, shared.clone(), stopped));
        Ok(Fake {
            url: format!("http://{addr}"),
            addr,
            shared,
            stop,
        })
    }
}

/// A running fake. It stops serving when dropped.
pub struct Fake {
    url: String,
    addr: SocketAddr,
    shared: Shared,
    stop: tokio::sync::watch::Sender<bool>,
}

/// Starts a fake with the defaults on a free port of 127.0.0.1.
pub async fn start() -> std::io::Result<Fake> {
    Fake::builder().start().await
}

impl Fake {
    /// A builder with the defaults: `octocat/hello-world`, token `fake-token`, real time.
    pub fn builder() -> FakeBuilder {
        FakeBuilder::default()
    }

    /// The base URL to point a client at (`http://127.0.0.1:PORT`).
    pub fn url(&self) -> &str {
        &self.url
    }

    /// The address it listens on.
    pub fn addr(&self) -> SocketAddr {
        self.addr
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, Inner> {
        self.shared
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    }

    /// Every stored task and the request counts, as `GET /_fake/state` returns them.
    pub fn state(&self) -> StateSnapshot {
        self.lock().snapshot()
    }

    /// Replaces the fault knobs.
    pub fn set_faults(&self, faults: Faults) {
        self.lock().faults = faults;
    }

    /// Moves the fake's clock forward.
    pub fn advance(&self, by: Duration) {
        self.lock().clock.advance(by);
    }

    /// The fake's clock.
    pub fn now(&self) -> DateTime<Utc> {
        self.lock().clock.now()
    }

    /// Adds a repository while running.
    pub fn add_repo(&self, owner: &str, name: &str) {
        self.lock().add_repo(owner, name);
    }

    /// Adds an accepted token while running.
    pub fn add_token(&self, token: &str) {
        self.lock().tokens.push(token.to_owned());
    }

    /// Scripts the outcome of future tasks whose prompt contains `pattern`.
    pub fn script_outcome(&self, pattern: &str, outcome: Outcome) {
        self.lock().scripts.push((pattern.to_owned(), outcome));
    }

    /// Changes the outcome of a stored task; `false` if there is no such task.
    pub fn set_task_outcome(&self, task_id: &str, outcome: Outcome) -> bool {
        let mut inner = self.lock();
        match inner.by_id.get(task_id).copied() {
            Some(i) => {
                inner.tasks[i].outcome = outcome;
                true
            }
            None => false,
        }
    }

    /// Archives a stored task now; `false` if there is no such task.
    pub fn archive(&self, task_id: &str) -> bool {
        let mut inner = self.lock();
        let now = inner.clock.now();
        match inner.by_id.get(task_id).copied() {
            Some(i) => {
                inner.tasks[i].archived_at = Some(now);
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
