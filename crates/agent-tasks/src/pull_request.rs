//! The agents' pull requests as links: a task names its pull request by database id and GraphQL
//! node id only; one GraphQL `nodes(ids:)` query (through the same request path, retries and
//! errors as every other call) resolves up to [`MAX_NODES_PER_QUERY`] of them at once to their
//! number, URL, title and state. One task's pull request is the same query with one id.

use serde::{Deserialize, Serialize};
use serde_json::{Value, json};

use crate::client::Client;
use crate::error::{Error, Result};
use crate::transport::Retry;
use crate::types::Task;

/// The most node ids GitHub resolves in one `nodes(ids:)` query.
pub const MAX_NODES_PER_QUERY: usize = 100;

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

const QUERY: &str = "query($ids: [ID!]!) { nodes(ids: $ids) { ... on PullRequest { number url title state isDraft merged } } }";

/// What `nodes(ids:)` answers for a pull request.
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
        let mut found = self.pull_requests(std::slice::from_ref(task)).await?;
        found
            .pop()
            .unwrap_or_else(|| Err(Error::Internal("one task, no answer".into())))
    }

    /// The pull requests of `tasks`, in their order: one GraphQL request per
    /// [`MAX_NODES_PER_QUERY`] tasks that have one (none for a page of tasks without), instead
    /// of one per task. Each task gets its own answer: `Ok(None)` when it has no pull request
    /// or GitHub no longer knows it, `Err` when GitHub refused that one (the token may not read
    /// its repository's pull requests), without failing the others. The outer `Err` is a
    /// request that failed as a whole (the network, the token).
    ///
    /// ```no_run
    /// # async fn run(client: agent_tasks::Client) -> agent_tasks::Result<()> {
    /// let page = client.list_tasks().per_page(100).send().await?;
    /// let prs = client.pull_requests(&page.items).await?;
    /// for (task, pr) in page.items.iter().zip(prs) {
    ///     match pr {
    ///         Ok(Some(pr)) => println!("{} #{} {}", task.id, pr.number, pr.url),
    ///         Ok(None) => println!("{} (no pull request)", task.id),
    ///         Err(e) => println!("{} ({e})", task.id),
    ///     }
    /// }
    /// # Ok(()) }
    /// ```
    pub async fn pull_requests(&self, tasks: &[Task]) -> Result<Vec<Result<Option<PullRequest>>>> {
        let mut answers: Vec<Result<Option<PullRequest>>> =
            tasks.iter().map(|_| Ok(None)).collect();
        // The tasks that name a pull request by node id, with their place in `tasks`.
        let wanted: Vec<(usize, i64, &str)> = tasks
            .iter()
            .enumerate()
            .filter_map(|(i, t)| {
                let pr = t.pull_request()?;
                Some((i, pr.id, pr.node_id?))
            })
            .collect();
        for chunk in wanted.chunks(MAX_NODES_PER_QUERY) {
            let ids: Vec<&str> = chunk.iter().map(|(.., node_id)| *node_id).collect();
            let found = self.nodes(&ids).await?;
            for ((i, database_id, node_id), answer) in chunk.iter().zip(found) {
                if let Some(slot) = answers.get_mut(*i) {
                    *slot = answer
                        .map(|node| node.map(|node| pull_request(node, *database_id, node_id)));
                }
            }
        }
        Ok(answers)
    }

    /// One `nodes(ids:)` query: each id's node (`None`: unknown to GitHub), or its error.
    async fn nodes(&self, ids: &[&str]) -> Result<Vec<Result<Option<Node>>>> {
        let transport = self.transport();
        let graphql = transport.graphql();
        let body = agent_tasks_raw::types::GraphqlRequest {
            query: QUERY.to_owned(),
            variables: json!({ "ids": ids })
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
        let nodes = answer
            .data
            .as_ref()
            .and_then(|d| d.get("nodes"))
            .and_then(Value::as_array);
        let errors = answer.errors.unwrap_or_default();
        // An error that names no node (the query as a whole) is every node's.
        let whole = errors.iter().find(|e| node_index(&e.path).is_none());
        Ok((0..ids.len())
            .map(|i| {
                let mine = errors
                    .iter()
                    .find(|e| node_index(&e.path) == Some(i))
                    .or(whole);
                match mine {
                    // Only an error about this node says GitHub does not know it.
                    Some(e)
                        if e.type_.as_deref() == Some("NOT_FOUND")
                            && node_index(&e.path) == Some(i) =>
                    {
                        Ok(None)
                    }
                    Some(e) => Err(Error::GraphQl {
                        kind: e.type_.clone(),
                        message: e.message.clone(),
                    }),
                    None => match nodes.and_then(|n| n.get(i)).filter(|n| !n.is_null()) {
                        None => Ok(None),
                        Some(node) => serde_json::from_value::<Node>(node.clone())
                            .map(Some)
                            .map_err(|e| Error::GraphQl {
                                kind: None,
                                message: format!("the pull request could not be read: {e}"),
                            }),
                    },
                }
            })
            .collect())
    }
}

/// Which node of `nodes(ids:)` an error's `path` names (`["nodes", 3]`), if it names one.
fn node_index(path: &Option<Vec<Value>>) -> Option<usize> {
    match path.as_deref() {
        Some([first, index, ..]) if first == "nodes" => {
            index.as_u64().and_then(|i| usize::try_from(i).ok())
        }
        _ => None,
    }
}

fn pull_request(node: Node, database_id: i64, node_id: &str) -> PullRequest {
    let state = match (node.state.as_str(), node.is_draft, node.merged) {
        (_, _, true) | ("MERGED", _, _) => PullRequestState::Merged,
        ("CLOSED", ..) => PullRequestState::Closed,
        (_, true, _) => PullRequestState::Draft,
        _ => PullRequestState::Open,
    };
    PullRequest {
        number: node.number,
        url: node.url,
        title: node.title,
        state,
        database_id,
        node_id: node_id.to_owned(),
    }
}
