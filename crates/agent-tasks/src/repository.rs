//! `GET /repos/{owner}/{repo}`: a repository and what the token may do there (`doctor` checks
//! whether tasks may be started without starting one).

use serde::{Deserialize, Serialize};

use crate::client::Client;
use crate::error::Result;
use crate::transport::Retry;
use crate::validate;

/// A repository, as far as this client reads it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct Repository {
    /// Its id (what tasks name as their `repository`).
    pub id: i64,
    /// `OWNER/NAME`.
    pub full_name: String,
    /// What the authenticated user may do there; `None` when GitHub did not say.
    pub permissions: Option<Permissions>,
}

/// A user's permissions on a repository.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct Permissions {
    /// Administer it.
    pub admin: bool,
    /// Maintain it.
    pub maintain: bool,
    /// Push to it (what starting a task needs, with the "Agent tasks" permission).
    pub push: bool,
    /// Triage it.
    pub triage: bool,
    /// Read it.
    pub pull: bool,
}

impl Client {
    /// A repository and the authenticated user's permissions on it.
    ///
    /// ```no_run
    /// # async fn run(client: agent_tasks::Client) -> agent_tasks::Result<()> {
    /// let repo = client.repository("octocat", "hello-world").await?;
    /// let may_push = repo.permissions.is_some_and(|p| p.push);
    /// # Ok(()) }
    /// ```
    pub async fn repository(&self, owner: &str, repo: &str) -> Result<Repository> {
        validate::owner(owner)?;
        validate::repo(repo)?;
        let answer = self
            .transport()
            .send("get_repository", Retry::Idempotent, |raw| {
                raw.get_repository().owner(owner).repo(repo).send()
            })
            .await?
            .into_inner();
        Ok(Repository {
            id: answer.id,
            full_name: answer.full_name,
            permissions: answer.permissions.map(|p| Permissions {
                admin: p.admin.unwrap_or(false),
                maintain: p.maintain.unwrap_or(false),
                push: p.push.unwrap_or(false),
                triage: p.triage.unwrap_or(false),
                pull: p.pull.unwrap_or(false),
            }),
        })
    }
}
