//! Who the token belongs to: `GET /user`, the one call outside the Agent tasks operations
//! (the CLI's `--creator @me` and reconciliation need it).

use crate::client::Client;
use crate::error::Result;
use crate::transport::Retry;

/// The user a token belongs to.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[non_exhaustive]
pub struct User {
    /// The user's login.
    pub login: String,
    /// The user's id (what tasks name as their `creator`).
    pub id: i64,
}

impl Client {
    /// The user the token belongs to (`GET /user`). The answer is remembered, so that
    /// reconciling a creation needs no second request.
    ///
    /// ```no_run
    /// # async fn run(client: agent_tasks::Client) -> agent_tasks::Result<()> {
    /// let me = client.current_user().await?;
    /// let mine = client.repo("octocat", "hello-world").list_tasks().creator_id(me.id).send().await?;
    /// # Ok(()) }
    /// ```
    pub async fn current_user(&self) -> Result<User> {
        let user = self
            .transport()
            .send("get_authenticated_user", Retry::Idempotent, |raw| {
                raw.get_authenticated_user().send()
            })
            .await?
            .into_inner();
        self.claims().learn_me(user.id);
        Ok(User {
            login: user.login,
            id: user.id,
        })
    }
}
