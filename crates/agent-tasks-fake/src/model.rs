//! The things the fake stores (repositories, users, tasks) and how a task looks on the wire.
//!
//! A task keeps only what was asked and when; its state is computed from the clock each time
//! it is rendered, so moving the clock moves every task at once.

use std::time::Duration;

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use serde_json::{Value, json};

use crate::clock::{add, delta, timestamp};
pub use agent_tasks_raw::TaskState;

/// How a task ends once it has run: the state it then rests in, and the message of its
/// session's error, if any. On the wire (`POST /_fake/outcomes`, `--faults`-style JSON):
/// `{"state": "failed", "message": "tests failed"}`, `{"state": "waiting_for_user"}`.
///
/// Any state will do, one the client does not know included (to test how it copes with a state
/// the preview API adds); an active one (`in_progress`) makes a task that never ends.
///
/// ```
/// use agent_tasks_fake::{Outcome, TaskState};
/// assert_eq!(Outcome::default().state, TaskState::Completed);
/// let failed = Outcome::failed("tests failed");
/// assert_eq!(failed.state, TaskState::Failed);
/// assert_eq!(Outcome::from(TaskState::TimedOut).message, None);
/// ```
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct Outcome {
    /// The state the task ends in.
    pub state: TaskState,
    /// The message of the session's error, once the task has ended.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub message: Option<String>,
}

impl Outcome {
    /// The task ends in `state`, without an error message.
    pub fn new(state: TaskState) -> Self {
        Outcome {
            state,
            message: None,
        }
    }

    /// The task ends `failed`, its session's error saying `message`.
    pub fn failed(message: impl Into<String>) -> Self {
        Outcome {
            state: TaskState::Failed,
            message: Some(message.into()),
        }
    }
}

impl Default for Outcome {
    /// `completed`, with a pull request.
    fn default() -> Self {
        Outcome::new(TaskState::Completed)
    }
}

