//! The agent's pull request as a link: a task names it by database id and GraphQL node id
//! only; one GraphQL `node(id:)` query (through the same request path, retries and errors as
//! every other call) gives its number, URL, title and state.

use serde::{Deserialize, Serialize};
use serde_json::json;

use crate::client::Client;
use crate::error::{Error, Result};
use crate::transport::Retry;
use crate::types::Task;

/// A pull request, resolved.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct PullRequest {
    /// Its number in the repository.
    pub number: u64,
    /// Its web page.
    pub url: String,
    /// Its title.
    pub title: String,
    /// Open, draft, merged or closed.
    pub state: PullRequestState,
    /// Its database id (what the task's artifact says).
    pub database_id: i64,
    /// Its GraphQL node id.
    pub node_id: String,
}

/// Where a pull request stands.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[non_exhaustive]
pub enum PullRequestState {
    /// Open and ready for review.
    Open,
    /// Open as a draft.
    Draft,
    /// Merged.
    Merged,
    /// Closed without merging.
    Closed,
}

impl std::fmt::Display for PullRequestState {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self {
            PullRequestState::Open => "open",
            PullRequestState::Draft => "draft",
            PullRequestState::Merged => "merged",
            PullRequestState::Closed => "closed",
        })
    }
}

const QUERY: &str = "query($id: ID!) { node(id: $id) { ... on PullRequest { number url title state isDraft merged } } }";

/// What `node(id:)` answers for a pull request.
#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct Node {
    number: u64,
    url: String,
    title: String,
    state: String,
    #[serde(default)]
    is_draft: bool,
    #[serde(default)]
    merged: bool,
}

impl Client {
    /// The pull request `task` opened, resolved to its number, URL, title and state; `None`
    /// when the task has no pull request (yet), or GitHub no longer knows it. A token that may
    /// not read pull requests gets [`Error::GraphQl`] with a hint.
    ///
    /// ```no_run
    /// # async fn run(client: agent_tasks::Client) -> agent_tasks::Result<()> {
    /// let task = client.task("a1b2c3d4").send().await?;
    /// if let Some(pr) = client.pull_request(&task).await? {
    ///     println!("#{} {} ({})", pr.number, pr.url, pr.state);
    /// }
    /// # Ok(()) }
    /// ```
    pub async fn pull_request(&self, task: &Task) -> Result<Option<PullRequest>> {
        let Some(reference) = task.pull_request() else {
            return Ok(None);
        };
        let Some(node_id) = reference.node_id else {
            return Ok(None);
        };
        let transport = self.transport();
        let graphql = transport.graphql();
        let body = agent_tasks_raw::types::GraphqlRequest {
            query: QUERY.to_owned(),
            variables: json!({"id": node_id})
                .as_object()
                .cloned()
                .unwrap_or_default(),
        };
        let answer = transport
            .send("graphql", Retry::Idempotent, |_| {
                graphql.graphql().body(body.clone()).send()
            })
            .await?
            .into_inner();
        if let Some(error) = answer.errors.as_ref().and_then(|e| e.first()) {
            if error.type_.as_deref() == Some("NOT_FOUND") {
                return Ok(None);
            }
            return Err(Error::GraphQl {
                kind: error.type_.clone(),
                message: error.message.clone(),
            });
        }
        let node = answer
            .data
            .as_ref()
            .and_then(|d| d.get("node"))
            .filter(|n| !n.is_null());
        let Some(node) = node else {
            return Ok(None);
        };
        let node: Node = serde_json::from_value(node.clone()).map_err(|e| Error::GraphQl {
            kind: None,
            message: format!("the pull request could not be read: {e}"),
        })?;
        let state = match (node.state.as_str(), node.is_draft, node.merged) {
            (_, _, true) | ("MERGED", _, _) => PullRequestState::Merged,
            ("CLOSED", ..) => PullRequestState::Closed,
            (_, true, _) => PullRequestState::Draft,
            _ => PullRequestState::Open,
        };
        Ok(Some(PullRequest {
            number: node.number,
            url: node.url,
            title: node.title,
            state,
            database_id: reference.id,
            node_id: node_id.to_owned(),
        }))
    }
}
