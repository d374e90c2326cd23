//! Request builders: `client -> accessor -> builder -> send()`.
//!
//! Builders own a clone of the [`Client`] (an `Arc`), so they and their streams are `'static`
//! and can move into spawned tasks. Arguments are checked in `send()`, before anything is sent.

use chrono::{DateTime, Utc};

use crate::client::Client;
use crate::error::{Error, Result};
use crate::pagination::Page;
use crate::types::{Task, TaskState, TaskWithSessions};
use crate::validate;

pub use agent_tasks_raw::types::{SortDirection, TaskSort};

impl Client {
    /// The operations scoped to one repository.
    ///
    /// ```no_run
    /// # async fn run(client: agent_tasks::Client) -> agent_tasks::Result<()> {
    /// let repo = client.repo("octocat", "hello-world");
    /// let page = repo.list_tasks().per_page(50).send().await?;
    /// # Ok(()) }
    /// ```
    pub fn repo(&self, owner: impl Into<String>, repo: impl Into<String>) -> Repo {
        Repo {
            client: self.clone(),
            owner: owner.into(),
            name: repo.into(),
        }
    }

    /// Lists the authenticated user's tasks across repositories.
    ///
    /// ```no_run
    /// # async fn run(client: agent_tasks::Client) -> agent_tasks::Result<()> {
    /// use agent_tasks::TaskState;
    /// let page = client.list_tasks().state(TaskState::InProgress).send().await?;
    /// # Ok(()) }
    /// ```
    pub fn list_tasks(&self) -> ListTasks<AllRepos> {
        ListTasks::new(self.clone(), AllRepos)
    }

    /// Gets a task by id alone, with its sessions.
    ///
    /// ```no_run
    /// # async fn run(client: agent_tasks::Client) -> agent_tasks::Result<()> {
    /// let task = client.task("a1b2c3d4-e5f6-7890-abcd-ef1234567890").send().await?;
    /// println!("{} sessions", task.sessions.len());
    /// # Ok(()) }
    /// ```
    pub fn task(&self, task_id: impl Into<String>) -> GetTask {
        GetTask {
            client: self.clone(),
            repo: None,
            task_id: task_id.into(),
        }
    }
}

/// The operations of one repository. Get one from [`Client::repo`].
#[derive(Clone, Debug)]
pub struct Repo {
    client: Client,
    owner: String,
    name: String,
}

impl Repo {
    /// The repository's owner, as given.
    pub fn owner(&self) -> &str {
        &self.owner
    }

    /// The repository's name, as given.
    pub fn name(&self) -> &str {
        &self.name
    }

    /// Starts a task in this repository.
    ///
    /// ```no_run
    /// # async fn run(client: agent_tasks::Client) -> agent_tasks::Result<()> {
    /// let task = client
    ///     .repo("octocat", "hello-world")
    ///     .create_task("Add tests for the parser")
    ///     .base_ref("main")
    ///     .create_pull_request(true)
    ///     .send()
    ///     .await?;
    /// # Ok(()) }
    /// ```
    pub fn create_task(&self, prompt: impl Into<String>) -> CreateTask {
        CreateTask {
            client: self.client.clone(),
            owner: self.owner.clone(),
            repo: self.name.clone(),
            prompt: prompt.into(),
            model: None,
            custom_agent: None,
            create_pull_request: None,
            base_ref: None,
            head_ref: None,
        }
    }

    /// Lists this repository's tasks.
    ///
    /// ```no_run
    /// # async fn run(client: agent_tasks::Client) -> agent_tasks::Result<()> {
    /// let page = client.repo("octocat", "hello-world").list_tasks().creator_id(1).send().await?;
    /// # Ok(()) }
    /// ```
    pub fn list_tasks(&self) -> ListTasks<InRepo> {
        ListTasks::new(
            self.client.clone(),
            InRepo {
                owner: self.owner.clone(),
                repo: self.name.clone(),
                creator_ids: Vec::new(),
            },
        )
    }

    /// Gets a task of this repository, with its sessions.
    ///
    /// ```no_run
    /// # async fn run(client: agent_tasks::Client) -> agent_tasks::Result<()> {
    /// let task = client.repo("octocat", "hello-world").task("a1b2c3d4").send().await?;
    /// # Ok(()) }
    /// ```
    pub fn task(&self, task_id: impl Into<String>) -> GetTask {
        GetTask {
            client: self.client.clone(),
            repo: Some((self.owner.clone(), self.name.clone())),
            task_id: task_id.into(),
        }
    }
}

