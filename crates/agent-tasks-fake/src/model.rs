//! The fake's state: tasks and how they move through their states on the fake's clock, the
//! fault knobs, and the counters that tests and benchmarks read.

use std::collections::BTreeMap;
use std::time::{Duration, Instant};

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use serde_json::{Value, json};

/// How a task ends once it has run.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "state", rename_all = "snake_case")]
pub enum Outcome {
    /// `completed`, with a pull request artifact.
    Completed,
    /// `failed`, with this message as the session's error.
    Failed {
        /// The session error's message.
        message: String,
    },
    /// `waiting_for_user`: the agent asks a person.
    WaitingForUser,
    /// `idle`.
    Idle,
    /// `timed_out`.
    TimedOut,
    /// `cancelled`.
    Cancelled,
}

impl Outcome {
    /// The task state this outcome ends in.
    pub fn state(&self) -> &'static str {
        match self {
            Outcome::Completed => "completed",
            Outcome::Failed { .. } => "failed",
            Outcome::WaitingForUser => "waiting_for_user",
            Outcome::Idle => "idle",
            Outcome::TimedOut => "timed_out",
            Outcome::Cancelled => "cancelled",
        }
    }
}

/// How long a new task stays in each state, in the fake's time.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Schedule {
    /// Time spent `queued`.
    #[serde(with = "secs")]
    pub queued: Duration,
    /// Time spent `in_progress` before the outcome.
    #[serde(with = "secs")]
    pub running: Duration,
}

impl Default for Schedule {
    fn default() -> Self {
        Schedule {
            queued: Duration::from_secs(5),
            running: Duration::from_secs(60),
        }
    }
}

mod secs {
    use std::time::Duration;
    pub fn serialize<S: serde::Serializer>(d: &Duration, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_f64(d.as_secs_f64())
    }
    pub fn deserialize<'de, D: serde::Deserializer<'de>>(d: D) -> Result<Duration, D::Error> {
        let v = <f64 as serde::Deserialize>::deserialize(d)?;
        Duration::try_from_secs_f64(v).map_err(serde::de::Error::custom)
    }
}

/// Faults the fake injects into API answers (never into `/_fake/...`). Shares are 0.0 to 1.0,
/// drawn from a seeded generator, so a run is repeatable.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct Faults {
    /// Added to every answer, in milliseconds.
    pub latency_ms: u64,
    /// Share of requests answered 500, 502 or 503 without being handled.
    pub error_rate: f64,
    /// Share of requests whose connection is dropped before they are handled.
    pub drop_rate: f64,
    /// Share of task creations whose connection is dropped *after* the task was stored: the
    /// client cannot know whether its POST worked.
    pub drop_after_store_rate: f64,
    /// Share of requests refused with 429 and `Retry-After` (a secondary rate limit).
    pub secondary_429_rate: f64,
    /// Share of requests refused with 403 and `Retry-After` (a secondary rate limit).
    pub secondary_403_rate: f64,
    /// The `Retry-After` seconds of those refusals (0: no `Retry-After` header).
    pub retry_after_secs: u64,
    /// A primary rate limit: requests allowed per window. With it, every answer carries
    /// `x-ratelimit-*` headers and requests beyond it get 403 until the reset.
    pub primary_limit: Option<u64>,
    /// The primary window, in seconds of the fake's clock (default 3600).
    pub primary_window_secs: u64,
    /// Share of successful answers whose JSON body is cut short.
    pub malformed_rate: f64,
}

/// The fake's clock: real time sped up by a factor, or stepped by hand.
#[derive(Debug)]
pub(crate) enum Clock {
    Scaled {
        origin: DateTime<Utc>,
        started: Instant,
        scale: f64,
    },
    Manual(DateTime<Utc>),
}

impl Clock {
    pub(crate) fn now(&self) -> DateTime<Utc> {
        match self {
            Clock::Scaled {
                origin,
                started,
                scale,
            } => {
                let elapsed = started.elapsed().as_secs_f64() * scale;
                *origin + chrono::Duration::microseconds((elapsed * 1e6) as i64)
            }
            Clock::Manual(now) => *now,
        }
    }

    pub(crate) fn advance(&mut self, by: Duration) {
        let by = chrono::Duration::from_std(by).unwrap_or(chrono::Duration::MAX);
        match self {
            Clock::Scaled { origin, .. } => *origin += by,
            Clock::Manual(now) => *now += by,
        }
    }
}

/// A seeded xorshift generator: repeatable fault draws without a dependency.
#[derive(Debug)]
pub(crate) struct Rng(u64);

impl Rng {
    pub(crate) fn new(seed: u64) -> Self {
        Rng(seed.max(1))
    }

    /// A draw in [0, 1).
    pub(crate) fn next_f64(&mut self) -> f64 {
        let mut x = self.0;
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        self.0 = x;
        (x >> 11) as f64 / (1u64 << 53) as f64
    }

    pub(crate) fn chance(&mut self, share: f64) -> bool {
        share > 0.0 && self.next_f64() < share
    }
}

/// A repository the fake knows.
#[derive(Clone, Debug)]
pub(crate) struct Repo {
    pub owner: String,
    pub name: String,
    pub id: i64,
    pub owner_id: i64,
}

