//! Starting a task: `POST /agents/repos/{owner}/{repo}/tasks`.
//!
//! Starting a task costs money, so a creation is sent once: again only when it provably never
//! left (the connection could not be opened). When its outcome is unknown, the task is looked
//! for (see `reconcile`) instead of being started twice. An idempotency key makes that search
//! exact, and lets a caller retry a creation safely: before sending, the client looks for the
//! caller's task with the same key and returns it if there is one.

use std::time::Duration;

pub use crate::tasks::reconcile::{MAX_KEY_READS, marker as idempotency_marker};

use crate::client::Client;
use crate::error::{Error, Result};
use crate::retry::Delivery;
use crate::tasks::reconcile::{self, Found};
use crate::transport::Retry;
use crate::types::Task;
use crate::validate;

/// How far back [`CreateTask::idempotency_key`] looks for a task with the same key, unless
/// set otherwise.
pub const DEFAULT_IDEMPOTENCY_WINDOW: Duration = Duration::from_secs(24 * 3600);
/// The longest idempotency key accepted.
pub const MAX_IDEMPOTENCY_KEY_LEN: usize = 64;

/// What a task is started with besides its prompt. [`CreateTask`]'s setters fill it in; a
/// [`FanOut`](crate::fan_out::FanOut) takes one for all its repositories.
///
/// ```
/// let options = agent_tasks::create::TaskOptions::default()
///     .base_ref("main")
///     .create_pull_request(true);
/// assert_eq!(options.base_ref.as_deref(), Some("main"));
/// ```
#[derive(Clone, Debug, Default, PartialEq, Eq, serde::Serialize)]
#[non_exhaustive]
pub struct TaskOptions {
    /// The model (`claude-sonnet-4.6`, `gpt-5.4`, ...); unset, GitHub picks one.
    pub model: Option<String>,
    /// A custom agent: the agent file's name without extension.
    pub custom_agent: Option<String>,
    /// Whether the agent opens a pull request (GitHub's default: no).
    pub create_pull_request: Option<bool>,
    /// The base branch.
    pub base_ref: Option<String>,
    /// An existing branch to work on.
    pub head_ref: Option<String>,
}

impl TaskOptions {
    /// Sets the model.
    pub fn model(mut self, model: impl Into<String>) -> Self {
        self.model = Some(model.into());
        self
    }

    /// Sets the custom agent.
    pub fn custom_agent(mut self, agent: impl Into<String>) -> Self {
        self.custom_agent = Some(agent.into());
        self
    }

    /// Sets whether the agent opens a pull request.
    pub fn create_pull_request(mut self, yes: bool) -> Self {
        self.create_pull_request = Some(yes);
        self
    }

    /// Sets the base branch.
    pub fn base_ref(mut self, base: impl Into<String>) -> Self {
        self.base_ref = Some(base.into());
        self
    }

    /// Sets the branch to work on.
    pub fn head_ref(mut self, head: impl Into<String>) -> Self {
        self.head_ref = Some(head.into());
        self
    }

    pub(crate) fn check(&self) -> Result<()> {
        for (field, value) in [
            ("model", &self.model),
            ("custom_agent", &self.custom_agent),
            ("base_ref", &self.base_ref),
            ("head_ref", &self.head_ref),
        ] {
            if let Some(value) = value {
                validate::optional_text(field, value)?;
            }
        }
        Ok(())
    }
}

/// Starts a task. Get one from [`Repo::create_task`](crate::Repo::create_task).
///
/// Starting a task costs money, so `send` never resends it once it may have reached GitHub.
#[derive(Clone, Debug)]
#[must_use = "a request does nothing until it is sent"]
pub struct CreateTask {
    client: Client,
    owner: String,
    repo: String,
    prompt: String,
    options: TaskOptions,
    key: Option<String>,
    window: Duration,
}

impl CreateTask {
    pub(crate) fn new(client: Client, (owner, repo): (String, String), prompt: String) -> Self {
        CreateTask {
            client,
            owner,
            repo,
            prompt,
            options: TaskOptions::default(),
            key: None,
            window: DEFAULT_IDEMPOTENCY_WINDOW,
        }
    }

    /// The model to use (`claude-sonnet-4.6`, `gpt-5.4`, ...). Which models are allowed depends
    /// on the plan and organization policy; unset, GitHub picks one.
    pub fn model(mut self, model: impl Into<String>) -> Self {
        self.options = self.options.model(model);
        self
    }

    /// A custom agent: the agent file's name without extension (`performance-optimizer` for
    /// `.github/agents/performance-optimizer.agent.md`).
    pub fn custom_agent(mut self, agent: impl Into<String>) -> Self {
        self.options = self.options.custom_agent(agent);
        self
    }

    /// Whether the agent opens a pull request (GitHub's default: no).
    pub fn create_pull_request(mut self, yes: bool) -> Self {
        self.options = self.options.create_pull_request(yes);
        self
    }

    /// The base branch for the new branch or pull request.
    pub fn base_ref(mut self, base: impl Into<String>) -> Self {
        self.options = self.options.base_ref(base);
        self
    }

    /// An existing branch to work on; with [`base_ref`](Self::base_ref), the agent commits to
    /// the open pull request from this branch instead of creating a new branch.
    pub fn head_ref(mut self, head: impl Into<String>) -> Self {
        self.options = self.options.head_ref(head);
        self
    }

    /// All the options at once (replacing any set before).
    pub fn options(mut self, options: TaskOptions) -> Self {
        self.options = options;
        self
    }