/// Starts a task: `POST /agents/repos/{owner}/{repo}/tasks`. Get one from [`Repo::create_task`].
///
/// Starting a task costs money, so `send` never retries it on its own.
#[derive(Clone, Debug)]
#[must_use = "a request does nothing until it is sent"]
pub struct CreateTask {
    client: Client,
    owner: String,
    repo: String,
    prompt: String,
    model: Option<String>,
    custom_agent: Option<String>,
    create_pull_request: Option<bool>,
    base_ref: Option<String>,
    head_ref: Option<String>,
}

impl CreateTask {
    /// The model to use (`claude-sonnet-4.6`, `gpt-5.4`, ...). Which models are allowed depends
    /// on the plan and organization policy; unset, GitHub picks one.
    pub fn model(mut self, model: impl Into<String>) -> Self {
        self.model = Some(model.into());
        self
    }

    /// A custom agent: the agent file's name without extension (`performance-optimizer` for
    /// `.github/agents/performance-optimizer.agent.md`).
    pub fn custom_agent(mut self, agent: impl Into<String>) -> Self {
        self.custom_agent = Some(agent.into());
        self
    }

    /// Whether the agent opens a pull request (GitHub's default: no).
    pub fn create_pull_request(mut self, yes: bool) -> Self {
        self.create_pull_request = Some(yes);
        self
    }

    /// The base branch for the new branch or pull request.
    pub fn base_ref(mut self, base: impl Into<String>) -> Self {
        self.base_ref = Some(base.into());
        self
    }

    /// An existing branch to work on; with [`base_ref`](Self::base_ref), the agent commits to
    /// the open pull request from this branch instead of creating a new branch.
    pub fn head_ref(mut self, head: impl Into<String>) -> Self {
        self.head_ref = Some(head.into());
        self
    }

    /// Checks the arguments and starts the task.
    pub async fn send(self) -> Result<Task> {
        validate::owner(&self.owner)?;
        validate::repo(&self.repo)?;
        validate::prompt(&self.prompt)?;
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
        let body = agent_tasks_raw::types::CreateTaskRequest {
            prompt: self.prompt,
            model: self.model,
            custom_agent: self.custom_agent,
            create_pull_request: self.create_pull_request,
            base_ref: self.base_ref,
            head_ref: self.head_ref,
        };
        let client = self.client;
        let (owner, repo) = (self.owner, self.repo);
        let sent_at = client.clock().utc_now();
        let result = client
            .execute("create_task_in_repo", false, |raw| {
                raw.create_task_in_repo()
                    .owner(&owner)
                    .repo(&repo)
                    .body(body.clone())
                    .send()
            })
            .await;
        let task: Task = match result {
            Ok(rv) => rv.into_inner().into(),
            Err(cause) if outcome_unknown(&cause) => {
                if !client.reconciles() {
                    return Err(Error::OutcomeUnknown {
                        cause: Box::new(cause),
                        checked: "reconciliation is turned off, so nothing was checked".into(),
                    });
                }
                tracing::warn!(error = %cause, "the creation's outcome is unknown; looking for the task");
                match reconcile(&client, &owner, &repo, &body, sent_at).await {
                    Ok((Some(task), _)) => task,
                    Ok((None, checked)) => {
                        return Err(Error::OutcomeUnknown {
                            cause: Box::new(cause),
                            checked,
                        });
                    }
                    Err(e) => {
                        return Err(Error::OutcomeUnknown {
                            cause: Box::new(cause),
                            checked: format!("looking for the task failed too: {e}"),
                        });
                    }
                }
            }
            Err(e) => return Err(e),
        };
        client.claim(&task.id);
        Ok(task)
    }
}

/// Errors after which a creation may or may not have happened: the request left, and no answer
/// (or no readable answer) says what became of it. A 4xx, or a rate limit, is a refusal.
fn outcome_unknown(e: &Error) -> bool {
    match e {
        Error::Transport(t) => !t.is_connect(),
        Error::Timeout(_) | Error::Decode(_) => true,
        Error::Api(api) => api.status.is_server_error(),
        _ => false,
    }
}

/// How far before the request a matching task may have been created (clock skew between the
/// client and GitHub).
const RECONCILE_MARGIN: chrono::TimeDelta = chrono::TimeDelta::minutes(2);
/// How many recent tasks of the repository are examined.
const RECONCILE_CANDIDATES: usize = 50;

