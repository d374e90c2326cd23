//! `agent-tasks fan-out PROMPT --repos FILE --journal FILE`: the same task in many
//! repositories, journaled (the SDK's `FanOut`), with a summary table at the end.

use std::time::Duration;

use clap::Args as ClapArgs;
use std::io::Read;

use agent_tasks::fan_out::{Outcome, Status};

use crate::args::{Global, TaskArgs, WaitArgs};
use crate::exit::{self, Failure};
use crate::output::{Out, line};
use crate::text::inert;
use crate::{auth, parse};

/// The arguments of `agent-tasks fan-out`.
#[derive(ClapArgs, Debug)]
pub struct FanOut {
    /// What the agent should do (or -F).
    #[arg(value_name = "PROMPT")]
    pub prompt: Option<String>,
    /// A file of repositories, one OWNER/REPO a line (`#` comments and blank lines skipped).
    #[arg(long = "repos", value_name = "FILE")]
    pub repos_file: Option<std::path::PathBuf>,
    /// A repository (repeatable), besides or instead of --repos.
    #[arg(short = 'R', long = "repo", value_name = "OWNER/REPO")]
    pub repos: Vec<String>,
    /// The journal: every step is written here before the next; run again with the same
    /// journal to finish an interrupted fan-out without starting anything twice.
    #[arg(long, value_name = "FILE")]
    pub journal: std::path::PathBuf,
    /// Creations under way at once (default 1, as GitHub asks).
    #[arg(long, default_value_t = 1)]
    pub concurrency: usize,
    /// The pause between two creations (GitHub asks for at least a second between writes).
    #[arg(long, value_name = "DURATION", value_parser = parse::duration, default_value = "1s")]
    pub pace: Duration,
    #[command(flatten)]
    pub task: TaskArgs,
    /// Then wait until every task ends or needs attention.
    #[arg(long)]
    pub wait: bool,
    #[command(flatten)]
    pub wait_args: WaitArgs,
}

/// The largest repositories file read.
const MAX_REPOS_FILE: u64 = 1024 * 1024;

pub async fn run(args: &FanOut, global: &Global, out: &Out) -> Result<u8, Failure> {
    let mut repos = Vec::new();
    if let Some(path) = &args.repos_file {
        repos.extend(read_repos(path)?);
    }
    for r in &args.repos {
        repos.push(parse::repo(r).map_err(Failure::usage)?);
    }
    if repos.is_empty() {
        return Err(Failure::usage(
            "no repositories: give --repos FILE or -R OWNER/REPO",
        ));
    }
    if args.concurrency == 0 {
        return Err(Failure::usage("--concurrency must be at least 1"));
    }
    if args.prompt.is_some() && args.task.prompt_file.is_some() {
        return Err(Failure::usage("give a PROMPT or -F FILE, not both"));
    }
    let prompt = args.task.read_prompt(args.prompt.as_deref())?;
    let count = repos.len();
    let client = auth::client(global).await?;
    let mut fan_out = client
        .fan_out(prompt)
        .repos(repos)
        .journal(&args.journal)
        .pace(args.pace)
        .concurrency(args.concurrency)
        .options(args.task.options());
    if args.wait {
        fan_out = fan_out.wait(args.wait_args.options());
    }
    out.say(&format!(
        "Starting the task in {} repositories (journal: {})...",
        count,
        inert(&args.journal.display().to_string())
    ));
    let outcomes = fan_out.run().await?;
    if out.is_json() {
        out.json(&outcomes)?;
    } else {
        table(&outcomes, out);
    }
    let codes = outcomes.iter().map(|o| match (&o.status, o.state()) {
        (Status::Created, Some(state)) if args.wait => exit::for_state(state),
        (Status::Created, _) => exit::OK,
        _ => exit::ERROR,
    });
    Ok(exit::worst(codes))
}

fn table(outcomes: &[Outcome], out: &Out) {
    let rows: Vec<(Vec<String>, Option<&agent_tasks::TaskState>)> = outcomes
        .iter()
        .map(|o| {
            let task = o.task.as_ref();
            let cells = vec![
                inert(&o.repo),
                task.map_or_else(|| "-".to_owned(), |t| inert(&t.id)),
                match (task, &o.status) {
                    (Some(t), _) => t.state.to_string(),
                    (None, Status::Failed) => "not created".to_owned(),
                    (None, _) => "unknown".to_owned(),
                },
                task.and_then(|t| t.pull_request())
                    .map_or_else(|| "-".to_owned(), |pr| pr.id.to_string()),
            ];
            (cells, o.state())
        })
        .collect();
    out.table(&["REPOSITORY", "TASK", "STATE", "PR"], 2, &rows);
    let created = outcomes
        .iter()
        .filter(|o| o.status == Status::Created)
        .count();
    let resumed = outcomes.iter().filter(|o| o.resumed).count();
    line(&format!(
        "\n{created} of {} repositories have their task ({resumed} from an earlier run); {}",
        outcomes.len(),
        if created == outcomes.len() {
            "nothing left to do".to_owned()
        } else {
            "run again with the same --journal to finish (nothing is started twice)".to_owned()
        }
    ));
    for o in outcomes
        .iter()
        .filter(|o| o.error.is_some() && o.task.is_none())
    {
        line(&format!(
            "  {}: {}",
            inert(&o.repo),
            inert(o.error.as_deref().unwrap_or_default())
        ));
    }
}

fn read_repos(path: &std::path::Path) -> Result<Vec<(String, String)>, Failure> {
    let shown = inert(&path.display().to_string());
    let file = std::fs::File::open(path)
        .map_err(|e| Failure::usage(format!("cannot read {shown}: {e}")))?;
    let mut text = String::new();
    file.take(MAX_REPOS_FILE + 1)
        .read_to_string(&mut text)
        .map_err(|e| Failure::usage(format!("cannot read {shown}: {e}")))?;
    if text.len() as u64 > MAX_REPOS_FILE {
        return Err(Failure::usage(format!("{shown} is longer than 1 MiB")));
    }
    text.lines()
        .map(str::trim)
        .filter(|l| !l.is_empty() && !l.starts_with('#'))
        .map(|l| parse::repo(l).map_err(|e| Failure::usage(format!("{shown}: {e}"))))
        .collect()
}
