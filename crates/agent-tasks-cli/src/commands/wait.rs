//! `agent-tasks wait [OWNER/REPO] TASK...`: waits until every task ends or needs attention;
//! the exit code is the worst outcome. One task is polled by itself (conditional requests);
//! several with one list request per interval, however many they are.

use agent_tasks::{Task, TaskWithSessions};
use clap::Args as ClapArgs;

use crate::args::{Global, RepoOption, WaitArgs};
use crate::exit::{self, Failure};
use crate::follow::follow;
use crate::output::Out;
use crate::{auth, parse};

/// The arguments of `agent-tasks wait`.
#[derive(ClapArgs, Debug)]
pub struct Wait {
    /// The tasks: ids or URLs (OWNER/REPO first also works).
    #[arg(value_name = "TASK", num_args = 1.., required = true)]
    pub positional: Vec<String>,
    #[command(flatten)]
    pub repo: RepoOption,
    #[command(flatten)]
    pub wait_args: WaitArgs,
}

impl Wait {
    /// The repository given first, if one was, and the tasks.
    fn split(&self) -> (Option<&str>, &[String]) {
        match self.positional.as_slice() {
            [first, rest @ ..] if !rest.is_empty() && parse::looks_like_repo(first) => {
                (Some(first.as_str()), rest)
            }
            all => (None, all),
        }
    }

    /// Whether one task is waited for (and printed with its sessions).
    pub fn waits_for_one(&self) -> bool {
        self.split().1.len() == 1
    }
}

pub async fn run(args: &Wait, global: &Global, out: &Out) -> Result<u8, Failure> {
    let (repo, ids) = args.split();
    let refs: Vec<parse::TaskRef> = ids.iter().map(|i| parse::task_ref(i)).collect();
    let repo = crate::repository::resolve(repo, &args.repo, global, false).await?;
    let client = auth::client(global).await?;
    let options = args.wait_args.options();
    let get = |r: &parse::TaskRef| match r.repo.clone().or_else(|| repo.clone()) {
        Some((owner, name)) => client.repo(owner, name).task(&r.id),
        None => client.task(&r.id),
    };
    if let [one] = refs.as_slice() {
        let wait = get(one).wait().options(options);
        let last = follow(wait.stream(), out, |t: &TaskWithSessions| &t.task).await?;
        let Some(task) = last.into_iter().next() else {
            return Err(Failure::error("the wait ended without an answer"));
        };
        let pr = crate::pulls::resolve(&client, &task).await;
        out.finished(&task, pr.as_ref())?;
        return Ok(exit::for_state(&task.state));
    }
    // Bad options are refused before the tasks are fetched.
    options.check(&client)?;
    let mut started: Vec<Task> = Vec::with_capacity(refs.len());
    for r in &refs {
        started.push(get(r).send().await?.task);
    }
    let wait = client.wait_for_all(&started).options(options);
    let mut last = follow(wait.stream(), out, |t: &Task| t).await?;
    // In the order given; a task already done when the wait began is as it was then.
    let tasks: Vec<Task> = started
        .into_iter()
        .map(|s| match last.iter().position(|t| t.id == s.id) {
            Some(i) => last.swap_remove(i),
            None => s,
        })
        .collect();
    let prs = crate::pulls::resolve_all(&client, &tasks).await;
    out.list(&tasks, &prs, None, chrono::Utc::now())?;
    Ok(exit::worst(tasks.iter().map(|t| exit::for_state(&t.state))))
}
