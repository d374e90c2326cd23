//! Getting one task with its sessions: `GET /agents/tasks/{id}` or
//! `GET /agents/repos/{owner}/{repo}/tasks/{id}`, plainly or conditionally.

pub use crate::transport::Conditional;

use crate::client::Client;
use crate::error::Result;
use crate::types::TaskWithSessions;
use crate::validate;
use agent_tasks_raw::{ResponseValue, types as raw};

/// Gets one task with its sessions. Get one from [`Client::task`] or
/// [`Repo::task`](crate::Repo::task).
#[derive(Clone, Debug)]
#[must_use = "a request does nothing until it is sent"]
pub struct GetTask {
    client: Client,
    repo: Option<(String, String)>,
    task_id: String,
}

impl GetTask {
    pub(crate) fn new(client: Client, repo: Option<(String, String)>, task_id: String) -> Self {
        GetTask {
            client,
            repo,
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
        match self.answer(None, false).await? {
            Conditional::Modified { value, .. } => Ok(value.into_inner().into()),
            // No `If-None-Match` was sent, so the transport never answers this.
            Conditional::NotModified => Err(crate::error::Error::Internal(
                "a 304 was taken for an answer to a request that was not conditional".into(),
            )),
        }
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
        self.conditional(etag).await
    }

    /// Gets the task with its `ETag`, or a 304 when `etag` is given and the task is unchanged.
    pub(crate) async fn conditional(
        &self,
        etag: Option<&str>,
    ) -> Result<Conditional<TaskWithSessions>> {
        Ok(match self.answer(etag, true).await? {
            Conditional::Modified { value, etag } => Conditional::Modified {
                value: value.into_inner().into(),
                etag,
            },
            Conditional::NotModified => Conditional::NotModified,
        })
    }

    /// Checks the arguments and sends the get, with `If-None-Match` when `etag` is given;
    /// `tagged`: keep the answer's `ETag`. The answer stays boxed until it is converted: it
    /// is large, and each layer it passed through by value would copy it.
    async fn answer(
        &self,
        etag: Option<&str>,
        tagged: bool,
    ) -> Result<Conditional<Box<ResponseValue<raw::TaskWithSessions>>>> {
        validate::task_id(&self.task_id)?;
        if let Some((owner, repo)) = &self.repo {
            validate::owner(owner)?;
            validate::repo(repo)?;
        }
        if let Some(etag) = etag {
            validate::etag(etag)?;
        }
        let transport = self.client.transport();
        let id = self.task_id.as_str();
        let conditional = etag.is_some();
        match &self.repo {
            Some((owner, repo)) => {
                transport
                    .read("get_task_by_repo_and_id", conditional, tagged, |raw| {
                        let get = raw
                            .get_task_by_repo_and_id()
                            .owner(owner)
                            .repo(repo)
                            .task_id(id);
                        match etag {
                            Some(etag) => get.if_none_match(etag),
                            None => get,
                        }
                        .send()
                    })
                    .await
            }
            None => {
                transport
                    .read("get_task_by_id", conditional, tagged, |raw| {
                        let get = raw.get_task_by_id().task_id(id);
                        match etag {
                            Some(etag) => get.if_none_match(etag),
                            None => get,
                        }
                        .send()
                    })
                    .await
            }
        }
    }
}
