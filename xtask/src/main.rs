//! Maintainer tasks: `cargo xtask codegen [--check]`, `cargo xtask check`.
//!
//! The generated client is compiled from `build.rs`; this tool writes the same output, through
//! the same function (`crates/agent-tasks-raw/codegen.rs`), to a committed snapshot under
//! `crates/agent-tasks-raw/generated/`, so that a change of the spec shows up in review as a
//! change of code, and so that the packaged crate builds without the spec.

#[path = "../../crates/agent-tasks-raw/codegen.rs"]
mod codegen;

use std::path::{Path, PathBuf};
use std::process::ExitCode;

use anyhow::{Context, Result};
use clap::{Parser, Subcommand};

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
    /// Everything a pull request needs: spec validation and `codegen --check`.
    Check,
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    let result = match cli.command {
        Command::Codegen { check } => codegen_cmd(check),
        Command::Check => check_cmd(),
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

fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .expect("xtask lives in the workspace")
        .to_path_buf()
}

fn snapshot_dir() -> PathBuf {
    root().join("crates/agent-tasks-raw/generated")
}

/// Regenerates, and either writes the snapshot or compares it. `Ok(false)`: stale.
fn codegen_cmd(check: bool) -> Result<bool> {
    let spec_path = root().join("openapi/agents.yaml");
    let spec = std::fs::read_to_string(&spec_path)
        .with_context(|| format!("reading {}", spec_path.display()))?;
    let generated = codegen::generate(&spec).map_err(anyhow::Error::msg)?;
    let dir = snapshot_dir();
    let files = [
        (codegen::CLIENT_FILE, generated.client),
        (codegen::MOCKS_FILE, generated.mocks),
    ];
    if !check {
        std::fs::create_dir_all(&dir)?;
        for (name, text) in &files {
            let path = dir.join(name);
            std::fs::write(&path, text).with_context(|| format!("writing {}", path.display()))?;
            println!("wrote {}", relative(&path));
        }
        return Ok(true);
    }
    let mut fresh = true;
    for (name, text) in &files {
        let path = dir.join(name);
        let committed = std::fs::read_to_string(&path).unwrap_or_default();
        if committed == *text {
            println!("ok    {}", relative(&path));
            continue;
        }
        fresh = false;
        println!("STALE {}", relative(&path));
        let old_name = format!("a/{}", relative(&path));
        let new_name = format!("b/{}", relative(&path));
        let diff = similar::TextDiff::from_lines(committed.as_str(), text.as_str());
        print!(
            "{}",
            diff.unified_diff()
                .context_radius(3)
                .header(&old_name, &new_name)
        );
    }
    if !fresh {
        println!(
            "\nThe committed snapshot differs from what openapi/agents.yaml generates.\n\
             Fix: cargo xtask codegen   (then review and commit crates/agent-tasks-raw/generated/)"
        );
    }
    Ok(fresh)
}

fn check_cmd() -> Result<bool> {
    let spec_path = root().join("openapi/agents.yaml");
    let spec = std::fs::read_to_string(&spec_path)?;
    // The same parse progenitor does: a spec it cannot read fails here with the parser's words.
    let _: openapiv3::OpenAPI =
        serde_yaml::from_str(&spec).context("parsing openapi/agents.yaml")?;
    println!("ok    openapi/agents.yaml parses as OpenAPI 3.0");
    codegen_cmd(true)
}

fn relative(path: &Path) -> String {
    path.strip_prefix(root())
        .unwrap_or(path)
        .display()
        .to_string()
}
