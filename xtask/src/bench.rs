//! `cargo xtask bench`: describes the machine, then runs the benchmark crate.
//!
//! The benchmark crate measures per call, listing, waiting, this workspace's builds, and a
//! downstream app's clean build on `agent-tasks` against the same app on octocrab (see
//! `benches/src/downstream.rs`); `--quick` (CI's smoke run) and `--skip-build` leave the builds
//! out. The machine's description is printed first so that a run's output can go into
//! BENCHMARKS.md as it is.

use anyhow::{Context, Result};

use crate::workspace::root;

/// Runs the benchmark crate: the xtask itself does not depend on the generated client, so that
/// it can regenerate it even when the spec does not build.
pub fn run(quick: bool, skip_build: bool, only: Option<&str>) -> Result<bool> {
    println!("{}", machine());
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
    if let Some(part) = only {
        command.args(["--only", part]);
    }
    Ok(command.status().context("running cargo")?.success())
}

/// One line on the machine: cores, memory, CPU model, rustc version, load.
fn machine() -> String {
    let cores = std::thread::available_parallelism().map_or(0, |n| n.get());
    let cpuinfo = std::fs::read_to_string("/proc/cpuinfo").unwrap_or_default();
    let model = cpuinfo
        .lines()
        .find_map(|l| l.strip_prefix("model name"))
        .and_then(|l| l.split_once(':'))
        .map_or("unknown CPU", |(_, m)| m.trim())
        .to_owned();
    let meminfo = std::fs::read_to_string("/proc/meminfo").unwrap_or_default();
    let memory = meminfo
        .lines()
        .find_map(|l| l.strip_prefix("MemTotal:"))
        .and_then(|l| l.trim().trim_end_matches("kB").trim().parse::<f64>().ok())
        .map_or_else(
            || "unknown memory".to_owned(),
            |kib| format!("{:.1} GiB", kib / 1024.0 / 1024.0),
        );
    let rustc =
        std::process::Command::new(std::env::var("RUSTC").unwrap_or_else(|_| "rustc".into()))
            .arg("-V")
            .output()
            .ok()
            .map(|o| String::from_utf8_lossy(&o.stdout).trim().to_owned())
            .unwrap_or_else(|| "rustc: unknown".to_owned());
    let load = std::fs::read_to_string("/proc/loadavg")
        .ok()
        .and_then(|l| l.split_whitespace().next().map(str::to_owned))
        .unwrap_or_else(|| "?".to_owned());
    format!("machine: {cores} cores, {memory}, {model}, {rustc}, load average {load}")
}
