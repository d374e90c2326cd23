//! Commands, their arguments, and the mapping of outcomes to exit codes.

use std::io::{IsTerminal, Read};
use std::time::Duration;

use agent_tasks::{Client, Error, TaskState, TaskWithSessions};
use agent_tasks::list::{SortDirection, TaskSort};
use agent_tasks::wait::Until;
use chrono::{DateTime, Utc};
use clap::{Parser, Subcommand, ValueEnum};
use futures_util::{StreamExt, TryStreamExt};

use crate::output::Out;

/// Success; for `wait` and `create --wait`, the task completed.
pub const EXIT_OK: u8 = 0;
/// An error: the API refused, the network failed, a wait timed out.
pub const EXIT_ERROR: u8 = 1;
/// A usage error: bad arguments; nothing was sent.
pub const EXIT_USAGE: u8 = 2;
/// The task ended failed, timed out or cancelled.
pub const EXIT_TASK_FAILED: u8 = 3;
/// An authentication problem: no token, a refused token, missing permission.
pub const EXIT_AUTH: u8 = 4;
/// The task needs attention: it waits for a person (waiting_for_user or idle).
pub const EXIT_ATTENTION: u8 = 5;

const AFTER_HELP: &str = "\
Authentication: --token, else GH_TOKEN, else GITHUB_TOKEN, else `gh auth token` if gh is
installed. The token must be a user-to-server token (PAT, fine-grained PAT, OAuth or GitHub
App user token) with the \"Agent tasks\" repository permission.

Exit codes:
  0  success (for wait and create --wait: the task completed)
  1  error (API error, network, wait timeout)
  2  usage error (bad arguments; nothing was sent)
  3  the task ended failed, timed_out or cancelled
  4  authentication problem (no token, bad token, missing permission)
  5  the task needs attention (waiting_for_user or idle)

Try it without a token: agent-tasks demo";

/// Start, list, view and wait for Copilot cloud agent tasks (GitHub's Agent tasks API).
#[derive(Parser, Debug)]
#[command(name = "agent-tasks", version, after_help = AFTER_HELP)]
pub struct Args {
    #[command(subcommand)]
    command: Command,
    /// Print JSON with the API's field names (for scripts); `list` prints an array.
    #[arg(long, global = true)]
    json: bool,
    /// The token (else GH_TOKEN, GITHUB_TOKEN, then `gh auth token`).
    #[arg(long, global = true, value_name = "TOKEN")]
    token: Option<String>,
    /// The API base URL (else GITHUB_API_URL, else the public api.github.com).
    #[arg(long, global = true, value_name = "URL")]
    base_url: Option<String>,
    /// The X-GitHub-Api-Version to send (2022-11-28 or 2026-03-10).
    #[arg(long, global = true, value_name = "VERSION")]
    api_version: Option<String>,
}

