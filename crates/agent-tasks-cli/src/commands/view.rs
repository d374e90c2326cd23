//! `agent-tasks view [OWNER/REPO] TASK`: a task's state, sessions, usage, artifacts and links.
//! TASK may be the id, the task's web page or its API URL; `--web` opens the page.

use crate::args::{Global, RepoOption};
use crate::exit::{self, Failure};
use crate::output::{Out, line};
use crate::parse::{self, TaskRef};
use crate::{auth, browser};
use clap::Args as ClapArgs;

/// The arguments of `agent-tasks view`.
#[derive(ClapArgs, Debug)]
pub struct View {
    /// The task: its id, or its web or API URL (OWNER/REPO TASK also works).
    #[arg(value_name = "TASK")]
    pub task: String,
    /// The task, after OWNER/REPO.
    #[arg(hide = true)]
    pub after_repo: Option<String>,
    #[command(flatten)]
    pub repo: RepoOption,
    /// Open the task's page in the browser (BROWSER, else the system's opener; the URL is
    /// printed when none can be started).
    #[arg(short = 'w', long)]
    pub web: bool,
}

pub async fn run(args: &View, global: &Global, out: &Out) -> Result<u8, Failure> {
    let (repo, task) = match (&args.task, &args.after_repo) {
        (one, None) if parse::looks_like_repo(one) => {
            return Err(Failure::usage(format!(
                "missing TASK: agent-tasks view {} TASK",
                crate::text::inert(one)
            )));
        }
        (one, None) => (None, parse::task_ref(one)),
        (repo, Some(task)) => (Some(repo.as_str()), parse::task_ref(task)),
    };
    let TaskRef { repo: from_url, id } = task;
    let repo = match from_url {
        Some(r) => Some(r),
        None => crate::repository::resolve(repo, &args.repo, global, false).await?,
    };
    // A web URL needs no request to be opened.
    if args.web
        && let Some(url) = [Some(&args.task), args.after_repo.as_ref()]
            .into_iter()
            .flatten()
            .find(|u| u.contains("/copilot/tasks/"))
    {
        browser::open(url).await?;
        return Ok(exit::OK);
    }
    let client = auth::client(global).await?;
    let task = match repo {
        Some((owner, name)) => client.repo(owner, name).task(id).send().await?,
        None => client.task(id).send().await?,
    };
    if args.web {
        match &task.html_url {
            Some(url) => browser::open(url).await?,
            None => line("The API gave no web page for this task."),
        }
        return Ok(exit::OK);
    }
    let pr = crate::pulls::resolve(&client, &task).await;
    out.view(&task, pr.as_ref())?;
    Ok(exit::OK)
}
