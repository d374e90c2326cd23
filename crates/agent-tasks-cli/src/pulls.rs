//! The pull request of a task, as a link: resolved through the SDK when it can be, else the
//! ids the API gives and why they could not be resolved (a token without pull-request read).
//! Resolution never changes a command's exit code.

use agent_tasks::pull_request::PullRequest;
use agent_tasks::{Client, Task};
use serde::Serialize;

/// A task's pull request, as far as it could be told.
#[derive(Clone, Debug, Serialize)]
#[serde(untagged)]
pub enum PrLink {
    /// Number, URL, title, state.
    Resolved(PullRequest),
    /// Only the ids of the task's artifact, and why no more.
    Unresolved {
        database_id: i64,
        node_id: Option<String>,
        error: String,
    },
}

impl PrLink {
    /// The line a person reads.
    pub fn describe(&self) -> String {
        match self {
            PrLink::Resolved(pr) => format!("#{} {} ({})", pr.number, pr.url, pr.state),
            PrLink::Unresolved {
                database_id, error, ..
            } => format!("database id {database_id} (not resolved: {error})"),
        }
    }

    /// The short form for a table cell.
    pub fn cell(&self) -> String {
        match self {
            PrLink::Resolved(pr) => pr.url.clone(),
            PrLink::Unresolved { database_id, .. } => format!("id {database_id}"),
        }
    }
}

/// The pull request of `task`, if it has one.
pub async fn resolve(client: &Client, task: &Task) -> Option<PrLink> {
    resolve_all(client, std::slice::from_ref(task))
        .await
        .pop()
        .flatten()
}

/// The pull requests of `tasks`, in their order: one GraphQL request per 100 tasks that have
/// one (`Client::pull_requests`), however many there are.
pub async fn resolve_all(client: &Client, tasks: &[Task]) -> Vec<Option<PrLink>> {
    let found = match client.pull_requests(tasks).await {
        Ok(found) => found,
        // The request as a whole failed: every task with a pull request says why.
        Err(e) => {
            let why = describe(&e);
            return tasks.iter().map(|t| unresolved(t, why.clone())).collect();
        }
    };
    tasks
        .iter()
        .zip(found)
        .map(|(task, found)| match found {
            Ok(Some(pr)) => Some(PrLink::Resolved(pr)),
            Ok(None) => unresolved(task, "GitHub does not know its node id".into()),
            Err(e) => unresolved(task, describe(&e)),
        })
        .collect()
}

/// The ids of `task`'s pull request and why no more, if it has one.
fn unresolved(task: &Task, error: String) -> Option<PrLink> {
    let reference = task.pull_request()?;
    Some(PrLink::Unresolved {
        database_id: reference.id,
        node_id: reference.node_id.map(str::to_owned),
        error,
    })
}

fn describe(e: &agent_tasks::Error) -> String {
    match e.hint() {
        Some(hint) => format!("{e} (hint: {hint})"),
        None => e.to_string(),
    }
}
