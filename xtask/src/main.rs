//! Maintainer tasks: `cargo xtask codegen [--check]`, `cargo xtask spec-diff`, `cargo xtask check`.
//!
//! The generated client is compiled from `build.rs`; this tool writes the same output, through
//! the same function (`crates/agent-tasks-raw/codegen.rs`), to a committed snapshot under
//! `crates/agent-tasks-raw/generated/`, so that a change of the spec shows up in review as a
//! change of code, and so that the packaged crate builds without the spec.
//!
//! This file parses the command line; each command lives in its own module: `snapshot`
//! (codegen), `diff_upstream` (spec-diff, over the `spec_diff` library), `bench` and `check`.

mod bench;
mod check;
mod diff_upstream;
mod man;
mod snapshot;
mod spec_diff;
mod workspace;

use std::process::ExitCode;

use clap::{Parser, Subcommand};

use diff_upstream::SpecDiffArgs;

#[derive(Parser)]
#[command(
    name = "cargo xtask",
    about = "Maintainer tasks of the agent-tasks workspace"
)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Regenerate the committed snapshot of the raw client from openapi/agents.yaml.
    Codegen {
        /// Do not write; exit 1 with a unified diff if the snapshot is stale.
        #[arg(long)]
        check: bool,
    },
    /// Compare openapi/agents.yaml with GitHub's published description, operation by operation.
    ///
    /// Exit 0 when every difference is listed in openapi/deviations.yaml and no listed
    /// deviation is stale, 1 otherwise.
    SpecDiff(SpecDiffArgs),
    /// Run the benchmarks (in release mode; `--quick` for a small debug smoke run).
    ///
    /// The full run ends with clean builds: this workspace's, and a five-line downstream app on
    /// agent-tasks against the same app on octocrab (debug and release, with their ratio).
    Bench {
        /// Small sizes, no build measurements, debug build: a smoke run that asserts nothing
        /// about time.
        #[arg(long)]
        quick: bool,
        /// Leave out the build measurements (the workspace's and the downstream apps').
        #[arg(long)]
        skip_build: bool,
        /// Only one part: `per-call`, `listing`, `waiting`, `pull-requests` or `build` (the
        /// workspace's builds and the downstream apps').
        #[arg(long)]
        only: Option<String>,
    },
    /// Write the `agent-tasks` man page to target/man/agent-tasks.1.
    Man,
    /// Everything a pull request needs: spec validation, `codegen --check`, and `spec-diff`
    /// when an upstream is given.
    Check {
        /// The upstream description to diff against (a file or an https URL).
        #[arg(long)]
        upstream: Option<String>,
    },
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    let result = match cli.command {
        Command::Codegen { check } => snapshot::run(check),
        Command::SpecDiff(args) => diff_upstream::run(&args),
        Command::Bench {
            quick,
            skip_build,
            only,
        } => bench::run(quick, skip_build, only.as_deref()),
        Command::Check { upstream } => check::run(upstream),
        Command::Man => man::run(),
    };
    match result {
        Ok(true) => ExitCode::SUCCESS,
        Ok(false) => ExitCode::FAILURE,
        Err(e) => {
            eprintln!("error: {e:#}");
            ExitCode::from(2)
        }
    }
}
