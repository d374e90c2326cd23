//! Getting one task with its sessions: `GET /agents/tasks/{id}` or
//! `GET /agents/repos/{owner}/{repo}/tasks/{id}`, plainly or conditionally.

pub use crate::transport::Conditional;

use crate::client::Client;
use crate::error::Result;
use crate::transport::Retry;
use crate::types::TaskWithSessions;
use crate::validate;

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
        GetTask {
            client: self.clone(),
            repo: None,
            task_id: task_id.into(),
        }
    }
}

/// Gets one task with its sessions. Get one from [`Client::task`] or
/// [`Repo::task`](crate::repo::Repo::task).
#[derive(Clone, Debug)]
#[must_use = "a request does nothing until it is sent"]
pub struct GetTask {
    client: Client,
    repo: Option<(String, String)>,
    task_id: String,
}

impl GetTask {
    pub(crate) fn in_repo(client: Client, owner: String, repo: String, task_id: String) -> Self {
        GetTask {
            client,
            repo: Some((owner, repo)),
            task_id,
        }
    }

    pub(crate) fn client(&self) -> &Client {
        &self.client
    }

    /// The task id, as given.
    pub fn task_id(&self) -> &str {
        &self.task_id
    }

    /// Checks the arguments and gets the task.
    pub async fn send(self) -> Result<TaskWithSessions> {
        // The plain path on its own, without `fetch`'s `Conditional`: the task is large, and
        // each layer it passes through copies it.
        self.check(None)?;
        let transport = self.client.transport();
        let id = self.task_id.as_str();
        let answer = match &self.repo {
            Some((owner, repo)) => {
                transport
                    .send("get_task_by_repo_and_id", Retry::Idempotent, |raw| {
                        raw.get_task_by_repo_and_id()
                            .owner(owner)
                            .repo(repo)
                            .task_id(id)
                            .send()
                    })
                    .await?
            }
            None => {
                transport
                    .send("get_task_by_id", Retry::Idempotent, |raw| {
                        raw.get_task_by_id().task_id(id).send()
                    })
                    .await?
            }
        };
        Ok(answer.into_inner().into())
    }

    /// Gets the task unless it is unchanged since `etag` (from an earlier answer): a 304
    /// answer costs no rate-limit budget on GitHub.
    ///
    /// ```no_run
    /// # async fn run(client: agent_tasks::Client) -> agent_tasks::Result<()> {
    /// use agent_tasks::get::Conditional;
    /// let first = client.task("a1b2").send_conditional(None).await?;
    /// if let Conditional::Modified { etag, .. } = first {
    ///     let again = client.task("a1b2").send_conditional(etag.as_deref()).await?;
    ///     assert!(matches!(again, Conditional::NotModified | Conditional::Modified { .. }));
    /// }
    /// # Ok(()) }
    /// ```
    pub async fn send_conditional(
        self,
        etag: Option<&str>,
    ) -> Result<Conditional<TaskWithSessions>> {
        self.fetch(Ask::tagged(etag)).await
    }

    /// Gets the task with its `ETag`, or a 304 when `etag` is given and the task is unchanged.
    pub(crate) async fn conditional(
        &self,
        etag: Option<&str>,
    ) -> Result<Conditional<TaskWithSessions>> {
        self.fetch(Ask::tagged(etag)).await
    }

    /// Checks the arguments before anything is sent.
    fn check(&self, etag: Option<&str>) -> Result<()> {
        validate::task_id(&self.task_id)?;
        if let Some((owner, repo)) = &self.repo {
            validate::owner(owner)?;
            validate::repo(repo)?;
        }
        if let Some(etag) = etag {
            validate::etag(etag)?;
        }
        Ok(())
    }

    async fn fetch(&self, ask: Ask<'_>) -> Result<Conditional<TaskWithSessions>> {
        self.check(match ask {
            Ask::IfNoneMatch(etag) => Some(etag),
            Ask::Tagged => None,
        })?;
        let transport = self.client.transport();
        let id = self.task_id.as_str();
        let answer = match (&self.repo, ask) {
            (Some((owner, repo)), Ask::IfNoneMatch(etag)) => {
                transport
                    .send_conditional("get_task_by_repo_and_id", |raw| {
                        raw.get_task_by_repo_and_id()
                            .owner(owner)
                            .repo(repo)
                            .task_id(id)
                            .if_none_match(etag)
                            .send()
                    })
                    .await?
            }
            (None, Ask::IfNoneMatch(etag)) => {
                transport
                    .send_conditional("get_task_by_id", |raw| {
                        raw.get_task_by_id().task_id(id).if_none_match(etag).send()
                    })
                    .await?
            }
            (Some((owner, repo)), Ask::Tagged) => {
                transport
                    .send_tagged("get_task_by_repo_and_id", |raw| {
                        raw.get_task_by_repo_and_id()
                            .owner(owner)
                            .repo(repo)
                            .task_id(id)
                            .send()
                    })
                    .await?
            }
            (None, Ask::Tagged) => {
                transport
                    .send_tagged("get_task_by_id", |raw| {
                        raw.get_task_by_id().task_id(id).send()
                    })
                    .await?
            }
        };
        Ok(match answer {
            Conditional::Modified { value, etag } => Conditional::Modified {
                value: value.into_inner().into(),
                etag,
            },
            Conditional::NotModified => Conditional::NotModified,
        })
    }
}

/// What a get asks for.
#[derive(Clone, Copy)]
enum Ask<'e> {
    /// The task and its `ETag`.
    Tagged,
    /// The task and its `ETag`, unless it is unchanged since this one (a 304).
    IfNoneMatch(&'e str),
}

impl<'e> Ask<'e> {
    fn tagged(etag: Option<&'e str>) -> Self {
        etag.map_or(Ask::Tagged, Ask::IfNoneMatch)
    }
}
