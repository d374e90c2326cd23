//! `cargo xtask spec-diff`: reads our spec, the upstream description (a file, or a download) and
//! the deviations, and prints the report of `spec_diff`.

use std::path::PathBuf;

use anyhow::{Context, Result};

use crate::spec_diff;
use crate::workspace::{relative, root};

#[derive(clap::Args)]
pub struct SpecDiffArgs {
    /// GitHub's description: a file (the whole api.github.com.json or a fragment) or a URL.
    #[arg(long, default_value = DEFAULT_UPSTREAM)]
    pub upstream: String,
    /// Also report differences of descriptions and summaries.
    #[arg(long)]
    pub descriptions: bool,
    /// The deviations file.
    #[arg(long, default_value = "openapi/deviations.yaml")]
    pub deviations: PathBuf,
}

const DEFAULT_UPSTREAM: &str = "https://raw.githubusercontent.com/github/rest-api-description/main/descriptions/api.github.com/api.github.com.json";

pub fn run(args: &SpecDiffArgs) -> Result<bool> {
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