#[derive(Subcommand, Debug)]
enum Command {
    /// Start a task in a repository.
    Create {
        /// The repository, as OWNER/REPO.
        repo: String,
        /// What the agent should do (or use -F).
        prompt: Option<String>,
        /// Read the prompt from a file, or from standard input with `-`.
        #[arg(
            short = 'F',
            long = "prompt-file",
            value_name = "FILE",
            conflicts_with = "prompt"
        )]
        prompt_file: Option<String>,
        /// The base branch.
        #[arg(long = "base", value_name = "REF")]
        base_ref: Option<String>,
        /// An existing branch to work on (with --base: the open pull request from it).
        #[arg(long = "head", value_name = "REF")]
        head_ref: Option<String>,
        /// The model (claude-sonnet-4.6, gpt-5.4, ...; allowed ones depend on your plan).
        #[arg(long)]
        model: Option<String>,
        /// A custom agent: the agent file's name without extension.
        #[arg(long, value_name = "NAME")]
        custom_agent: Option<String>,
        /// Ask the agent to open a pull request.
        #[arg(long)]
        pr: bool,
        /// Then wait until the task ends or needs attention.
        #[arg(long)]
        wait: bool,
        #[command(flatten)]
        wait_args: WaitArgs,
    },
    /// List tasks: one repository's, or all of yours.
    List {
        /// The repository, as OWNER/REPO; without it, all of your tasks.
        repo: Option<String>,
        /// Only these states, comma-separated (queued,in_progress,completed,failed,idle,waiting_for_user,timed_out,cancelled).
        #[arg(long, value_delimiter = ',', value_name = "STATE,...")]
        state: Vec<String>,
        /// Only tasks updated since: an RFC 3339 time, a date, or a duration ago (24h, 7d).
        #[arg(long, value_name = "TIME")]
        since: Option<String>,
        /// Only archived tasks.
        #[arg(long)]
        archived: bool,
        /// Only tasks created by this user id (repeatable; with a repository only).
        #[arg(long = "creator", value_name = "ID")]
        creators: Vec<i64>,
        /// Sort by.
        #[arg(long, value_enum, default_value_t = SortBy::Updated)]
        sort: SortBy,
        /// Sort direction.
        #[arg(long, value_enum, default_value_t = Dir::Desc)]
        direction: Dir,
        /// At most this many tasks.
        #[arg(long, short = 'L', default_value_t = 30)]
        limit: usize,
    },
    /// Show a task: state, sessions, usage, artifacts and links.
    View {
        /// OWNER/REPO and TASK_ID, or TASK_ID alone.
        #[arg(num_args = 1..=2, value_names = ["OWNER/REPO", "TASK_ID"])]
        target: Vec<String>,
    },
    /// Wait until a task ends or needs attention; the exit code tells which.
    Wait {
        /// OWNER/REPO and TASK_ID, or TASK_ID alone.
        #[arg(num_args = 1..=2, value_names = ["OWNER/REPO", "TASK_ID"])]
        target: Vec<String>,
        #[command(flatten)]
        wait_args: WaitArgs,
    },
    /// Run the whole flow against a local fake of the API: no token, no network, no cost.
    Demo,
}

#[derive(clap::Args, Debug, Clone)]
struct WaitArgs {
    /// Give up after this long (30s, 10m, 2h).
    #[arg(long, value_name = "DURATION", value_parser = parse_duration)]
    timeout: Option<Duration>,
    /// First interval between polls (it backs off up to 12x).
    #[arg(long, value_name = "DURATION", value_parser = parse_duration, default_value = "5s")]
    interval: Duration,
    /// Keep waiting while the task waits for a person (stop only when it has ended).
    #[arg(long)]
    terminal_only: bool,
}

#[derive(ValueEnum, Clone, Copy, Debug)]
enum SortBy {
    Created,
    Updated,
}

#[derive(ValueEnum, Clone, Copy, Debug)]
enum Dir {
    Asc,
    Desc,
}

/// A failure, with the exit code it maps to.
pub struct Failure {
    code: u8,
    message: String,
}

impl Failure {
    fn usage(message: impl Into<String>) -> Self {
        Failure {
            code: EXIT_USAGE,
            message: message.into(),
        }
    }

    pub fn io(what: &str, e: std::io::Error) -> Self {
        Failure {
            code: EXIT_ERROR,
            message: format!("{what}: {e}"),
        }
    }
}

impl From<Error> for Failure {
    fn from(e: Error) -> Self {
        let code = match &e {
            Error::InvalidInput { field: "token", .. } => EXIT_AUTH,
            Error::InvalidInput { .. } => EXIT_USAGE,
            e if e.is_auth() => EXIT_AUTH,
            _ => EXIT_ERROR,
        };
        let mut message = e.to_string();
        if let Some(hint) = e.hint()
            && !message.contains(hint)
        {
            message.push_str(&format!(" (hint: {hint})"));
        }
        if let Some(id) = e.request_id() {
            message.push_str(&format!(" [request id {id}]"));
        }
        Failure { code, message }
    }
}

/// Runs a command and returns its exit code; errors get one line on stderr.
pub async fn run(args: Args) -> u8 {
    let out = Out::new(args.json);
    match dispatch(&args, &out).await {
        Ok(code) => code,
        Err(f) => {
            out.error(&f.message);
            f.code
        }
    }
}

