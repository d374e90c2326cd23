//! The types users work with: tasks, sessions, artifacts, usage.
//!
//! They are built from the raw crate's generated types (`From` impls below), and deserialize
//! through them too (`#[serde(from = ...)]`), so there is one decoder for the wire format.
//! They serialize back to the API's field names, which the CLI's `--json` relies on.
//! Optional fields accept both absent and `null`; unknown fields are ignored.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use agent_tasks_raw::types as raw;
pub use agent_tasks_raw::{
    ArtifactType, CreatorType, StateClass, TaskState, UsageType, ValidationErrorCode,
};

/// A GitHub account (user or organization), as the API identifies it: by numeric id only.
#[derive(
    Clone, Copy, Debug, Default, PartialEq, Eq, Hash, Serialize, Deserialize, schemars::JsonSchema,
)]
#[non_exhaustive]
pub struct Account {
    /// The account's id.
    pub id: Option<i64>,
}

/// A repository, as the API identifies it: by numeric id only.
#[derive(
    Clone, Copy, Debug, Default, PartialEq, Eq, Hash, Serialize, Deserialize, schemars::JsonSchema,
)]
#[non_exhaustive]
pub struct RepositoryRef {
    /// The repository's id.
    pub id: Option<i64>,
}

/// The custom agent a task uses.
#[derive(
    Clone, Debug, Default, PartialEq, Eq, Hash, Serialize, Deserialize, schemars::JsonSchema,
)]
#[non_exhaustive]
pub struct CustomAgent {
    /// The agent file's name without its extension (`performance-optimizer` for
    /// `.github/agents/performance-optimizer.agent.md`).
    pub id: Option<String>,
}

/// Something a task produced: a pull request, a branch, or a kind this crate does not know yet.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(from = "raw::Artifact", into = "raw::Artifact")]
#[non_exhaustive]
pub enum Artifact {
    /// A pull request.
    PullRequest {
        /// The pull request's database id (not its number).
        id: i64,
        /// The pull request's GraphQL node id.
        global_id: Option<String>,
    },
    /// A branch.
    Branch {
        /// The branch the agent works on.
        head_ref: String,
        /// The branch it is based on.
        base_ref: String,
    },
    /// A provider, type or data shape this version of the crate does not know, kept as sent.
    Unknown {
        /// The artifact's `provider`.
        provider: String,
        /// The artifact's `type`.
        kind: String,
        /// The artifact's `data`, as JSON.
        data: serde_json::Value,
    },
}

impl From<raw::Artifact> for Artifact {
    fn from(a: raw::Artifact) -> Self {
        use agent_tasks_raw::{ArtifactData as D, ArtifactProvider as P, ArtifactType as T};
        match (a.provider, a.type_, a.data) {
            (P::Github, T::Pull, D::Resource(r)) => Artifact::PullRequest {
                id: r.id,
                global_id: r.global_id,
            },
            (P::Github, T::Branch, D::Branch(b)) => Artifact::Branch {
                head_ref: b.head_ref,
                base_ref: b.base_ref,
            },
            (provider, kind, data) => Artifact::Unknown {
                provider: provider.to_string(),
                kind: kind.to_string(),
                data: serde_json::to_value(data).unwrap_or(serde_json::Value::Null),
            },
        }
    }
}

impl From<Artifact> for raw::Artifact {
    fn from(a: Artifact) -> Self {
        use agent_tasks_raw::{ArtifactData as D, ArtifactProvider as P, ArtifactType as T};
        let (provider, type_, data) = match a {
            Artifact::PullRequest { id, global_id } => (
                P::Github,
                T::Pull,
                D::Resource(raw::ArtifactResource { id, global_id }),
            ),
            Artifact::Branch { head_ref, base_ref } => (
                P::Github,
                T::Branch,
                D::Branch(raw::ArtifactBranch { head_ref, base_ref }),
            ),
            Artifact::Unknown {
                provider,
                kind,
                data,
            } => (
                P::from(provider.as_str()),
                T::from(kind.as_str()),
                D::Unknown(data),
            ),
        };
        raw::Artifact {
            provider,
            type_,
            data,
        }
    }
}

/// A Copilot cloud agent task, as the list and create operations return it.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(from = "raw::Task")]
#[non_exhaustive]
pub struct Task {
    /// The task's id.
    pub id: String,
    /// The task's state: that of its most recent session.
    pub state: TaskState,
    /// A name derived from the prompt.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    /// The task's API URL.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub url: Option<String>,
    /// The task's web page.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub html_url: Option<String>,
    /// Who created the task.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub creator: Option<Account>,
    /// Whether a user or an organization created the task.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub creator_type: Option<CreatorType>,
    /// Collaborators on the task. Deprecated by GitHub.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub user_collaborators: Vec<Account>,
    /// The repository's owner.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub owner: Option<Account>,
    /// The repository.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub repository: Option<RepositoryRef>,
    /// How many sessions the task has had.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub session_count: Option<i32>,
    /// What the task produced (pull requests, branches).
    pub artifacts: Vec<Artifact>,
    /// When the task was archived; `None` while it is not.
    pub archived_at: Option<DateTime<Utc>>,
    /// When the task was created.
    pub created_at: DateTime<Utc>,
    /// When the task last changed.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub updated_at: Option<DateTime<Utc>>,
    /// The custom agent the task uses, if any.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub custom_agent: Option<CustomAgent>,
}

