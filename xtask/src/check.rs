//! `cargo xtask check`: everything a pull request needs, in one command.

use std::path::{Path, PathBuf};

use anyhow::{Context, Result};

use crate::diff_upstream::SpecDiffArgs;
use crate::workspace::root;
use crate::{diff_upstream, snapshot};

/// Spec validation, `codegen --check`, and `spec-diff` when an upstream is given.
pub fn run(upstream: Option<String>) -> Result<bool> {
    let spec_path = root().join("openapi/agents.yaml");
    let spec = std::fs::read_to_string(&spec_path)?;
    // The same parse progenitor does: a spec it cannot read fails here with the parser's words.
    let _: openapiv3::OpenAPI =
        serde_yaml::from_str(&spec).context("parsing openapi/agents.yaml")?;
    println!("ok    openapi/agents.yaml parses as OpenAPI 3.0 (openapiv3, as progenitor reads it)");
    let mut ok = validate_with_python(&spec_path)?;
    ok &= snapshot::run(true)?;
    if let Some(upstream) = upstream {
        ok &= diff_upstream::run(&SpecDiffArgs {
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
