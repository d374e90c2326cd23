//! `agent-tasks watch [OWNER/REPO]`: every change of the tasks, as it happens (the SDK's change
//! feed): a line per event, JSON Lines under `--json`.

use std::time::Duration;

use agent_tasks::feed::{Change, Cursor, Event, Feed};
use agent_tasks::list::ListScope;
use clap::Args as ClapArgs;
use futures_util::StreamExt;

use crate::args::{Global, RepoOption};
use crate::exit::{self, Failure};
use crate::output::{Out, line, paint};
use crate::pulls::PrLink;
use crate::text::inert;
use crate::{auth, parse};

/// The arguments of `agent-tasks watch`.
#[derive(ClapArgs, Debug)]
pub struct Watch {
    /// The repository, as OWNER/REPO; without it (and without -R), all of your tasks.
    #[arg(value_name = "OWNER/REPO")]
    pub positional: Option<String>,
    #[command(flatten)]
    pub repo: RepoOption,
    /// Stop after this long (30s, 10m, 2h); without it, run until interrupted.
    #[arg(long, value_name = "DURATION", value_parser = parse::duration)]
    pub timeout: Option<Duration>,
    /// Interval between polls. Quiet polls are 304s, free on the rate limit, and keep it; polls
    /// that cost and bring nothing new stretch it up to 6x (at most 10m). At least 1s against
    /// GitHub.
    #[arg(long, value_name = "DURATION", value_parser = parse::interval, default_value = "10s")]
    pub interval: Duration,
    /// Keep the feed's cursor in this file: read at start (if it exists), written after each
    /// event, so that a restarted watch misses nothing and repeats nothing.
    #[arg(long, value_name = "FILE")]
    pub cursor_file: Option<std::path::PathBuf>,
}

pub async fn run(args: &Watch, global: &Global, out: &Out) -> Result<u8, Failure> {
    let cursor = match &args.cursor_file {
        Some(path) if path.exists() => Some(read_cursor(path)?),
        _ => None,
    };
    let target =
        crate::repository::resolve(args.positional.as_deref(), &args.repo, global, false).await?;
    let client = auth::client(global).await?;
    match target {
        Some((owner, name)) => {
            let feed = client.repo(owner, name).list_tasks().feed();
            follow(&client, feed, args, cursor, out).await
        }
        None => follow(&client, client.list_tasks().feed(), args, cursor, out).await,
    }
}

async fn follow<S: ListScope>(
    client: &agent_tasks::Client,
    feed: Feed<S>,
    args: &Watch,
    cursor: Option<Cursor>,
    out: &Out,
) -> Result<u8, Failure> {
    let mut feed = feed
        .interval(args.interval)
        .max_interval(args.interval.saturating_mul(6).min(parse::MAX_INTERVAL));
    if let Some(t) = args.timeout {
        feed = feed.timeout(t);
    }
    if let Some(c) = cursor {
        feed = feed.cursor(c);
    }
    out.say("Watching for changes (Ctrl-C stops)...");
    // The events of one poll arrive together: their pull requests resolve in one request.
    let mut polls = feed.stream().ready_chunks(100);
    while let Some(events) = polls.next().await {
        let mut ready: Vec<Event> = Vec::with_capacity(events.len());
        let mut failed = None;
        for event in events {
            match event {
                Ok(event) if failed.is_none() => ready.push(event),
                Ok(_) => {}
                Err(e) => failed = failed.or(Some(e)),
            }
        }
        let opened: Vec<agent_tasks::Task> = ready
            .iter()
            .filter(|e| {
                e.changes
                    .iter()
                    .any(|c| matches!(c, Change::PullRequestOpened { .. }))
            })
            .map(|e| e.task.clone())
            .collect();
        let links = crate::pulls::resolve_all(client, &opened).await;
        for event in &ready {
            let pr = opened
                .iter()
                .position(|t| t.id == event.task.id)
                .and_then(|i| links.get(i))
                .and_then(Option::as_ref);
            for change in &event.changes {
                print_change(event, change, pr, out)?;
            }
            if let Some(path) = &args.cursor_file {
                write_cursor(path, &event.cursor)?;
            }
        }
        // An error ends the feed, after the events before it.
        if let Some(e) = failed {
            return Err(e.into());
        }
    }
    Ok(exit::OK)
}

/// The fields of a line of `watch --json` (a change, its task and the pull request it
/// opened), which `--json FIELDS` may name.
pub fn json_fields() -> Vec<String> {
    let mut fields = crate::output::fields_of::<Change>();
    fields.extend(["task".to_owned(), "pull_request".to_owned()]);
    fields
}

/// One line (or JSON document) per change: `{"kind": ..., "task": ...}`.
fn print_change(
    event: &Event,
    change: &Change,
    pr: Option<&PrLink>,
    out: &Out,
) -> Result<(), Failure> {
    let pr = pr.filter(|_| matches!(change, Change::PullRequestOpened { .. }));
    if out.is_json() {
        #[derive(serde::Serialize)]
        struct Line<'a> {
            #[serde(flatten)]
            change: &'a Change,
            task: &'a agent_tasks::Task,
            #[serde(skip_serializing_if = "Option::is_none")]
            pull_request: Option<&'a PrLink>,
        }
        return out.json(&Line {
            change,
            task: &event.task,
            pull_request: pr,
        });
    }
    let what = match change {
        Change::Created => format!("created ({})", paint(out.is_tty(), &event.task.state)),
        Change::StateChanged { from, to } => format!(
            "{} -> {}",
            from.as_ref()
                .map_or_else(|| "?".to_owned(), |f| paint(out.is_tty(), f)),
            paint(out.is_tty(), to)
        ),
        Change::PullRequestOpened { id, .. } => match pr {
            Some(pr) => format!("pull request opened: {}", inert(&pr.describe())),
            None => format!("pull request opened (database id {id})"),
        },
        Change::SessionAdded { sessions } => format!("session added ({sessions} in all)"),
        _ => "changed".to_owned(),
    };
    line(&format!(
        "{}  {}",
        crate::follow::change_line(&event.task, &what),
        inert(event.task.name.as_deref().unwrap_or_default())
    ));
    Ok(())
}

fn read_cursor(path: &std::path::Path) -> Result<Cursor, Failure> {
    let shown = inert(&path.display().to_string());
    let text = std::fs::read_to_string(path)
        .map_err(|e| Failure::usage(format!("cannot read the cursor file {shown}: {e}")))?;
    if text.len() > 16 * 1024 * 1024 {
        return Err(Failure::usage(format!(
            "the cursor file {shown} is too large"
        )));
    }
    text.trim()
        .parse()
        .map_err(|e: agent_tasks::Error| Failure::usage(format!("{shown}: {e}")))
}

/// Writes the cursor beside the file and renames it over it: a crash leaves the old cursor or
/// the new one, never half of one.
fn write_cursor(path: &std::path::Path, cursor: &Cursor) -> Result<(), Failure> {
    let shown = inert(&path.display().to_string());
    let tmp = path.with_extension("tmp");
    std::fs::write(&tmp, cursor.to_string())
        .and_then(|()| std::fs::rename(&tmp, path))
        .map_err(|e| Failure::error(format!("cannot write the cursor file {shown}: {e}")))
}