/// A pull request a task produced, as the API identifies it: by database id and GraphQL node
/// id (not by number or URL).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub struct PullRequestRef<'a> {
    /// The pull request's database id (not its number).
    pub id: i64,
    /// The pull request's GraphQL node id, if the API sent it.
    pub node_id: Option<&'a str>,
}

impl Task {
    /// The first pull request the task produced.
    ///
    /// ```
    /// # let task: agent_tasks::Task = serde_json::from_str(r#"{"id": "t1", "state": "completed",
    /// #   "created_at": "2026-01-01T00:00:00Z", "artifacts": [{"provider": "github", "type": "pull",
    /// #   "data": {"id": 42, "global_id": "PR_kw"}}]}"#).unwrap();
    /// let pr = task.pull_request().expect("a pull request");
    /// assert_eq!((pr.id, pr.node_id), (42, Some("PR_kw")));
    /// ```
    pub fn pull_request(&self) -> Option<PullRequestRef<'_>> {
        self.artifacts.iter().find_map(|a| match a {
            Artifact::PullRequest { id, global_id } => Some(PullRequestRef {
                id: *id,
                node_id: global_id.as_deref(),
            }),
            _ => None,
        })
    }

    /// The id of the custom agent the task uses, if any.
    pub fn custom_agent_id(&self) -> Option<&str> {
        self.custom_agent.as_ref().and_then(|a| a.id.as_deref())
    }

    /// The id of the repository the task works in, if the API sent it.
    pub fn repository_id(&self) -> Option<i64> {
        self.repository.and_then(|r| r.id)
    }

    /// The id of the account that created the task, if the API sent it.
    pub fn creator_id(&self) -> Option<i64> {
        self.creator.and_then(|c| c.id)
    }
}

fn account(a: raw::SimpleUser) -> Account {
    Account { id: a.id }
}

fn repository(r: raw::RepositoryRef) -> RepositoryRef {
    RepositoryRef { id: r.id }
}

fn custom_agent(a: raw::CustomAgent) -> CustomAgent {
    CustomAgent { id: a.id }
}

fn artifacts(a: Option<Vec<raw::Artifact>>) -> Vec<Artifact> {
    a.unwrap_or_default()
        .into_iter()
        .map(Artifact::from)
        .collect()
}

fn accounts(a: Option<Vec<raw::SimpleUser>>) -> Vec<Account> {
    a.unwrap_or_default().into_iter().map(account).collect()
}

// `raw::Task` and `raw::TaskWithSessions` are two generated structs with the same task fields;
// one macro keeps the mapping in one place. It destructures without `..`, and the way back
// (`From<Task> for raw::Task`, below) builds the generated struct without `..`: when the spec
// gains a field, rustc stops here with "missing field `NAME` in initializer of
// `agent_tasks_raw::types::Task`", naming the field to map in `Task`, in both directions.
macro_rules! task_from_raw {
    ($raw:ident, $t:expr $(, $extra:ident)*) => {{
        let raw::$raw {
            id,
            state,
            name,
            url,
            html_url,
            creator,
            creator_type,
            user_collaborators,
            owner,
            repository,
            session_count,
            artifacts: raw_artifacts,
            archived_at,
            created_at,
            updated_at,
            custom_agent: raw_custom_agent,
            $($extra,)*
        } = $t;
        let task = Task {
            id,
            state,
            name,
            url,
            html_url,
            creator: creator.map(account),
            creator_type,
            user_collaborators: accounts(user_collaborators),
            owner: owner.map(account),
            repository: repository.map(self::repository),
            session_count,
            artifacts: artifacts(raw_artifacts),
            archived_at,
            created_at,
            updated_at,
            custom_agent: raw_custom_agent.map(self::custom_agent),
        };
        (task $(, $extra)*)
    }};
}

impl From<raw::Task> for Task {
    fn from(t: raw::Task) -> Self {
        task_from_raw!(Task, t)
    }
}

/// The generated type of a task, for what takes one (the typed mocks' `then.created(&task)`).
impl From<Task> for raw::Task {
    fn from(t: Task) -> Self {
        let id = |id| raw::SimpleUser { id };
        raw::Task {
            id: t.id,
            state: t.state,
            name: t.name,
            url: t.url,
            html_url: t.html_url,
            creator: t.creator.map(|a| id(a.id)),
            creator_type: t.creator_type,
            user_collaborators: Some(t.user_collaborators.into_iter().map(|a| id(a.id)).collect()),
            owner: t.owner.map(|a| id(a.id)),
            repository: t.repository.map(|r| raw::RepositoryRef { id: r.id }),
            session_count: t.session_count,
            artifacts: Some(t.artifacts.into_iter().map(raw::Artifact::from).collect()),
            archived_at: t.archived_at,
            created_at: t.created_at,
            updated_at: t.updated_at,
            custom_agent: t.custom_agent.map(|a| raw::CustomAgent { id: a.id }),
        }
    }
}

