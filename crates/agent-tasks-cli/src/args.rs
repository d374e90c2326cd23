//! The options several commands share: the global ones, the repository, what a task is
//! started with (and its prompt), and how a wait polls. Each command's own arguments live
//! beside its `run`, in `commands/`.
//!
//! The shapes follow `gh agent-task` where gh has the same thing (`-R/--repo`, `-b/--base`,
//! `-F/--from-file`, `-a/--custom-agent`, `-L/--limit`, `--follow`, `--json FIELDS`, `--jq`,
//! `--web`), so gh users need not learn new names.

use std::io::{IsTerminal, Read};
use std::time::Duration;

use clap::Args as ClapArgs;

use crate::exit::Failure;
use crate::parse;

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
    /// The X-GitHub-Api-Version to send.
    #[arg(long, global = true, value_name = "VERSION")]
    #[arg(value_parser = clap::builder::PossibleValuesParser::new(agent_tasks::client::API_VERSIONS))]
    pub api_version: Option<String>,
}

/// The repository option every command that takes one shares.
#[derive(ClapArgs, Debug, Clone, Default)]
pub struct RepoOption {
    /// The repository, as OWNER/REPO (else the positional, else the git remote of the
    /// current directory).
    #[arg(short = 'R', long = "repo", value_name = "OWNER/REPO")]
    pub repo: Option<String>,
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

/// The largest prompt read from a file or standard input.
pub const MAX_PROMPT_BYTES: u64 = 1024 * 1024;

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

    /// The prompt: the argument, or the file (`-` is standard input), at most
    /// [`MAX_PROMPT_BYTES`].
    pub fn read_prompt(&self, prompt: Option<&str>) -> Result<String, Failure> {
        let file = self.prompt_file.as_deref();
        let too_long = |from: &str| {
            Failure::usage(format!(
                "the prompt from {from} is longer than {} KiB",
                MAX_PROMPT_BYTES / 1024
            ))
        };
        let bytes = match (prompt, file) {
            (Some(p), _) => return Ok(p.to_owned()),
            (None, Some("-")) => {
                let stdin = std::io::stdin();
                if stdin.is_terminal() {
                    eprintln!("Reading the prompt from standard input; end it with Ctrl-D.");
                }
                let mut bytes = Vec::new();
                stdin
                    .lock()
                    .take(MAX_PROMPT_BYTES + 1)
                    .read_to_end(&mut bytes)
                    .map_err(|e| {
                        Failure::usage(format!("cannot read the prompt from standard input: {e}"))
                    })?;
                if bytes.len() as u64 > MAX_PROMPT_BYTES {
                    return Err(too_long("standard input"));
                }
                bytes
            }
            (None, Some(path)) => {
                let shown = crate::text::inert(path);
                let file = std::fs::File::open(path).map_err(|e| {
                    Failure::usage(format!("cannot read the prompt from {shown}: {e}"))
                })?;
                let mut bytes = Vec::new();
                file.take(MAX_PROMPT_BYTES + 1)
                    .read_to_end(&mut bytes)
                    .map_err(|e| {
                        Failure::usage(format!("cannot read the prompt from {shown}: {e}"))
                    })?;
                if bytes.len() as u64 > MAX_PROMPT_BYTES {
                    return Err(too_long(&shown));
                }
                bytes
            }
            (None, None) => {
                return Err(Failure::usage(
                    "give a PROMPT, or -F FILE (-F - reads standard input)",
                ));
            }
        };
        let text =
            String::from_utf8(bytes).map_err(|_| Failure::usage("the prompt is not UTF-8"))?;
        if text.trim().is_empty() {
            return Err(Failure::usage("the prompt is empty"));
        }
        Ok(text)
    }
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

impl WaitArgs {
    /// The wait `--timeout`, `--interval` and `--terminal-only` describe.
    pub fn options(&self) -> agent_tasks::wait::WaitOptions {
        use agent_tasks::wait::{Until, WaitOptions};
        let mut options = WaitOptions::default();
        options.interval = self.interval;
        options.max_interval = self.interval.saturating_mul(12).min(parse::MAX_INTERVAL);
        options.until = if self.terminal_only {
            Until::Terminal
        } else {
            Until::TerminalOrAttention
        };
        options.timeout = self.timeout;
        options
    }
}
