//! The command line: the top-level parser, one file per command (its arguments beside its
//! `run`, oxide.rs's shape) and the dispatch. A new command is a file here, its `mod` line, a
//! variant of [`Command`] and an arm of [`run`].

pub mod completion;
pub mod create;
pub mod demo;
pub mod doctor;
pub mod fake;
pub mod fan_out;
pub mod list;
pub mod view;
pub mod wait;
pub mod watch;

use clap::{Parser, Subcommand};

use crate::args::Global;
use crate::exit::Failure;
use crate::output::Out;

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
    after_help = format!("{AFTER_HELP}\n\n{}\n\nTry it without a token: agent-tasks demo", crate::exit::table()),
    next_help_heading = "Global options"
)]
pub struct Args {
    #[command(subcommand)]
    pub command: Command,
    #[command(flatten)]
    pub global: Global,
}

/// The commands.
#[derive(Subcommand, Debug)]
pub enum Command {
    /// Start a task in a repository.
    Create(create::Create),
    /// List tasks: one repository's, or all of yours.
    List(list::List),
    /// Show a task: state, sessions, usage, artifacts and links.
    View(view::View),
    /// Wait until tasks end or need attention; the exit code tells how the worst one ended.
    Wait(wait::Wait),
    /// Follow every change of a repository's tasks (or all of yours): a line per event, JSON
    /// Lines with --json, until interrupted or the timeout.
    Watch(watch::Watch),
    /// Start the same task in many repositories, journaled so that a rerun starts nothing
    /// twice; a summary table (or JSON) at the end.
    #[command(name = "fan-out")]
    FanOut(fan_out::FanOut),
    /// Check the setup: the token and its kind, the host, who you are, what you may do, the
    /// API version and the rate budget; each check with a hint when it fails.
    Doctor(doctor::Doctor),
    /// Run the whole flow against a local fake of the API: no token, no network, no cost.
    Demo,
    /// Serve the fake Agent tasks API on 127.0.0.1, for your own tests and demos.
    Fake(fake::Fake),
    /// Print a shell completion script (bash, zsh, fish, powershell, elvish).
    Completion(completion::Completion),
    /// Print the man page (roff), made from these same definitions (`cargo xtask man`).
    #[command(hide = true)]
    Man,
}

impl Command {
    /// The fields of what the command prints as JSON, which `--json FIELDS` may name; `None`
    /// for commands that print no JSON.
    pub fn json_fields(&self) -> Option<Vec<String>> {
        use crate::output::{fields_of, task_fields};
        Some(match self {
            // A task with its sessions where one is read whole (a single task's wait, `view`);
            // a listed one (a list, several tasks' wait, a creation) has none.
            Command::List(_) => task_fields(false),
            Command::Create(a) => task_fields(a.wait || a.follow),
            Command::Wait(a) => task_fields(a.waits_for_one()),
            Command::View(_) | Command::Demo => task_fields(true),
            Command::Watch(_) => watch::json_fields(),
            Command::FanOut(_) => fields_of::<agent_tasks::fan_out::Outcome>(),
            Command::Doctor(_) => doctor::json_fields(),
            Command::Fake(_) | Command::Completion(_) | Command::Man => return None,
        })
    }

    /// Whether the command prints several JSON documents (one a line) rather than one.
    pub fn prints_json_lines(&self) -> bool {
        matches!(self, Command::Demo | Command::Watch(_))
    }
}

/// Runs `command`; its exit code, or the failure that maps to one.
pub async fn run(command: &Command, global: &Global, out: &Out) -> Result<u8, Failure> {
    match command {
        Command::Create(a) => create::run(a, global, out).await,
        Command::List(a) => list::run(a, global, out).await,
        Command::View(a) => view::run(a, global, out).await,
        Command::Wait(a) => wait::run(a, global, out).await,
        Command::Watch(a) => watch::run(a, global, out).await,
        Command::FanOut(a) => fan_out::run(a, global, out).await,
        Command::Doctor(a) => doctor::run(a, global, out).await,
        Command::Demo => demo::run(global, out).await,
        Command::Fake(a) => fake::run(a, global).await,
        Command::Completion(a) => Ok(completion::run(a)),
        Command::Man => completion::man(),
    }
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
