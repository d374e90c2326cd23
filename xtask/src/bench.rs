//! `cargo xtask bench`: runs the benchmark crate.

use anyhow::{Context, Result};

use crate::workspace::root;

/// Runs the benchmark crate: the xtask itself does not depend on the generated client, so that
/// it can regenerate it even when the spec does not build.
pub fn run(quick: bool, skip_build: bool, only_build: bool) -> Result<bool> {
    let mut command =
        std::process::Command::new(std::env::var("CARGO").unwrap_or_else(|_| "cargo".into()));
    command
        .args(["run", "--quiet", "-p", "agent-tasks-bench"])
        .current_dir(root());
    if !quick {
        command.arg("--release");
    }
    command.arg("--");
    if quick {
        command.arg("--quick");
    }
    if skip_build {
        command.arg("--skip-build");
    }
    if only_build {
        command.arg("--only-build");
    }
    Ok(command.status().context("running cargo")?.success())
}
