//! The task handlers: where every request on tasks starts (octocrab's shape). The user's tasks
//! across repositories hang off [`Client`] (`client.task(id)`, `client.list_tasks()`), one
//! repository's off [`Repo`] (`client.repo(owner, name)`). Each request has its builder in a
//! file of its own below this one; a new operation on tasks is one builder file and one method
//! here.
//!
//! - `get`: one task with its sessions, plainly or conditionally;
//! - `list`: one page, or every page as a stream;
//! - `reconcile`: the search for a task whose creation's answer was lost (over `get`, `list` and
//!   `GET /user`, like any caller);
//! - `create`: starting a task, never twice.

pub mod create;
pub mod get;
pub mod list;
mod reconcile;

use crate::client::Client;
use create::CreateTask;
use get::GetTask;
use list::{AllRepos, InRepo, ListTasks};

impl Client {
    /// Gets a task by id alone, with its sessions.
    ///
    /// ```no_run
    /// # async fn run(client: agent_tasks::Client) -> agent_tasks::Result<()> {
    /// let task = client.task("a1b2c3d4-e5f6-7890-abcd-ef1234567890").send().await?;
    /// println!("{} sessions", task.sessions.len());
    /// # Ok(()) }
    /// ```
    pub fn task(&self, task_id: impl Into<String>) -> GetTask {
        GetTask::new(self.clone(), None, task_id.into())
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
        CreateTask::new(self.client.clone(), self.scope(), prompt.into())
    }

    /// Lists this repository's tasks.
    ///
    /// ```no_run
    /// # async fn run(client: agent_tasks::Client) -> agent_tasks::Result<()> {
    /// let page = client.repo("octocat", "hello-world").list_tasks().creator_id(1).send().await?;
    /// # Ok(()) }
    /// ```
    pub fn list_tasks(&self) -> ListTasks<InRepo> {
        ListTasks::new(self.client.clone(), InRepo::new(self.scope()))
    }

    /// Gets a task of this repository, with its sessions.
    ///
    /// ```no_run
    /// # async fn run(client: agent_tasks::Client) -> agent_tasks::Result<()> {
    /// let task = client.repo("octocat", "hello-world").task("a1b2c3d4").send().await?;
    /// # Ok(()) }
    /// ```
    pub fn task(&self, task_id: impl Into<String>) -> GetTask {
        GetTask::new(self.client.clone(), Some(self.scope()), task_id.into())
    }

    fn scope(&self) -> (String, String) {
        (self.owner.clone(), self.name.clone())
    }
}
