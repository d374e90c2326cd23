//! The command line: every command, its arguments and the global options (clap).
//!
//! The shapes follow `gh agent-task` where gh has the same thing (`-R/--repo`, `-b/--base`,
//! `-F/--from-file`, `-a/--custom-agent`, `-L/--limit`, `--follow`, `--json FIELDS`, `--jq`,
//! `--web`), so gh users need not learn new names.

use std::time::Duration;

use clap::{Args as ClapArgs, Parser, Subcommand, ValueEnum};

use crate::parse;

const AFTER_HELP: &str = "\
Authentication: --token, else GH_TOKEN, else GITHUB_TOKEN, else `gh auth token` if gh is
installed. The token must be a user-to-server token (PAT, fine-grained PAT, OAuth or GitHub
App user token) with the \"Agent tasks\" repository permission.

The repository: OWNER/REPO, -R OWNER/REPO, or the current directory's git remote (origin, or
the only remote) on the API's host.";

/// Start, list, view and wait for Copilot cloud agent tasks (GitHub's Agent tasks API).
#[derive(Parser, Debug)]
#[command(
    name = "agent-tasks",
    version,
    after_help = format!("{AFTER_HELP}\n\n{}\n\nTry it without a token: agent-tasks demo", crate::exit::TABLE),
    next_help_heading = "Global options"
)]
pub struct Args {
    #[command(subcommand)]
    pub command: Command,
    #[command(flatten)]
    pub global: Global,
}

/// Options every command takes.
#[derive(ClapArgs, Debug, Clone, Default)]
pub struct Global {
    /// Print JSON with the API's field names (for scripts); with FIELDS (comma-separated),
    /// only those fields. `list` prints an array.
    #[arg(long, global = true, value_name = "FIELDS", num_args = 0..=1, default_missing_value = "")]
    pub json: Option<String>,
    /// Filter the JSON output with a jq expression (implies --json).
    #[arg(long, global = true, value_name = "EXPRESSION")]
    pub jq: Option<String>,
    /// The token (else GH_TOKEN, GITHUB_TOKEN, then `gh auth token`).
    #[arg(long, global = true, value_name = "TOKEN")]
    pub token: Option<String>,
    /// The API base URL (else GITHUB_API_URL, else the public api.github.com).
    #[arg(long, global = true, value_name = "URL")]
    pub base_url: Option<String>,
    /// The X-GitHub-Api-Version to send (2022-11-28 or 2026-03-10).
    #[arg(long, global = true, value_name = "VERSION")]
    pub api_version: Option<String>,
}

#[derive(Subcommand, Debug)]
pub enum Command {
    /// Start a task in a repository.
    Create(Create),
    /// List tasks: one repository's, or all of yours.
    List(List),
    /// Show a task: state, sessions, usage, artifacts and links.
    View(View),
    /// Wait until tasks end or need attention; the exit code tells how the worst one ended.
    Wait(Wait),
    /// Follow every change of a repository's tasks (or all of yours): a line per event, JSON
    /// Lines with --json, until interrupted or the timeout.
    Watch(WatchArgs),
    /// Start the same task in many repositories, journaled so that a rerun starts nothing
    /// twice; a summary table (or JSON) at the end.
    #[command(name = "fan-out")]
    FanOut(FanOutArgs),
    /// Check the setup: the token and its kind, the host, who you are, what you may do, the
    /// API version and the rate budget; each check with a hint when it fails.
    Doctor(DoctorArgs),
    /// Run the whole flow against a local fake of the API: no token, no network, no cost.
    Demo,
    /// Serve the fake Agent tasks API on 127.0.0.1, for your own tests and demos.
    Fake(Fake),
    /// Print a shell completion script (bash, zsh, fish, powershell, elvish).
    Completion {
        /// The shell.
        #[arg(value_enum)]
        shell: clap_complete::Shell,
    },
    /// Print the man page (roff), made from these same definitions (`cargo xtask man`).
    #[command(hide = true)]
    Man,
}

/// The repository option every command that takes one shares.
#[derive(ClapArgs, Debug, Clone, Default)]
pub struct RepoOption {
    /// The repository, as OWNER/REPO (else the positional, else the git remote of the
    /// current directory).
    #[arg(short = 'R', long = "repo", value_name = "OWNER/REPO")]
    pub repo: Option<String>,
}

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

/// What a task is started with: the prompt file and the options `create` and `fan-out` share.
#[derive(ClapArgs, Debug)]
pub struct TaskArgs {
    /// Read the prompt from a file, or from standard input with `-`.
    #[arg(
        short = 'F',
        long = "from-file",
        visible_alias = "prompt-file",
        value_name = "FILE"
    )]
    pub prompt_file: Option<String>,
    /// The base branch.
    #[arg(short = 'b', long = "base", value_name = "REF")]
    pub base_ref: Option<String>,
    /// An existing branch to work on (with --base: the open pull request from it).
    #[arg(long = "head", value_name = "REF")]
    pub head_ref: Option<String>,
    /// The model (claude-sonnet-4.6, gpt-5.4, ...; allowed ones depend on your plan).
    #[arg(long)]
    pub model: Option<String>,
    /// A custom agent: the agent file's name without extension.
    #[arg(short = 'a', long, value_name = "NAME")]
    pub custom_agent: Option<String>,
    /// Ask the agent to open a pull request.
    #[arg(long)]
    pub pr: bool,
}