async fn dispatch(args: &Args, out: &Out) -> Result<u8, Failure> {
    match &args.command {
        Command::Demo => crate::output::demo(out).await,
        Command::Create {
            repo,
            prompt,
            prompt_file,
            base_ref,
            head_ref,
            model,
            custom_agent,
            pr,
            wait,
            wait_args,
        } => {
            let (owner, name) = parse_repo(repo)?;
            let prompt = read_prompt(prompt.as_deref(), prompt_file.as_deref())?;
            let client = client(args).await?;
            let mut request = client.repo(owner, name).create_task(prompt);
            if let Some(v) = base_ref {
                request = request.base_ref(v);
            }
            if let Some(v) = head_ref {
                request = request.head_ref(v);
            }
            if let Some(v) = model {
                request = request.model(v);
            }
            if let Some(v) = custom_agent {
                request = request.custom_agent(v);
            }
            if *pr {
                request = request.create_pull_request(true);
            }
            let task = request.send().await?;
            if !wait {
                out.created(&task);
                return Ok(EXIT_OK);
            }
            out.created_waiting(&task);
            let get = client.repo(owner, name).task(&task.id);
            let last = follow(get, wait_args, out).await?;
            Ok(exit_for(&last.state))
        }
        Command::List {
            repo,
            state,
            since,
            archived,
            creators,
            sort,
            direction,
            limit,
        } => {
            let states: Vec<TaskState> = state.iter().map(|s| TaskState::from(s.trim())).collect();
            if let Some(bad) = states.iter().find(|s| s.is_unknown()) {
                return Err(Failure::usage(format!(
                    "unknown state `{bad}`; use {}",
                    TaskState::KNOWN
                        .iter()
                        .map(TaskState::as_str)
                        .collect::<Vec<_>>()
                        .join(", ")
                )));
            }
            if *limit == 0 {
                return Err(Failure::usage("--limit must be at least 1"));
            }
            let since = since.as_deref().map(parse_since).transpose()?;
            if repo.is_none() && !creators.is_empty() {
                return Err(Failure::usage(
                    "--creator needs OWNER/REPO (the API filters by creator per repository only)",
                ));
            }
            let target = repo.as_deref().map(parse_repo).transpose()?;
            let client = client(args).await?;
            macro_rules! filtered {
                ($list:expr) => {{
                    let mut l = $list
                        .states(states.clone())
                        .sort(match sort {
                            SortBy::Created => TaskSort::CreatedAt,
                            SortBy::Updated => TaskSort::UpdatedAt,
                        })
                        .direction(match direction {
                            Dir::Asc => SortDirection::Asc,
                            Dir::Desc => SortDirection::Desc,
                        })
                        .limit(*limit);
                    if *archived {
                        l = l.archived(true);
                    }
                    if let Some(t) = since {
                        l = l.since(t);
                    }
                    l.stream().try_collect::<Vec<_>>().await?
                }};
            }
            let tasks = match target {
                Some((owner, name)) => filtered!(
                    client
                        .repo(owner, name)
                        .list_tasks()
                        .creator_ids(creators.clone())
                ),
                None => filtered!(client.list_tasks()),
            };
            out.list(&tasks);
            Ok(EXIT_OK)
        }
        Command::View { target } => {
            let (repo, id) = parse_target(target)?;
            let client = client(args).await?;
            let task = match repo {
                Some((owner, name)) => client.repo(owner, name).task(id).send().await?,
                None => client.task(id).send().await?,
            };
            out.view(&task);
            Ok(EXIT_OK)
        }
        Command::Wait { target, wait_args } => {
            let (repo, id) = parse_target(target)?;
            let client = client(args).await?;
            let get = match repo {
                Some((owner, name)) => client.repo(owner, name).task(id),
                None => client.task(id),
            };
            let last = follow(get, wait_args, out).await?;
            Ok(exit_for(&last.state))
        }
    }
}

/// Follows a task with a live status line (terminal) or a line per change (pipe), and returns
/// it as it ended. A timeout is an error that says where the task was.
async fn follow(
    get: agent_tasks::get::GetTask,
    args: &WaitArgs,
    out: &Out,
) -> Result<TaskWithSessions, Failure> {
    let mut wait = get
        .wait()
        .interval(args.interval)
        .max_interval(args.interval * 12)
        .until(if args.terminal_only {
            Until::Terminal
        } else {
            Until::TerminalOrAttention
        });
    if let Some(t) = args.timeout {
        wait = wait.timeout(t);
    }
    let mut stream = std::pin::pin!(wait.watch());
    let mut status = out.status_line();
    let mut ticker = tokio::time::interval(Duration::from_millis(250));
    let mut last: Option<TaskWithSessions> = None;
    loop {
        tokio::select! {
            item = stream.next() => match item {
                Some(Ok(task)) => {
                    status.update(&task);
                    last = Some(task);
                }
                Some(Err(e)) => {
                    status.finish();
                    return Err(e.into());
                }
                None => break,
            },
            _ = ticker.tick() => status.tick(),
        }
    }
    status.finish();
    let task = last.ok_or_else(|| Failure {
        code: EXIT_ERROR,
        message: "the wait ended without an answer".into(),
    })?;
    out.finished(&task);
    Ok(task)
}

