//! `agent-tasks`: start, list, view and wait for Copilot cloud agent tasks from a shell.
//!
//! A thin layer over the `agent-tasks` crate. `commands/` has the command line and one file per
//! command (its arguments beside its `run`), `args` the options several share, `auth` finds
//! the token, `follow` is the one live-status loop,
//! `output` prints (text made inert by `text`, JSON filtered by `jq`), `exit` maps outcomes to
//! exit codes.

mod args;
mod auth;
mod browser;
mod commands;
mod exit;
mod follow;
mod git_remote;
mod jq;
mod output;
mod parse;
mod pulls;
mod repository;
mod text;

use std::process::ExitCode;

use clap::Parser;

use commands::Args;

#[tokio::main]
async fn main() -> ExitCode {
    let args = match Args::try_parse_from(commands::normalize(std::env::args_os())) {
        Ok(args) => args,
        Err(e) => {
            let code = if e.use_stderr() {
                exit::USAGE
            } else {
                exit::OK
            };
            let _ = e.print();
            return ExitCode::from(code);
        }
    };
    ExitCode::from(run(args).await)
}

/// Runs a command and returns its exit code; a failure gets one line on stderr.
async fn run(args: Args) -> u8 {
    let out = match output::Out::new(args.global.json.as_deref(), args.global.jq.as_deref()) {
        Ok(out) if args.command.prints_json_lines() => out.compact(),
        Ok(out) => out,
        Err(f) => {
            eprintln!("agent-tasks: {}", f.message);
            return f.code;
        }
    };
    // `--json` fields that the command does not print are refused before anything is sent
    // (the fields are worked out only when `--json` is given: they come from the schemas).
    let checked = match out.is_json().then(|| args.command.json_fields()).flatten() {
        Some(fields) => out.check_fields(&fields),
        None => Ok(()),
    };
    let result = match checked {
        Ok(()) => commands::run(&args.command, &args.global, &out).await,
        Err(f) => Err(f),
    };
    match result {
        Ok(code) => code,
        Err(f) => {
            out.error(&f.message);
            f.code
        }
    }
}
