//! Maintainer tasks: `cargo xtask codegen [--check]`, `cargo xtask spec-diff`, `cargo xtask check`.
//!
//! The generated client is compiled from `build.rs`; this tool writes the same output, through
//! the same function (`crates/agent-tasks-raw/codegen.rs`), to a committed snapshot under
//! `crates/agent-tasks-raw/generated/`, so that a change of the spec shows up in review as a
//! change of code, and so that the packaged crate builds without the spec.

#[path = "../../crates/agent-tasks-raw/codegen.rs"]
mod codegen;
mod spec_diff;

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
    /// Compare openapi/agents.yaml with GitHub's published description, operation by operation.
    ///
    /// Exit 0 when every difference is listed in openapi/deviations.yaml and no listed
    /// deviation is stale, 1 otherwise.
    SpecDiff(SpecDiffArgs),
    /// Run the benchmarks (in release mode; `--quick` for a small debug smoke run).
    Bench {
        /// Small sizes, no build measurements, debug build: a smoke run that asserts nothing
        /// about time.
        #[arg(long)]
        quick: bool,
        /// Leave out the build measurements.
        #[arg(long)]
        skip_build: bool,
        /// Only the build measurements.
        #[arg(long)]
        only_build: bool,
    },
    /// Everything a pull request needs: spec validation, `codegen --check`, and `spec-diff`
    /// when an upstream is given.
    Check {
        /// The upstream description to diff against (a file or an https URL).
        #[arg(long)]
        upstream: Option<String>,
    },
}

#[derive(clap::Args)]
struct SpecDiffArgs {
    /// GitHub's description: a file (the whole api.github.com.json or a fragment) or a URL.
    #[arg(long, default_value = DEFAULT_UPSTREAM)]
    upstream: String,
    /// Also report differences of descriptions and summaries.
    #[arg(long)]
    descriptions: bool,
    /// The deviations file.
    #[arg(long, default_value = "openapi/deviations.yaml")]
    deviations: PathBuf,
}

const DEFAULT_UPSTREAM: &str = "https://raw.githubusercontent.com/github/rest-api-description/main/descriptions/api.github.com/api.github.com.json";

