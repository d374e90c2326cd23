//! `agent-tasks demo`: the whole flow against the fake, in-process: no token, no network, no
//! cost. It takes no connection options (it makes its own); `--json` prints one JSON document
//! per line.

use std::time::Duration;

use agent_tasks::{Task, TaskWithSessions};
use agent_tasks_fake::{Fake, Outcome, Schedule, TaskState};
use futures_util::TryStreamExt;

use crate::args::Global;
use crate::exit::{self, Failure};
use crate::follow::follow;
use crate::output::Out;

pub async fn run(global: &Global, out: &Out) -> Result<u8, Failure> {
    if global.token.is_some() || global.base_url.is_some() || global.api_version.is_some() {
        return Err(Failure::usage(
            "demo runs against its own local fake: --token, --base-url and --api-version do not apply",
        ));
    }
    let fake = Fake::builder()
        .time_scale(20.0)
        .schedule(Schedule {
            queued: Duration::from_secs(4),
            running: Duration::from_secs(40),
        })
        .outcome("flaky", Outcome::new(TaskState::WaitingForUser))
        .start()
        .await
        .map_err(|e| Failure::error(format!("cannot start the local fake: {e}")))?;
    out.say(&format!(
        "agent-tasks demo: a local fake of GitHub's Agent tasks API runs on {}.",
        fake.url()
    ));
    out.say("No token, network or Copilot plan is used; the fake's clock runs 20x faster.");
    let client = agent_tasks::Client::builder()
        .token(agent_tasks_fake::DEFAULT_TOKEN)
        .base_url(fake.url())
        .user_agent(concat!(
            "agent-tasks-cli/",
            env!("CARGO_PKG_VERSION"),
            " (demo)"
        ))
        .build()?;
    let repo = client.repo("octocat", "hello-world");
    let step = |text: &str| out.say(&format!("\n== {text}"));

    step(
        "agent-tasks create octocat/hello-world \"Add input validation to the signup form\" --base main --pr --wait",
    );
    let task = repo
        .create_task("Add input validation to the signup form")
        .base_ref("main")
        .create_pull_request(true)
        .send()
        .await?;
    out.created(&task)?;
    let watch = repo
        .task(&task.id)
        .wait()
        .interval(Duration::from_millis(100))
        .max_interval(Duration::from_millis(400))
        .stream();
    let done = last(follow(watch, out, |t: &TaskWithSessions| &t.task).await?)?;
    let pr = crate::pulls::resolve(&client, &done).await;
    out.finished(&done, pr.as_ref())?;

    step(&format!("agent-tasks view octocat/hello-world {}", done.id));
    out.view(&repo.task(&done.id).send().await?, pr.as_ref())?;

    step(
        "agent-tasks create octocat/hello-world \"Fix the flaky login test\" --wait (the fake makes this one wait for you)",
    );
    let second = repo.create_task("Fix the flaky login test").send().await?;
    out.created(&second)?;
    let watch = repo
        .task(&second.id)
        .wait()
        .interval(Duration::from_millis(100))
        .max_interval(Duration::from_millis(400))
        .stream();
    let asked = last(follow(watch, out, |t: &TaskWithSessions| &t.task).await?)?;
    out.finished(&asked, None)?;

    step("agent-tasks list octocat/hello-world");
    let tasks: Vec<Task> = repo.list_tasks().stream().try_collect().await?;
    let prs = crate::pulls::resolve_all(&client, &tasks).await;
    out.list(&tasks, &prs, None, fake.now())?;
    out.say(&format!(
        "\nRequests the fake answered: {}. Try `agent-tasks --help`.",
        fake.state().requests_total
    ));
    Ok(exit::OK)
}

fn last(mut seen: Vec<TaskWithSessions>) -> Result<TaskWithSessions, Failure> {
    seen.pop()
        .ok_or_else(|| Failure::error("the wait ended without an answer"))
}