fn exit_for(state: &TaskState) -> u8 {
    if state.is_success() {
        EXIT_OK
    } else if state.needs_attention() {
        EXIT_ATTENTION
    } else if state.is_terminal() {
        EXIT_TASK_FAILED
    } else {
        EXIT_ERROR
    }
}

fn parse_repo(text: &str) -> Result<(&str, &str), Failure> {
    match text.split_once('/') {
        Some((owner, repo)) if !owner.is_empty() && !repo.is_empty() && !repo.contains('/') => {
            Ok((owner, repo))
        }
        _ => Err(Failure::usage(format!("expected OWNER/REPO, got `{text}`"))),
    }
}

/// An optional `(owner, repo)` and a task id.
type Target<'a> = (Option<(&'a str, &'a str)>, &'a str);

fn parse_target(target: &[String]) -> Result<Target<'_>, Failure> {
    match target {
        [id] => Ok((None, id.as_str())),
        [repo, id] => Ok((Some(parse_repo(repo)?), id.as_str())),
        _ => Err(Failure::usage("expected [OWNER/REPO] TASK_ID")),
    }
}

fn read_prompt(prompt: Option<&str>, file: Option<&str>) -> Result<String, Failure> {
    let text = match (prompt, file) {
        (Some(p), _) => p.to_owned(),
        (None, Some("-")) => {
            let mut s = String::new();
            std::io::stdin().read_to_string(&mut s).map_err(|e| {
                Failure::usage(format!("cannot read the prompt from standard input: {e}"))
            })?;
            s
        }
        (None, Some(path)) => std::fs::read_to_string(path)
            .map_err(|e| Failure::usage(format!("cannot read the prompt from {path}: {e}")))?,
        (None, None) => {
            return Err(Failure::usage(
                "give a PROMPT, or -F FILE (-F - reads standard input)",
            ));
        }
    };
    if text.trim().is_empty() {
        return Err(Failure::usage("the prompt is empty"));
    }
    Ok(text)
}

/// `30s`, `5m`, `2h`, `1h30m`, `500ms`, `1d`, or a number of seconds.
pub fn parse_duration(text: &str) -> Result<Duration, String> {
    let text = text.trim();
    if let Ok(secs) = text.parse::<f64>() {
        return Duration::try_from_secs_f64(secs).map_err(|e| e.to_string());
    }
    let mut total = Duration::ZERO;
    let mut rest = text;
    if rest.is_empty() {
        return Err("empty duration".into());
    }
    while !rest.is_empty() {
        let digits = rest
            .find(|c: char| !(c.is_ascii_digit() || c == '.'))
            .unwrap_or(rest.len());
        let (number, tail) = rest.split_at(digits);
        let unit_len = tail
            .find(|c: char| c.is_ascii_digit())
            .unwrap_or(tail.len());
        let (unit, tail) = tail.split_at(unit_len);
        let n: f64 = number
            .parse()
            .map_err(|_| format!("`{text}` is not a duration (try 30s, 5m, 2h)"))?;
        let secs = match unit {
            "ms" => n / 1000.0,
            "s" | "sec" => n,
            "m" | "min" => n * 60.0,
            "h" => n * 3600.0,
            "d" => n * 86400.0,
            _ => return Err(format!("`{text}` is not a duration (try 30s, 5m, 2h)")),
        };
        total += Duration::try_from_secs_f64(secs).map_err(|e| e.to_string())?;
        rest = tail;
    }
    Ok(total)
}

fn parse_since(text: &str) -> Result<DateTime<Utc>, Failure> {
    if let Ok(t) = DateTime::parse_from_rfc3339(text) {
        return Ok(t.with_timezone(&Utc));
    }
    if let Ok(d) = chrono::NaiveDate::parse_from_str(text, "%Y-%m-%d") {
        return Ok(d.and_hms_opt(0, 0, 0).expect("midnight exists").and_utc());
    }
    match parse_duration(text) {
        Ok(ago) => {
            Ok(Utc::now() - chrono::Duration::from_std(ago).unwrap_or(chrono::Duration::zero()))
        }
        Err(_) => Err(Failure::usage(format!(
            "--since: `{text}` is not a time (2025-01-31, 2025-01-31T12:00:00Z, or 24h ago as `24h`)"
        ))),
    }
}