fn main() -> ExitCode {
    let cli = Cli::parse();
    let result = match cli.command {
        Command::Codegen { check } => codegen_cmd(check),
        Command::SpecDiff(args) => spec_diff_cmd(&args),
        Command::Bench {
            quick,
            skip_build,
            only_build,
        } => bench_cmd(quick, skip_build, only_build),
        Command::Check { upstream } => check_cmd(upstream),
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

/// The workspace root; `XTASK_ROOT` points the tool at another tree (its own tests use that).
fn root() -> PathBuf {
    if let Some(dir) = std::env::var_os("XTASK_ROOT") {
        return PathBuf::from(dir);
    }
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

fn check_cmd(upstream: Option<String>) -> Result<bool> {
    let spec_path = root().join("openapi/agents.yaml");
    let spec = std::fs::read_to_string(&spec_path)?;
    // The same parse progenitor does: a spec it cannot read fails here with the parser's words.
    let _: openapiv3::OpenAPI =
        serde_yaml::from_str(&spec).context("parsing openapi/agents.yaml")?;
    println!("ok    openapi/agents.yaml parses as OpenAPI 3.0 (openapiv3, as progenitor reads it)");
    let mut ok = validate_with_python(&spec_path)?;
    ok &= codegen_cmd(true)?;
    if let Some(upstream) = upstream {
        ok &= spec_diff_cmd(&SpecDiffArgs {
            upstream,
            descriptions: false,
            deviations: PathBuf::from("openapi/deviations.yaml"),
        })?;
    }
    Ok(ok)
}

/// Runs `openapi-spec-validator` (PyPI) when it is installed: `.ci/run` puts it in
/// `target/ci-venv`; elsewhere it is looked up on PATH.
fn validate_with_python(spec: &Path) -> Result<bool> {
    let venv = root().join("target/ci-venv/bin/openapi-spec-validator");
    let program = if venv.exists() {
        venv
    } else {
        PathBuf::from("openapi-spec-validator")
    };
    match std::process::Command::new(&program).arg(spec).output() {
        Ok(out) if out.status.success() => {
            println!("ok    openapi-spec-validator");
            Ok(true)
        }
        Ok(out) => {
            println!(
                "FAIL  openapi-spec-validator\n{}{}",
                String::from_utf8_lossy(&out.stdout),
                String::from_utf8_lossy(&out.stderr)
            );
            Ok(false)
        }
        // CI must validate: there, a missing validator fails instead of being skipped.
        Err(_) if std::env::var_os("CI").is_some() => {
            println!(
                "FAIL  openapi-spec-validator is not installed (CI is set, so it is required)"
            );
            Ok(false)
        }
        Err(_) => {
            println!(
                "skip  openapi-spec-validator is not installed (pip install openapi-spec-validator)"
            );
            Ok(true)
        }
    }
}

fn spec_diff_cmd(args: &SpecDiffArgs) -> Result<bool> {
    let ours_path = root().join("openapi/agents.yaml");
    let ours = spec_diff::parse_document(&std::fs::read_to_string(&ours_path)?)?;
    let upstream_text = load_upstream(&args.upstream)?;
    let upstream = spec_diff::parse_document(&upstream_text)
        .with_context(|| format!("parsing {}", args.upstream))?;
    let deviations_path = if args.deviations.is_absolute() {
        args.deviations.clone()
    } else {
        root().join(&args.deviations)
    };
    let deviations = match std::fs::read_to_string(&deviations_path) {
        Ok(text) => spec_diff::parse_deviations(&text)?,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Vec::new(),
        Err(e) => return Err(e).with_context(|| format!("reading {}", deviations_path.display())),
    };
    let options = spec_diff::Options {
        descriptions: args.descriptions,
    };
    let differences = spec_diff::compare(&ours, &upstream, &options)?;
    let report = spec_diff::report(differences, &deviations);
    print!("{}", report.text);
    if !report.passes() {
        println!(
            "Fix the spec (then `cargo xtask codegen`), or list each deliberate difference with its reason in {}.",
            relative(&deviations_path)
        );
    }
    Ok(report.passes())
}

/// Reads a file, or downloads an http(s) URL with a progress line on stderr.
fn load_upstream(location: &str) -> Result<String> {
    if !(location.starts_with("https://") || location.starts_with("http://")) {
        return std::fs::read_to_string(location).with_context(|| format!("reading {location}"));
    }
    use std::io::Read;
    let offline = || {
        format!(
            "cannot download {location}: are you offline? Pass a local copy with --upstream FILE"
        )
    };
    let mut response = reqwest::blocking::Client::builder()
        .user_agent(concat!("agent-tasks-xtask/", env!("CARGO_PKG_VERSION")))
        .timeout(std::time::Duration::from_secs(300))
        .build()?
        .get(location)
        .send()
        .with_context(offline)?
        .error_for_status()
        .with_context(offline)?;
    let total = response.content_length();
    let mut body = Vec::with_capacity(total.unwrap_or(0) as usize);
    let mut chunk = [0u8; 64 * 1024];
    let mut shown = 0;
    loop {
        let n = response.read(&mut chunk).with_context(offline)?;
        if n == 0 {
            break;
        }
        body.extend_from_slice(&chunk[..n]);
        if body.len() - shown >= 512 * 1024 {
            shown = body.len();
            match total {
                Some(t) => eprint!(
                    "\rdownloading {:.1} of {:.1} MB ({}%)",
                    mb(shown),
                    mb(t as usize),
                    shown * 100 / (t as usize).max(1)
                ),
                None => eprint!("\rdownloading {:.1} MB", mb(shown)),
            }
        }
    }
    eprintln!("\rdownloaded {:.1} MB from {location}", mb(body.len()));
    String::from_utf8(body).context("the upstream description is not UTF-8")
}

fn mb(bytes: usize) -> f64 {
    bytes as f64 / 1_000_000.0
}

/// Runs the benchmark crate: the xtask itself does not depend on the generated client, so that
/// it can regenerate it even when the spec does not build.
fn bench_cmd(quick: bool, skip_build: bool, only_build: bool) -> Result<bool> {
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

fn relative(path: &Path) -> String {
    path.strip_prefix(root())
        .unwrap_or(path)
        .display()
        .to_string()
}