impl From<TaskState> for Outcome {
    fn from(state: TaskState) -> Self {
        Outcome::new(state)
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

impl Schedule {
    /// A schedule from seconds, as a command line gives them; refuses negative, NaN, infinite
    /// or out-of-range values with a message naming the argument.
    ///
    /// ```
    /// use agent_tasks_fake::Schedule;
    /// let s = Schedule::from_secs_f64(5.0, 60.0).unwrap();
    /// assert_eq!(s.running.as_secs(), 60);
    /// assert!(Schedule::from_secs_f64(-1.0, 60.0).is_err());
    /// ```
    pub fn from_secs_f64(queued: f64, running: f64) -> Result<Schedule, String> {
        let secs = |name: &str, v: f64| {
            Duration::try_from_secs_f64(v)
                .map_err(|_| format!("{name} must be a non-negative number of seconds, got {v}"))
        };
        Ok(Schedule {
            queued: secs("queued", queued)?,
            running: secs("running", running)?,
        })
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

/// A repository the fake knows.
#[derive(Clone, Debug)]
pub(crate) struct Repo {
    pub owner: String,
    pub name: String,
    pub id: i64,
    pub owner_id: i64,
}

impl Repo {
    /// GitHub's owner and repository names are not case sensitive.
    pub(crate) fn is(&self, owner: &str, name: &str) -> bool {
        self.owner.eq_ignore_ascii_case(owner) && self.name.eq_ignore_ascii_case(name)
    }
}

/// A user the fake knows: the token that authenticates as them and their login. The n-th
/// user (from 1) has user id n.
#[derive(Clone, Debug)]
pub(crate) struct User {
    pub token: String,
    pub login: String,
    /// The token may neither read pull requests nor write to repositories.
    pub restricted: bool,
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

impl StoredTask {
    /// The id of the `number`-th task (from 1): a UUID-shaped string, unique per number (the
    /// last group holds the whole number).
    pub(crate) fn id_for(number: u64) -> String {
        format!(
            "{:08x}-fa6e-4a5c-8000-{:012x}",
            number & 0xFFFF_FFFF,
            number
        )
    }

    /// The bytes of text this task keeps, for the store's budget.
    pub(crate) fn text_bytes(&self) -> usize {
        let opt = |s: &Option<String>| s.as_ref().map_or(0, String::len);
        self.prompt.len()
            + opt(&self.model)
            + opt(&self.custom_agent)
            + opt(&self.base_ref)
            + opt(&self.head_ref)
    }

    fn started_at(&self) -> DateTime<Utc> {
        add(self.created_at, delta(self.schedule.queued))
    }

    fn ended_at(&self) -> DateTime<Utc> {
        add(self.started_at(), delta(self.schedule.running))
    }

    /// The state at `now`, when it began, and whether the task has reached its outcome.
    pub(crate) fn state_at(&self, now: DateTime<Utc>) -> (&TaskState, DateTime<Utc>, bool) {
        if now < self.started_at() {
            (&TaskState::Queued, self.created_at, false)
        } else if now < self.ended_at() {
            (&TaskState::InProgress, self.started_at(), false)
        } else {
            (&self.outcome.state, self.ended_at(), true)
        }
    }

    fn head_branch(&self) -> String {
        self.head_ref
            .clone()
            .unwrap_or_else(|| format!("copilot/task-{}", self.number))
    }

    fn base_branch(&self) -> String {
        self.base_ref.clone().unwrap_or_else(|| "main".into())
    }

    fn artifacts(&self, state: &TaskState) -> Vec<Value> {
        let mut out = Vec::new();
        if *state != TaskState::Queued {
            out.push(json!({
                "provider": "github",
                "type": "branch",
                "data": {"head_ref": self.head_branch(), "base_ref": self.base_branch()}
            }));
        }
        if state.is_success() {
            let (pr, node_id) = self.pull_request();
            out.push(json!({
                "provider": "github",
                "type": "pull",
                "data": {"id": pr, "global_id": node_id}
            }));
        }
        out
    }

    /// The pull request the task opens when it completes: its database id and node id.
    fn pull_request(&self) -> (i64, String) {
        let pr = i64::try_from(self.number)
            .unwrap_or(i64::MAX)
            .saturating_add(1000);
        (pr, format!("PR_fake{pr}"))
    }

    /// The number of the task whose pull request has the node id `node_id`, if it is one of
    /// the fake's (the inverse of the id above).
    pub(crate) fn number_of_pull_request(node_id: &str) -> Option<u64> {
        let pr: u64 = node_id.strip_prefix("PR_fake")?.parse().ok()?;
        pr.checked_sub(1000).filter(|&n| n > 0)
    }

    /// The task's pull request at `now`, if it has opened one by then.
    pub(crate) fn pull_request_at(&self, now: DateTime<Utc>) -> Option<(i64, String)> {
        self.state_at(now)
            .0
            .is_success()
            .then(|| self.pull_request())
    }

    /// The task as the list and create operations return it.
    pub(crate) fn render(&self, now: DateTime<Utc>, base: &str) -> Value {
        let (state, since, _) = self.state_at(now);
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
            "archived_at": self.archived_at.map(timestamp),
            "created_at": timestamp(self.created_at),
            "updated_at": timestamp(since),
        });
        if let Some(agent) = &self.custom_agent {
            task["custom_agent"] = json!({"id": agent});
        }
        task
    }

    /// The task with its session, as the get operations return it.
    pub(crate) fn render_with_sessions(&self, now: DateTime<Utc>, base: &str) -> Value {
        let (state, since, ended) = self.state_at(now);
        let mut task = self.render(now, base);
        // The session id is the task id with a leading `s` in place of its first character.
        let session_id = format!("s{}", self.id.get(1..).unwrap_or(""));
        let mut session = json!({
            "id": session_id,
            "name": task["name"],
            "user": {"id": self.creator_id},
            "owner": {"id": self.repo.owner_id},
            "repository": {"id": self.repo.id},
            "task_id": self.id,
            "state": state,
            "created_at": timestamp(self.created_at),
            "updated_at": timestamp(since),
            "prompt": self.prompt,
            "head_ref": self.head_branch(),
            "base_ref": self.base_branch(),
            "model": self.model.clone().unwrap_or_else(|| "claude-sonnet-4.6".into()),
        });
        if ended {
            session["completed_at"] = json!(timestamp(since));
            // Credits grow with the running time: one AI credit per minute, in nano units.
            let minutes = self.schedule.running.as_secs_f64() / 60.0;
            session["usage"] =
                json!({"type": "ai_credits", "amount": (minutes.max(0.1) * 1e9).round()});
        }
        if let Some(message) = &self.outcome.message
            && ended
        {
            session["error"] = json!({"message": message});
        }
        task["sessions"] = json!([session]);
        task
    }
}