/// A task with its sessions, as the get operations return it. Derefs to [`Task`].
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(from = "raw::TaskWithSessions")]
#[non_exhaustive]
pub struct TaskWithSessions {
    /// The task.
    #[serde(flatten)]
    pub task: Task,
    /// Its sessions, oldest first as the API sends them.
    pub sessions: Vec<Session>,
}

impl std::ops::Deref for TaskWithSessions {
    type Target = Task;
    fn deref(&self) -> &Task {
        &self.task
    }
}

impl TaskWithSessions {
    /// The most recently created session, if any.
    pub fn latest_session(&self) -> Option<&Session> {
        self.sessions.iter().max_by_key(|s| s.created_at)
    }

    /// The sum of the sessions' usage in AI credits (premium-request sessions are left out).
    pub fn ai_credits(&self) -> f64 {
        let nanos: f64 = self
            .sessions
            .iter()
            .filter_map(|s| s.usage.as_ref())
            .filter(|u| u.kind == UsageType::AiCredits)
            .map(|u| u.amount)
            .sum();
        nanos / 1e9
    }
}

impl From<raw::TaskWithSessions> for TaskWithSessions {
    fn from(t: raw::TaskWithSessions) -> Self {
        let (task, sessions) = task_from_raw!(TaskWithSessions, t, sessions);
        TaskWithSessions {
            task,
            sessions: sessions
                .unwrap_or_default()
                .into_iter()
                .map(Session::from)
                .collect(),
        }
    }
}

/// One run of the agent within a task.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(from = "raw::Session")]
#[non_exhaustive]
pub struct Session {
    /// The session's id.
    pub id: String,
    /// The session's state.
    pub state: TaskState,
    /// The session's name.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    /// Who started the session.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub user: Option<Account>,
    /// The repository's owner.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub owner: Option<Account>,
    /// The repository.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub repository: Option<RepositoryRef>,
    /// The task the session belongs to.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub task_id: Option<String>,
    /// When the session was created.
    pub created_at: DateTime<Utc>,
    /// When the session last changed.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub updated_at: Option<DateTime<Utc>>,
    /// When the session finished; absent while it runs.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub completed_at: Option<DateTime<Utc>>,
    /// The text that started the session.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub prompt: Option<String>,
    /// The branch the agent works on.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub head_ref: Option<String>,
    /// The branch it is based on.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub base_ref: Option<String>,
    /// The model the session used.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub model: Option<String>,
    /// Billing units the session consumed.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub usage: Option<Usage>,
    /// Why the session failed, if it did.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub error: Option<SessionError>,
}

impl From<raw::Session> for Session {
    fn from(s: raw::Session) -> Self {
        // Exhaustive, like `task_from_raw!`: a new field fails to compile until it is mapped.
        let raw::Session {
            id,
            state,
            name,
            user,
            owner,
            repository: raw_repository,
            task_id,
            created_at,
            updated_at,
            completed_at,
            prompt,
            head_ref,
            base_ref,
            model,
            usage,
            error,
        } = s;
        Session {
            id,
            state,
            name,
            user: user.map(account),
            owner: owner.map(account),
            repository: raw_repository.map(repository),
            task_id,
            created_at,
            updated_at,
            completed_at,
            prompt,
            head_ref,
            base_ref,
            model,
            usage: usage.map(|u| Usage {
                kind: u.type_,
                amount: u.amount,
            }),
            error: error.map(|e| SessionError { message: e.message }),
        }
    }
}

/// Billing units a session consumed.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, schemars::JsonSchema)]
#[non_exhaustive]
pub struct Usage {
    /// The unit.
    #[serde(rename = "type")]
    pub kind: UsageType,
    /// The amount: nano units for AI credits, possibly fractional for premium requests.
    pub amount: f64,
}

impl Usage {
    /// The amount in whole units: AI credits divided by 10^9, premium requests as they are.
    pub fn units(&self) -> f64 {
        match self.kind {
            UsageType::AiCredits => self.amount / 1e9,
            _ => self.amount,
        }
    }
}

/// Why a session failed.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
#[non_exhaustive]
pub struct SessionError {
    /// The error message.
    pub message: Option<String>,
}

/// One validation error of a 422 answer.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
#[non_exhaustive]
pub struct ValidationError {
    /// What kind of problem.
    pub code: ValidationErrorCode,
    /// A message, set when `code` is `custom`.
    pub message: Option<String>,
}

impl From<raw::ValidationError> for ValidationError {
    fn from(e: raw::ValidationError) -> Self {
        ValidationError {
            code: e.code,
            message: e.message,
        }
    }
}
