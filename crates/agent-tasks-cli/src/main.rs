//! `agent-tasks`: start, list, view and wait for Copilot cloud agent tasks from a shell.
//!
//! A thin layer over the `agent-tasks` crate. `args` defines the command line, `commands/` has
//! one file per command, `auth` finds the token, `follow` is the one live-status loop,
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
mod text;

use std::process::ExitCode;

use clap::Parser;

use args::{Args, Command};

#[tokio::main]
async fn main() -> ExitCode {
    let args = match Args::try_parse_from(args::normalize(std::env::args_os())) {
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
        Ok(out) if matches!(args.command, Command::Demo | Command::Watch(_)) => out.compact(),
        Ok(out) => out,
        Err(f) => {
            eprintln!("agent-tasks: {}", f.message);
            return f.code;
        }
    };
    let global = &args.global;
    let result = match &args.command {
        Command::Create(a) => commands::create::run(a, global, &out).await,
        Command::List(a) => commands::list::run(a, global, &out).await,
        Command::View(a) => commands::view::run(a, global, &out).await,
        Command::Wait(a) => commands::wait::run(a, global, &out).await,
        Command::Watch(a) => commands::watch::run(a, global, &out).await,
        Command::FanOut(a) => commands::fan_out::run(a, global, &out).await,
        Command::Doctor(a) => commands::doctor::run(a, global, &out).await,
        Command::Demo => commands::demo::run(global, &out).await,
        Command::Fake(a) => commands::fake::run(a, global).await,
        Command::Completion { shell } => Ok(commands::completion::run(*shell)),
        Command::Man => commands::completion::man(),
    };
    match result {
        Ok(code) => code,
        Err(f) => {
            out.error(&f.message);
            f.code
        }
    }
}