    /// An idempotency key (1 to 64 ASCII letters, digits, `-`, `_`, `.` or `:`), which no other
    /// client has: creations with the same key start at most one task.
    ///
    /// The key rides in the prompt, as a last line that renders as nothing in Markdown:
    /// [`idempotency_marker`]`(key)`. Before sending, the client looks for the caller's task in
    /// the repository, created within the [window](Self::idempotency_window), whose prompt
    /// ends with that marker, and returns it instead of starting a second one. That costs one
    /// list request per 100 of the caller's tasks in the window and one `GET` per task read,
    /// at most [`MAX_KEY_READS`]. When the creation's answer is lost, the search matches the
    /// marker exactly, so identical prompts started at once from many processes each find
    /// their own task.
    ///
    /// ```no_run
    /// # async fn run(client: agent_tasks::Client) -> agent_tasks::Result<()> {
    /// let task = client
    ///     .repo("octocat", "hello-world")
    ///     .create_task("Bump the MSRV to 1.88")
    ///     .idempotency_key("msrv-bump-2026-11")
    ///     .send()
    ///     .await?; // run it twice: one task
    /// # Ok(()) }
    /// ```
    pub fn idempotency_key(mut self, key: impl Into<String>) -> Self {
        self.key = Some(key.into());
        self
    }

    /// How far back the lookup of an [idempotency key](Self::idempotency_key) goes
    /// ([`DEFAULT_IDEMPOTENCY_WINDOW`], a day, unless set).
    pub fn idempotency_window(mut self, window: Duration) -> Self {
        self.window = window;
        self
    }

    /// Checks the arguments and starts the task (or, with an idempotency key, returns the one
    /// already started with it).
    pub async fn send(self) -> Result<Task> {
        validate::owner(&self.owner)?;
        validate::repo(&self.repo)?;
        validate::prompt(&self.prompt)?;
        self.options.check()?;
        if let Some(key) = &self.key {
            idempotency_key(key)?;
        }
        // A key's marker, else the creation's own (unless turned off): either makes the search
        // after a lost answer exact.
        let marker = match &self.key {
            Some(key) => Some(reconcile::marker(key)),
            None => self
                .client
                .marks_creations()
                .then(reconcile::creation_marker),
        };
        let asked = marker.is_some().then(|| self.prompt.clone());
        let prompt = match &marker {
            Some(marker) => reconcile::with_marker(&self.prompt, marker),
            None => self.prompt,
        };
        let TaskOptions {
            model,
            custom_agent,
            create_pull_request,
            base_ref,
            head_ref,
        } = self.options;
        let body = agent_tasks_raw::types::CreateTaskRequest {
            prompt,
            model,
            custom_agent,
            create_pull_request,
            base_ref,
            head_ref,
        };
        let client = self.client;
        let (owner, repo) = (self.owner.as_str(), self.repo.as_str());
        let (transport, claims) = (client.transport(), client.claims());

        if let Some(key) = &self.key
            && let Some(existing) =
                reconcile::find_by_key(&client, owner, repo, key, self.window).await?
        {
            tracing::info!(task = %existing.id, "a task with this idempotency key exists; not starting another");
            claims.created(&existing.task);
            return Ok(existing.task);
        }

        let flight = claims.start(owner, repo, &body);
        let sent_at = transport.clock().now();
        let result = transport
            .send("create_task_in_repo", Retry::OnlyIfNotSent, |raw| {
                raw.create_task_in_repo()
                    .owner(owner)
                    .repo(repo)
                    .body(body.clone())
                    .send()
            })
            .await;
        let cause = match result {
            Ok(answer) => {
                let task: Task = answer.into_inner().into();
                claims.created(&task);
                return usable(task);
            }
            Err(e) => e,
        };
        match cause.delivery() {
            Delivery::NotSent if matches!(cause, Error::Transport { .. }) => {
                return Err(Error::NotCreated {
                    cause: Box::new(cause),
                });
            }
            Delivery::NotSent | Delivery::Refused => return Err(cause),
            Delivery::MaybeApplied => {}
        }
        if !client.reconciles() {
            return Err(Error::OutcomeUnknown {
                cause: Box::new(cause),
                checked: "reconciliation is turned off, so nothing was checked".into(),
                candidates: Vec::new(),
            });
        }
        tracing::warn!(error = %cause, "the creation's outcome is unknown; looking for the task");
        let found = reconcile::search(
            &client,
            &flight,
            owner,
            repo,
            &body,
            sent_at,
            asked.as_deref(),
        )
        .await;
        match found {
            Ok(Found::One(task)) => {
                tracing::info!(task = %task.id, "found the task the creation made");
                usable(*task)
            }
            Ok(Found::None(checked)) => Err(Error::OutcomeUnknown {
                cause: Box::new(cause),
                checked,
                candidates: Vec::new(),
            }),
            Ok(Found::Ambiguous { checked, ids }) => Err(Error::OutcomeUnknown {
                cause: Box::new(cause),
                checked,
                candidates: ids,
            }),
            Err(e) => Err(Error::OutcomeUnknown {
                cause: Box::new(cause),
                checked: format!("looking for the task failed too: {e}"),
                candidates: Vec::new(),
            }),
        }
    }
}

/// The created task, unless its id cannot go into a request path.
fn usable(task: Task) -> Result<Task> {
    match validate::task_id_problem(&task.id) {
        None => Ok(task),
        Some(reason) => Err(Error::CreatedWithUnusableId {
            id: task.id.clone(),
            reason,
            task: Box::new(task),
        }),
    }
}

fn idempotency_key(key: &str) -> Result<()> {
    let ok = (1..=MAX_IDEMPOTENCY_KEY_LEN).contains(&key.len())
        && key
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.' | ':'));
    if ok {
        Ok(())
    } else {
        Err(Error::invalid(
            "idempotency_key",
            format!(
                "must be 1 to {MAX_IDEMPOTENCY_KEY_LEN} ASCII letters, digits, `-`, `_`, `.` or `:`"
            ),
        ))
    }
}
