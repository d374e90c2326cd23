//! `agent-tasks create [OWNER/REPO] PROMPT`: start a task, and with `--wait`/`--follow`
//! follow it to its end.

use clap::Args as ClapArgs;

use agent_tasks::TaskWithSessions;

use crate::args::{Global, RepoOption, TaskArgs, WaitArgs};
use crate::exit::{self, Failure};
use crate::follow::follow;
use crate::output::Out;
use crate::{auth, parse};

/// The arguments of `agent-tasks create`.
#[derive(ClapArgs, Debug)]
pub struct Create {
    /// [OWNER/REPO] PROMPT: the repository (else -R, else the git remote) and what the agent
    /// should do (or -F).
    #[arg(value_name = "[OWNER/REPO] PROMPT", num_args = 0..=2)]
    pub positional: Vec<String>,
    #[command(flatten)]
    pub repo: RepoOption,
    #[command(flatten)]
    pub task: TaskArgs,
    /// Start at most one task for this key: a second run with the same key returns the first
    /// task (the key rides in the prompt as an HTML comment).
    #[arg(long, value_name = "KEY")]
    pub idempotency_key: Option<String>,
    /// Then wait until the task ends or needs attention.
    #[arg(long)]
    pub wait: bool,
    /// Then follow the task with a live status line until it ends (as --wait).
    #[arg(long)]
    pub follow: bool,
    #[command(flatten)]
    pub wait_args: WaitArgs,
}

pub async fn run(args: &Create, global: &Global, out: &Out) -> Result<u8, Failure> {
    let (repo, prompt) = match args.positional.as_slice() {
        [] => (None, None),
        [one] if args.task.prompt_file.is_some() => (Some(one.as_str()), None),
        [one] if args.repo.repo.is_none() && parse::looks_like_repo(one) => {
            return Err(Failure::usage(format!(
                "missing PROMPT: agent-tasks create {} \"what to do\" (or -F FILE)",
                crate::text::inert(one)
            )));
        }
        [one] => (None, Some(one.as_str())),
        [repo, prompt] => (Some(repo.as_str()), Some(prompt.as_str())),
        _ => return Err(Failure::usage("expected [OWNER/REPO] PROMPT")),
    };
    if prompt.is_some() && args.task.prompt_file.is_some() {
        return Err(Failure::usage("give a PROMPT or -F FILE, not both"));
    }
    let Some((owner, name)) = crate::repository::resolve(repo, &args.repo, global, true).await?
    else {
        return Err(Failure::usage("no repository"));
    };
    let prompt = args.task.read_prompt(prompt)?;
    let client = auth::client(global).await?;
    let mut request = client
        .repo(&owner, &name)
        .create_task(prompt)
        .options(args.task.options());
    if let Some(v) = &args.idempotency_key {
        request = request.idempotency_key(v);
    }
    // The wait's options are refused before the task is started, not after.
    let options = args.wait_args.options();
    if args.wait || args.follow {
        options.check(&client)?;
    }
    let task = request.send().await?;
    if !(args.wait || args.follow) {
        out.created(&task)?;
        return Ok(exit::OK);
    }
    if !out.is_json() {
        out.created(&task)?;
    }
    let wait = client
        .repo(&owner, &name)
        .task(&task.id)
        .wait()
        .options(options);
    let last = follow(wait.stream(), out, |t: &TaskWithSessions| &t.task).await?;
    let Some(task) = last.into_iter().next() else {
        return Err(Failure::error("the wait ended without an answer"));
    };
    let pr = crate::pulls::resolve(&client, &task).await;
    out.finished(&task, pr.as_ref())?;
    Ok(exit::for_state(&task.state))
}
