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
        table(&client, &outcomes, out).await;
    }
    let codes = outcomes.iter().map(|o| match (&o.status, o.state()) {
        (Status::Created, Some(state)) if args.wait => exit::for_state(state),
        (Status::Created, _) => exit::OK,
        _ => exit::ERROR,
    });
    Ok(exit::worst(codes))
}

async fn table(client: &agent_tasks::Client, outcomes: &[Outcome], out: &Out) {
    // The pull requests as `list` shows them: their URLs, one lookup per page of tasks.
    let tasks: Vec<agent_tasks::Task> = outcomes.iter().filter_map(|o| o.task.clone()).collect();
    let links = crate::pulls::resolve_all(client, &tasks).await;
    let links: std::collections::HashMap<&str, crate::pulls::PrLink> = tasks
        .iter()
        .zip(links)
        .filter_map(|(t, link)| Some((t.id.as_str(), link?)))
        .collect();
    let rows: Vec<(Vec<String>, Option<&agent_tasks::TaskState>)> = outcomes
        .iter()
        .map(|o| {
            let task = o.task.as_ref();
            let pr = task.and_then(|t| links.get(t.id.as_str()));
            let cells = vec![
                inert(&o.repo),
                task.map_or_else(|| "-".to_owned(), |t| inert(&t.id)),
                match (task, &o.status) {
                    (Some(t), _) => t.state.to_string(),
                    (None, Status::Failed) => "not created".to_owned(),
                    (None, _) => "unknown".to_owned(),
                },
                pr.map_or_else(|| "-".to_owned(), |p| inert(&p.cell())),
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
    let rerun = outcomes
        .iter()
        .filter(|o| o.status != Status::Created && o.rerun_may_help)
        .count();
    let refused = outcomes.len() - created - rerun;
    line(&format!(
        "\n{created} of {} repositories have their task ({resumed} from an earlier run){}",
        outcomes.len(),
        if created == outcomes.len() {
            "; nothing left to do."
        } else {
            "."
        }
    ));
    if rerun > 0 {
        line(&format!(
            "{rerun} may still get theirs: run again with the same --journal (nothing is started twice)."
        ));
    }
    if refused > 0 {
        line(&format!(
            "{refused} were refused: a rerun will not help until the cause below is fixed."
        ));
    }
    for o in outcomes
        .iter()
        .filter(|o| o.error.is_some() && o.task.is_none())
    {
        let hint = o
            .hint
            .as_deref()
            .map(|h| format!("\n    hint: {}", inert(h)))
            .unwrap_or_default();
        line(&format!(
            "  {}: {}{hint}",
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
