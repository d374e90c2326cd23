//! One file per command; each takes its arguments, the global options and the output, and
//! returns the exit code (or a failure that maps to one).

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

use crate::args::{Global, RepoOption};
use crate::exit::Failure;
use crate::{auth, git_remote, parse};

/// The repository a command works on: the positional, else `-R`, else the current directory's
/// git remote on the API's host. `None` when none is found and none is required.
pub async fn repository(
    positional: Option<&str>,
    option: &RepoOption,
    global: &Global,
    required: bool,
) -> Result<Option<(String, String)>, Failure> {
    let given = match (positional, option.repo.as_deref()) {
        (Some(p), Some(r)) if !p.eq_ignore_ascii_case(r) => {
            return Err(Failure::usage(format!(
                "two repositories given: `{}` and -R `{}`",
                crate::text::inert(p),
                crate::text::inert(r)
            )));
        }
        (Some(p), _) => Some(p),
        (None, r) => r,
    };
    if let Some(text) = given {
        return parse::repo(text).map(Some).map_err(Failure::usage);
    }
    if !required {
        return Ok(None);
    }
    let builder = auth::builder(global);
    let base = builder.base_url_or_default();
    let host = if auth::is_loopback(base) {
        None
    } else {
        auth::gh_host(base)
    };
    match git_remote::current_repo(host.as_deref()).await {
        Some(repo) => Ok(Some(repo)),
        None => Err(Failure::usage(format!(
            "no repository: give OWNER/REPO or -R OWNER/REPO (no git remote of this directory is on {})",
            host.as_deref().unwrap_or("the API's host")
        ))),
    }
}

/// The wait a command's `--timeout`, `--interval` and `--terminal-only` describe.
pub fn wait_options(args: &crate::args::WaitArgs) -> agent_tasks::wait::WaitOptions {
    use agent_tasks::wait::{Until, WaitOptions};
    let mut options = WaitOptions::default();
    options.interval = args.interval;
    options.max_interval = args.interval.saturating_mul(12).min(parse::MAX_INTERVAL);
    options.until = if args.terminal_only {
        Until::Terminal
    } else {
        Until::TerminalOrAttention
    };
    options.timeout = args.timeout;
    options
}
