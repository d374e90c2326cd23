//! Starts a task and prints where to follow it.
//!
//! ```sh
//! GH_TOKEN=github_pat_... cargo run -p agent-tasks --example start_task -- octocat/hello-world "Fix the flaky login test"
//! ```

use std::process::ExitCode;

#[tokio::main]
async fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let [repo, prompt] = args.as_slice() else {
        eprintln!("usage: start_task OWNER/REPO PROMPT");
        return ExitCode::from(2);
    };
    let Some((owner, name)) = repo.split_once('/') else {
        eprintln!("OWNER/REPO expected, got {repo:?}");
        return ExitCode::from(2);
    };
    let result = async {
        let client = agent_tasks::Client::from_env()?;
        client.repo(owner, name).create_task(prompt).send().await
    }
    .await;
    match result {
        Ok(task) => {
            println!("started {} ({})", task.id, task.state);
            if let Some(url) = &task.html_url {
                println!("follow it at {url}");
            }
            ExitCode::SUCCESS
        }
        Err(e) => {
            eprintln!("error: {e}");
            ExitCode::FAILURE
        }
    }
}
