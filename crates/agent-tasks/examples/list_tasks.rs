//! Lists the tasks that need a person's attention, across all repositories.
//!
//! ```sh
//! GH_TOKEN=github_pat_... cargo run -p agent-tasks --example list_tasks
//! ```

use agent_tasks::TaskState;
use futures_util::TryStreamExt;

#[tokio::main]
async fn main() -> agent_tasks::Result<()> {
    let client = agent_tasks::Client::from_env()?;
    let mut tasks = std::pin::pin!(
        client
            .list_tasks()
            .states([TaskState::WaitingForUser, TaskState::Idle])
            .per_page(100)
            .limit(500)
            .stream()
    );
    while let Some(task) = tasks.try_next().await? {
        println!(
            "{:<38} {:<18} {}",
            task.id,
            task.state,
            task.name.as_deref().unwrap_or("")
        );
    }
    Ok(())
}