/// Looks for the task a creation with an unknown outcome would have made: the repository's
/// tasks created since just before the request, newest first, whose first session has the same
/// prompt, refs and model, and that this client has not returned already.
async fn reconcile(
    client: &Client,
    owner: &str,
    repo: &str,
    body: &agent_tasks_raw::types::CreateTaskRequest,
    sent_at: DateTime<Utc>,
) -> Result<(Option<Task>, String)> {
    use futures_util::TryStreamExt;
    let since = sent_at - RECONCILE_MARGIN;
    let candidates: Vec<Task> = client
        .repo(owner, repo)
        .list_tasks()
        .sort(TaskSort::CreatedAt)
        .direction(SortDirection::Desc)
        .since(since)
        .per_page(RECONCILE_CANDIDATES as u32)
        .limit(RECONCILE_CANDIDATES)
        .stream()
        .try_collect()
        .await?;
    let recent: Vec<&Task> = candidates
        .iter()
        .filter(|t| t.created_at >= since && !client.is_claimed(&t.id))
        .collect();
    let mut examined = 0;
    for candidate in &recent {
        examined += 1;
        let detail = client.repo(owner, repo).task(&candidate.id).send().await?;
        let Some(first) = detail.sessions.iter().min_by_key(|s| s.created_at) else {
            continue;
        };
        let same = first.prompt.as_deref() == Some(body.prompt.as_str())
            && (body.base_ref.is_none() || first.base_ref == body.base_ref)
            && (body.head_ref.is_none() || first.head_ref == body.head_ref)
            && (body.model.is_none() || first.model == body.model)
            && (body.custom_agent.is_none()
                || detail.custom_agent_id() == body.custom_agent.as_deref());
        if same {
            tracing::info!(task = %candidate.id, "found the task the creation made");
            return Ok((Some((*candidate).clone()), String::new()));
        }
    }
    Ok((
        None,
        format!(
            "looked at the {examined} tasks of {owner}/{repo} created since {} that this client had not returned: none has this prompt",
            since.to_rfc3339()
        ),
    ))
}

/// Gets one task with its sessions. Get one from [`Client::task`] or [`Repo::task`].
#[derive(Clone, Debug)]
#[must_use = "a request does nothing until it is sent"]
pub struct GetTask {
    client: Client,
    repo: Option<(String, String)>,
    task_id: String,
}

impl GetTask {
    /// Checks the arguments and gets the task.
    pub async fn send(self) -> Result<TaskWithSessions> {
        match self.fetch(None).await? {
            Conditional::Modified { value, .. } => Ok(value),
            Conditional::NotModified => unreachable!("no If-None-Match was sent"),
        }
    }

    /// Gets the task unless it is unchanged since `etag` (from an earlier answer): a 304
    /// answer costs no rate-limit budget on GitHub.
    ///
    /// ```no_run
    /// # async fn run(client: agent_tasks::Client) -> agent_tasks::Result<()> {
    /// use agent_tasks::Conditional;
    /// let first = client.task("a1b2").send_conditional(None).await?;
    /// if let Conditional::Modified { etag, .. } = first {
    ///     let again = client.task("a1b2").send_conditional(etag.as_deref()).await?;
    ///     assert!(matches!(again, Conditional::NotModified | Conditional::Modified { .. }));
    /// }
    /// # Ok(()) }
    /// ```
    pub async fn send_conditional(
        &self,
        etag: Option<&str>,
    ) -> Result<Conditional<TaskWithSessions>> {
        self.fetch(etag).await
    }

    pub(crate) fn client(&self) -> &Client {
        &self.client
    }

    async fn fetch(&self, etag: Option<&str>) -> Result<Conditional<TaskWithSessions>> {
        validate::task_id(&self.task_id)?;
        let task_id = self.task_id.clone();
        let result = match &self.repo {
            Some((owner, repo)) => {
                validate::owner(owner)?;
                validate::repo(repo)?;
                conditionally(
                    etag,
                    self.client.execute("get_task_by_repo_and_id", true, |raw| {
                        raw.get_task_by_repo_and_id()
                            .owner(owner)
                            .repo(repo)
                            .task_id(&task_id)
                            .send()
                    }),
                )
                .await
            }
            None => {
                conditionally(
                    etag,
                    self.client.execute("get_task_by_id", true, |raw| {
                        raw.get_task_by_id().task_id(&task_id).send()
                    }),
                )
                .await
            }
        };
        Ok(match result? {
            Some(rv) => {
                let etag = etag_of(rv.headers());
                Conditional::Modified {
                    value: rv.into_inner().into(),
                    etag,
                }
            }
            None => Conditional::NotModified,
        })
    }
}

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

