//! The operations of one repository: `client.repo(owner, name)`, then create, list or get.

use crate::client::Client;
use crate::create::CreateTask;
use crate::get::GetTask;
use crate::list::{InRepo, ListTasks};

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
        CreateTask::new(
            self.client.clone(),
            self.owner.clone(),
            self.name.clone(),
            prompt.into(),
        )
    }

    /// Lists this repository's tasks.
    ///
    /// ```no_run
    /// # async fn run(client: agent_tasks::Client) -> agent_tasks::Result<()> {
    /// let page = client.repo("octocat", "hello-world").list_tasks().creator_id(1).send().await?;
    /// # Ok(()) }
    /// ```
    pub fn list_tasks(&self) -> ListTasks<InRepo> {
        ListTasks::in_repo(self.client.clone(), self.owner.clone(), self.name.clone())
    }

    /// Gets a task of this repository, with its sessions.
    ///
    /// ```no_run
    /// # async fn run(client: agent_tasks::Client) -> agent_tasks::Result<()> {
    /// let task = client.repo("octocat", "hello-world").task("a1b2c3d4").send().await?;
    /// # Ok(()) }
    /// ```
    pub fn task(&self, task_id: impl Into<String>) -> GetTask {
        GetTask::in_repo(
            self.client.clone(),
            self.owner.clone(),
            self.name.clone(),
            task_id.into(),
        )
    }
}
