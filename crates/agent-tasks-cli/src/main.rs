//! `agent-tasks`: start, list, view and wait for Copilot cloud agent tasks from a shell.
//!
//! A thin layer over the `agent-tasks` crate: argument parsing, token discovery, output for
//! people (tables, colours, a live status line) and for scripts (`--json`), and exit codes.

mod cli;
mod output;

use std::process::ExitCode;

use clap::Parser;

#[tokio::main]
async fn main() -> ExitCode {
    let args = match cli::Args::try_parse() {
        Ok(args) => args,
        Err(e) => {
            let code = if e.use_stderr() { cli::EXIT_USAGE } else { 0 };
            let _ = e.print();
            return ExitCode::from(code);
        }
    };
    ExitCode::from(cli::run(args).await)
}