impl TaskArgs {
    /// The SDK's options for these arguments.
    pub fn options(&self) -> agent_tasks::create::TaskOptions {
        let mut options = agent_tasks::create::TaskOptions::default();
        options.base_ref = self.base_ref.clone();
        options.head_ref = self.head_ref.clone();
        options.model = self.model.clone();
        options.custom_agent = self.custom_agent.clone();
        options.create_pull_request = self.pr.then_some(true);
        options
    }
}

#[derive(ClapArgs, Debug)]
pub struct List {
    /// The repository, as OWNER/REPO; without it (and without -R), all of your tasks.
    #[arg(value_name = "OWNER/REPO")]
    pub positional: Option<String>,
    #[command(flatten)]
    pub repo: RepoOption,
    /// Only these states, comma-separated, any case (queued, in_progress, completed, failed,
    /// idle, waiting_for_user, timed_out, cancelled).
    #[arg(long, short = 's', value_delimiter = ',', value_name = "STATE,...")]
    pub state: Vec<String>,
    /// Only tasks updated since: an RFC 3339 time, a date, or a duration ago (24h, 7d).
    #[arg(long, value_name = "TIME")]
    pub since: Option<String>,
    /// Only archived tasks.
    #[arg(long)]
    pub archived: bool,
    /// Only tasks created by this user id, or `@me` (repeatable; with a repository only).
    #[arg(long = "creator", value_name = "ID|@me")]
    pub creators: Vec<String>,
    /// Sort by.
    #[arg(long, value_enum, default_value_t = SortBy::Updated)]
    pub sort: SortBy,
    /// Sort direction.
    #[arg(long, value_enum, default_value_t = Dir::Desc)]
    pub direction: Dir,
    /// At most this many tasks.
    #[arg(long, short = 'L', default_value_t = 30)]
    pub limit: usize,
}

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

#[derive(ClapArgs, Debug)]
pub struct FanOutArgs {
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

#[derive(ClapArgs, Debug)]
pub struct DoctorArgs {
    /// A repository to check too (may the token list and start tasks there?).
    #[arg(value_name = "OWNER/REPO")]
    pub positional: Option<String>,
    #[command(flatten)]
    pub repo: RepoOption,
}

#[derive(ClapArgs, Debug)]
pub struct WatchArgs {
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

#[derive(ClapArgs, Debug, Clone)]
pub struct WaitArgs {
    /// Give up after this long (30s, 10m, 2h).
    #[arg(long, value_name = "DURATION", value_parser = parse::duration)]
    pub timeout: Option<Duration>,
    /// Interval between polls. Unchanged answers are 304s, free on the rate limit, and keep it;
    /// answers that cost and bring nothing new stretch it up to 12x (at most 10m). At least 1s
    /// against GitHub.
    #[arg(long, value_name = "DURATION", value_parser = parse::interval, default_value = "5s")]
    pub interval: Duration,
    /// Keep waiting while the task waits for a person (stop only when it has ended).
    #[arg(long)]
    pub terminal_only: bool,
}

#[derive(ClapArgs, Debug)]
pub struct Fake {
    /// Address to listen on.
    #[arg(long, default_value = "127.0.0.1:8787")]
    pub addr: std::net::SocketAddr,
    /// Another repository to know, as OWNER/REPO (repeatable).
    #[arg(long = "repo", value_name = "OWNER/REPO")]
    pub repos: Vec<String>,
    /// Another token to accept (repeatable; the n-th token is user id n+1); the global
    /// --token is accepted too.
    #[arg(long = "accept-token", value_name = "TOKEN")]
    pub tokens: Vec<String>,
    /// Run the clock this many times faster than real time.
    #[arg(long, default_value_t = 1.0)]
    pub time_scale: f64,
    /// Seconds a new task stays queued (fake time).
    #[arg(long, default_value_t = 5.0)]
    pub queued_secs: f64,
    /// Seconds a task runs before its outcome (fake time).
    #[arg(long, default_value_t = 60.0)]
    pub running_secs: f64,
    /// Faults to inject from the start, as JSON (see PUT /_fake/faults).
    #[arg(long, value_name = "JSON")]
    pub faults: Option<String>,
    /// Seed of the fault draws.
    #[arg(long, default_value_t = 0x5EED)]
    pub seed: u64,
}

#[derive(ValueEnum, Clone, Copy, Debug)]
pub enum SortBy {
    Created,
    Updated,
}

#[derive(ValueEnum, Clone, Copy, Debug)]
pub enum Dir {
    Asc,
    Desc,
}

/// The command line, with `--json` followed by a command name read as `--json` alone (so
/// `agent-tasks --json list` works although `--json` takes optional fields).
pub fn normalize(args: impl IntoIterator<Item = std::ffi::OsString>) -> Vec<std::ffi::OsString> {
    use clap::CommandFactory;
    let command = Args::command();
    let is_command =
        |name: &str| name == "help" || command.get_subcommands().any(|c| c.get_name() == name);
    let args: Vec<std::ffi::OsString> = args.into_iter().collect();
    let mut out = Vec::with_capacity(args.len());
    for (i, arg) in args.iter().enumerate() {
        let next_is_command = args
            .get(i + 1)
            .and_then(|a| a.to_str())
            .is_some_and(is_command);
        if arg == "--json" && next_is_command {
            out.push("--json=".into());
        } else {
            out.push(arg.clone());
        }
    }
    out
}