pub(crate) fn etag_of(headers: &reqwest::header::HeaderMap) -> Option<String> {
    headers
        .get(reqwest::header::ETAG)
        .and_then(|v| v.to_str().ok())
        .map(str::to_owned)
}

/// Runs a request with `If-None-Match` when an ETag is given; `Ok(None)` is a 304.
pub(crate) async fn conditionally<T>(
    etag: Option<&str>,
    request: impl std::future::Future<Output = Result<agent_tasks_raw::ResponseValue<T>>>,
) -> Result<Option<agent_tasks_raw::ResponseValue<T>>> {
    let result = match etag.and_then(|e| reqwest::header::HeaderValue::from_str(e).ok()) {
        Some(value) => {
            let mut headers = reqwest::header::HeaderMap::new();
            headers.insert(reqwest::header::IF_NONE_MATCH, value);
            agent_tasks_raw::with_request_headers(headers, request).await
        }
        None => request.await,
    };
    match result {
        Ok(rv) => Ok(Some(rv)),
        Err(Error::Api(e)) if e.status == reqwest::StatusCode::NOT_MODIFIED => Ok(None),
        Err(e) => Err(e),
    }
}

/// Marks a listing of the user's tasks across repositories.
#[derive(Clone, Debug)]
pub struct AllRepos;

/// Marks a listing of one repository's tasks (which alone can filter by creator).
#[derive(Clone, Debug)]
pub struct InRepo {
    owner: String,
    repo: String,
    creator_ids: Vec<i64>,
}

/// Lists tasks, one page with [`send`](ListTasks::send) or all of them with
/// [`stream`](ListTasks::stream). Get one from [`Client::list_tasks`] or [`Repo::list_tasks`].
#[derive(Clone, Debug)]
#[must_use = "a request does nothing until it is sent"]
pub struct ListTasks<S> {
    pub(crate) client: Client,
    pub(crate) scope: S,
    pub(crate) filters: Filters,
}

/// The filters both list operations share.
#[derive(Clone, Debug, Default)]
#[doc(hidden)]
pub struct Filters {
    pub(crate) per_page: Option<u32>,
    pub(crate) page: Option<u32>,
    pub(crate) sort: Option<TaskSort>,
    pub(crate) direction: Option<SortDirection>,
    pub(crate) states: Vec<TaskState>,
    pub(crate) is_archived: Option<bool>,
    pub(crate) since: Option<DateTime<Utc>>,
    pub(crate) limit: Option<usize>,
}

impl Filters {
    pub(crate) fn check(&self) -> Result<()> {
        if let Some(n) = self.per_page {
            validate::per_page(n)?;
        }
        if let Some(n) = self.page {
            validate::page(n)?;
        }
        for state in &self.states {
            let s = state.as_str();
            if s.is_empty()
                || s.contains(',')
                || s.chars().any(|c| c.is_whitespace() || c.is_control())
            {
                return Err(Error::invalid(
                    "state",
                    format!("`{s}` is not a task state"),
                ));
            }
        }
        if self.limit == Some(0) {
            return Err(Error::invalid("limit", "must be at least 1"));
        }
        Ok(())
    }

    fn state_param(&self) -> Option<String> {
        if self.states.is_empty() {
            return None;
        }
        let names: Vec<&str> = self.states.iter().map(TaskState::as_str).collect();
        Some(names.join(","))
    }
}

impl<S> ListTasks<S> {
    fn new(client: Client, scope: S) -> Self {
        ListTasks {
            client,
            scope,
            filters: Filters::default(),
        }
    }

    /// Tasks per page, 1 to 100 (GitHub's default: 30).
    pub fn per_page(mut self, n: u32) -> Self {
        self.filters.per_page = Some(n);
        self
    }

    /// The page to get, from 1. With [`stream`](Self::stream), the page to start from.
    pub fn page(mut self, n: u32) -> Self {
        self.filters.page = Some(n);
        self
    }

    /// The field to sort by (GitHub's default: `updated_at`).
    pub fn sort(mut self, sort: TaskSort) -> Self {
        self.filters.sort = Some(sort);
        self
    }