/// A stored task: what was asked, and when. Its state is computed from the clock.
#[derive(Clone, Debug)]
pub(crate) struct StoredTask {
    pub number: u64,
    pub id: String,
    pub repo: Repo,
    pub creator_id: i64,
    pub prompt: String,
    pub model: Option<String>,
    pub custom_agent: Option<String>,
    pub base_ref: Option<String>,
    pub head_ref: Option<String>,
    pub create_pull_request: bool,
    pub created_at: DateTime<Utc>,
    pub schedule: Schedule,
    pub outcome: Outcome,
    pub archived_at: Option<DateTime<Utc>>,
}

fn ts(t: DateTime<Utc>) -> String {
    t.to_rfc3339_opts(chrono::SecondsFormat::Secs, true)
}

impl StoredTask {
    fn started_at(&self) -> DateTime<Utc> {
        self.created_at + chrono::Duration::from_std(self.schedule.queued).unwrap_or_default()
    }

    fn ended_at(&self) -> DateTime<Utc> {
        self.started_at() + chrono::Duration::from_std(self.schedule.running).unwrap_or_default()
    }

    /// The state at `now`, and when it began.
    pub(crate) fn state_at(&self, now: DateTime<Utc>) -> (&'static str, DateTime<Utc>) {
        if now < self.started_at() {
            ("queued", self.created_at)
        } else if now < self.ended_at() {
            ("in_progress", self.started_at())
        } else {
            (self.outcome.state(), self.ended_at())
        }
    }

    fn head_branch(&self) -> String {
        self.head_ref
            .clone()
            .unwrap_or_else(|| format!("copilot/task-{}", self.number))
    }

    fn artifacts(&self, state: &str) -> Vec<Value> {
        let mut out = Vec::new();
        if state != "queued" {
            out.push(json!({
                "provider": "github",
                "type": "branch",
                "data": {"head_ref": self.head_branch(), "base_ref": self.base_ref.clone().unwrap_or_else(|| "main".into())}
            }));
        }
        if state == "completed" {
            let pr = 1000 + self.number as i64;
            out.push(json!({
                "provider": "github",
                "type": "pull",
                "data": {"id": pr, "global_id": format!("PR_fake{pr}")}
            }));
        }
        out
    }

    /// The task as the list and create operations return it.
    pub(crate) fn render(&self, now: DateTime<Utc>, base: &str) -> Value {
        let (state, since) = self.state_at(now);
        let mut task = json!({
            "id": self.id,
            "url": format!("{base}/agents/repos/{}/{}/tasks/{}", self.repo.owner, self.repo.name, self.id),
            "html_url": format!("https://github.com/{}/{}/copilot/tasks/{}", self.repo.owner, self.repo.name, self.id),
            "name": self.prompt.lines().next().unwrap_or("").chars().take(80).collect::<String>(),
            "creator": {"id": self.creator_id},
            "creator_type": "user",
            "owner": {"id": self.repo.owner_id},
            "repository": {"id": self.repo.id},
            "state": state,
            "session_count": 1,
            "artifacts": self.artifacts(state),
            "archived_at": self.archived_at.map(ts),
            "created_at": ts(self.created_at),
            "updated_at": ts(since),
        });
        if let Some(agent) = &self.custom_agent {
            task["custom_agent"] = json!({"id": agent});
        }
        task
    }

    /// The task with its session, as the get operations return it.
    pub(crate) fn render_with_sessions(&self, now: DateTime<Utc>, base: &str) -> Value {
        let (state, since) = self.state_at(now);
        let mut task = self.render(now, base);
        let mut session = json!({
            "id": format!("s{}", &self.id[1..]),
            "name": task["name"],
            "user": {"id": self.creator_id},
            "owner": {"id": self.repo.owner_id},
            "repository": {"id": self.repo.id},
            "task_id": self.id,
            "state": state,
            "created_at": ts(self.created_at),
            "updated_at": ts(since),
            "prompt": self.prompt,
            "head_ref": self.head_branch(),
            "base_ref": self.base_ref.clone().unwrap_or_else(|| "main".into()),
            "model": self.model.clone().unwrap_or_else(|| "claude-sonnet-4.6".into()),
        });
        if !matches!(state, "queued" | "in_progress") {
            session["completed_at"] = json!(ts(since));
            // Credits grow with the running time: one AI credit per minute, in nano units.
            let minutes = self.schedule.running.as_secs_f64() / 60.0;
            session["usage"] =
                json!({"type": "ai_credits", "amount": (minutes.max(0.1) * 1e9).round()});
        }
        if let Outcome::Failed { message } = &self.outcome
            && state == "failed"
        {
            session["error"] = json!({"message": message});
        }
        task["sessions"] = json!([session]);
        task
    }
}

/// Requests counted by operation and status.
pub type RequestCounts = BTreeMap<String, BTreeMap<u16, u64>>;

/// What `GET /_fake/state` returns, and [`crate::Fake::state`].
#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct StateSnapshot {
    /// The fake's clock.
    pub now: DateTime<Utc>,
    /// Every stored task, as the get operation renders it, plus its `prompt`.
    pub tasks: Vec<Value>,
    /// Requests by operation (`create_task_in_repo`, ..., `unknown`) and status; a dropped
    /// connection counts under status 0.
    pub requests: RequestCounts,
    /// All API requests (not `/_fake/...`).
    pub requests_total: u64,
    /// The fault knobs in force.
    pub faults: Faults,
    /// Ids of tasks stored by creations whose connection was then dropped on purpose.
    pub dropped_after_store: Vec<String>,
}

impl StateSnapshot {
    /// Requests of one operation, any status.
    pub fn requests_of(&self, operation: &str) -> u64 {
        self.requests.get(operation).map_or(0, |m| m.values().sum())
    }
}