/// Builds the client: the token from --token, GH_TOKEN, GITHUB_TOKEN, then `gh auth token`.
async fn client(args: &Args) -> Result<Client, Failure> {
    let var = |name: &str| std::env::var(name).ok().filter(|v| !v.trim().is_empty());
    let base_url = args.base_url.clone().or_else(|| var("GITHUB_API_URL"));
    let token = match args
        .token
        .clone()
        .or_else(|| var("GH_TOKEN"))
        .or_else(|| var("GITHUB_TOKEN"))
    {
        Some(t) => t,
        None => match gh_auth_token(base_url.as_deref()).await {
            Some(t) => t,
            None => {
                return Err(Failure {
                    code: EXIT_AUTH,
                    message: "no token: pass --token, set GH_TOKEN or GITHUB_TOKEN, or log in with `gh auth login` (or try `agent-tasks demo`)".into(),
                });
            }
        },
    };
    let mut builder = Client::builder()
        .token(token.trim())
        .user_agent(concat!("agent-tasks-cli/", env!("CARGO_PKG_VERSION")));
    if let Some(url) = base_url {
        builder = builder.base_url(url);
    }
    if let Some(v) = &args.api_version {
        builder = builder.api_version(v);
    }
    Ok(builder.build()?)
}

/// `gh auth token [--hostname HOST]`, if gh is installed and answers within five seconds.
async fn gh_auth_token(base_url: Option<&str>) -> Option<String> {
    let mut command = tokio::process::Command::new("gh");
    command
        .args(["auth", "token"])
        .stdin(std::process::Stdio::null())
        .kill_on_drop(true);
    if let Some(host) = base_url.and_then(gh_host) {
        command.args(["--hostname", &host]);
    }
    let output = tokio::time::timeout(Duration::from_secs(5), command.output())
        .await
        .ok()?
        .ok()?;
    let token = String::from_utf8(output.stdout).ok()?.trim().to_owned();
    (output.status.success() && !token.is_empty()).then_some(token)
}

/// The gh host of an API base URL: `api.github.com` -> github.com, `HOST/api/v3` -> HOST,
/// `api.SUB.ghe.com` -> SUB.ghe.com.
fn gh_host(base_url: &str) -> Option<String> {
    let rest = base_url.split_once("://")?.1;
    let host = rest.split(['/', ':']).next()?;
    Some(match host {
        "api.github.com" => "github.com".to_owned(),
        h if h.ends_with(".ghe.com") => h.trim_start_matches("api.").to_owned(),
        h => h.to_owned(),
    })
}

/// Whether standard output is a terminal (colours, live status line).
pub fn stdout_is_terminal() -> bool {
    std::io::stdout().is_terminal() && std::env::var_os("NO_COLOR").is_none()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn durations_parse() {
        assert_eq!(parse_duration("30s").unwrap(), Duration::from_secs(30));
        assert_eq!(parse_duration("1h30m").unwrap(), Duration::from_secs(5400));
        assert_eq!(parse_duration("500ms").unwrap(), Duration::from_millis(500));
        assert_eq!(parse_duration("2").unwrap(), Duration::from_secs(2));
        assert!(parse_duration("soon").is_err());
        assert!(parse_duration("").is_err());
    }

    #[test]
    fn gh_hosts_follow_the_api_url() {
        assert_eq!(
            gh_host("https://api.github.com").as_deref(),
            Some("github.com")
        );
        assert_eq!(
            gh_host("https://ghe.example.com/api/v3").as_deref(),
            Some("ghe.example.com")
        );
        assert_eq!(
            gh_host("https://api.acme.ghe.com").as_deref(),
            Some("acme.ghe.com")
        );
    }

    #[test]
    fn exit_codes_follow_the_state() {
        assert_eq!(exit_for(&TaskState::Completed), EXIT_OK);
        assert_eq!(exit_for(&TaskState::Failed), EXIT_TASK_FAILED);
        assert_eq!(exit_for(&TaskState::Cancelled), EXIT_TASK_FAILED);
        assert_eq!(exit_for(&TaskState::WaitingForUser), EXIT_ATTENTION);
    }
}