    /// The sort direction (GitHub's default: descending).
    pub fn direction(mut self, direction: SortDirection) -> Self {
        self.filters.direction = Some(direction);
        self
    }

    /// Only tasks in this state; call again, or use [`states`](Self::states), for several.
    pub fn state(mut self, state: TaskState) -> Self {
        self.filters.states.push(state);
        self
    }

    /// Only tasks in any of these states (sent as one comma-separated list).
    pub fn states(mut self, states: impl IntoIterator<Item = TaskState>) -> Self {
        self.filters.states.extend(states);
        self
    }

    /// `true`: only archived tasks; `false` (GitHub's default): only tasks not archived.
    pub fn archived(mut self, archived: bool) -> Self {
        self.filters.is_archived = Some(archived);
        self
    }

    /// Only tasks updated at or after this time.
    pub fn since(mut self, since: DateTime<Utc>) -> Self {
        self.filters.since = Some(since);
        self
    }

    /// With [`stream`](Self::stream): stop after this many tasks (and fetch no page beyond).
    pub fn limit(mut self, n: usize) -> Self {
        self.filters.limit = Some(n);
        self
    }
}

impl ListTasks<InRepo> {
    /// Only tasks created by this user id; call again for several (sent as repeated keys).
    pub fn creator_id(mut self, id: i64) -> Self {
        self.scope.creator_ids.push(id);
        self
    }

    /// Only tasks created by any of these user ids.
    pub fn creator_ids(mut self, ids: impl IntoIterator<Item = i64>) -> Self {
        self.scope.creator_ids.extend(ids);
        self
    }
}

/// What differs between the two list operations: how one page is fetched. Implemented only by
/// [`AllRepos`] and [`InRepo`].
pub trait ListScope: Clone + Send + Sync + 'static {
    /// Fetches one page with the given filters; `None` when `etag` is given and still current.
    #[doc(hidden)]
    fn fetch(
        &self,
        client: &Client,
        filters: &Filters,
        page: Option<u32>,
        etag: Option<&str>,
    ) -> impl std::future::Future<Output = Result<Option<Page<Task>>>> + Send;
}

// Both raw list builders take the same filter setters; one macro sets them.
macro_rules! apply_filters {
    ($builder:expr, $filters:expr, $page:expr) => {{
        let f = $filters;
        let mut b = $builder;
        if let Some(n) = f.per_page {
            b = b.per_page(u64::from(n));
        }
        if let Some(n) = $page {
            b = b.page(u64::from(n));
        }
        if let Some(s) = f.sort {
            b = b.sort(s);
        }
        if let Some(d) = f.direction {
            b = b.direction(d);
        }
        if let Some(s) = f.state_param() {
            b = b.state(s);
        }
        if let Some(a) = f.is_archived {
            b = b.is_archived(a);
        }
        if let Some(t) = f.since {
            b = b.since(t);
        }
        b
    }};
}

impl ListScope for AllRepos {
    async fn fetch(
        &self,
        client: &Client,
        filters: &Filters,
        page: Option<u32>,
        etag: Option<&str>,
    ) -> Result<Option<Page<Task>>> {
        let request = client.execute("list_tasks", true, |raw| {
            apply_filters!(raw.list_tasks(), filters, page).send()
        });
        Ok(conditionally(etag, request).await?.map(Page::from_response))
    }
}

impl ListScope for InRepo {
    async fn fetch(
        &self,
        client: &Client,
        filters: &Filters,
        page: Option<u32>,
        etag: Option<&str>,
    ) -> Result<Option<Page<Task>>> {
        validate::owner(&self.owner)?;
        validate::repo(&self.repo)?;
        let request = client.execute("list_tasks_for_repo", true, |raw| {
            let mut b = apply_filters!(
                raw.list_tasks_for_repo()
                    .owner(&self.owner)
                    .repo(&self.repo),
                filters,
                page
            );
            if !self.creator_ids.is_empty() {
                b = b.creator_id(self.creator_ids.clone());
            }
            b.send()
        });
        Ok(conditionally(etag, request).await?.map(Page::from_response))
    }
}

impl<S: ListScope> ListTasks<S> {
    /// Checks the arguments and gets one page.
    pub async fn send(self) -> Result<Page<Task>> {
        self.filters.check()?;
        let page = self
            .scope
            .fetch(&self.client, &self.filters, self.filters.page, None)
            .await?;
        Ok(page.expect("no If-None-Match was sent"))
    }
}
