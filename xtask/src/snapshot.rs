//! `cargo xtask codegen [--check]`: writes the committed snapshot of the raw client under
//! `crates/agent-tasks-raw/generated/`, or checks that it is what the spec generates.

// The generator that `build.rs` of agent-tasks-raw runs too: the same function writes both.
#[path = "../../crates/agent-tasks-raw/codegen.rs"]
mod codegen;

use std::path::PathBuf;

use anyhow::{Context, Result};

use crate::workspace::{relative, root};

fn snapshot_dir() -> PathBuf {
    root().join("crates/agent-tasks-raw/generated")
}

/// Regenerates, and either writes the snapshot or compares it. `Ok(false)`: stale.
pub fn run(check: bool) -> Result<bool> {
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
