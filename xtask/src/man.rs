//! `cargo xtask man`: writes the `agent-tasks` man page to `target/man/agent-tasks.1`, made by
//! the command itself from its clap definitions (so the page cannot drift from `--help`).

use anyhow::{Context, Result, bail};

use crate::workspace::root;

pub fn run() -> Result<bool> {
    let output =
        std::process::Command::new(std::env::var("CARGO").unwrap_or_else(|_| "cargo".into()))
            .args(["run", "--quiet", "-p", "agent-tasks-cli", "--", "man"])
            .current_dir(root())
            .output()
            .context("running cargo")?;
    if !output.status.success() {
        bail!(
            "agent-tasks man failed: {}",
            String::from_utf8_lossy(&output.stderr)
        );
    }
    let dir = root().join("target/man");
    std::fs::create_dir_all(&dir).with_context(|| format!("creating {}", dir.display()))?;
    let path = dir.join("agent-tasks.1");
    std::fs::write(&path, &output.stdout).with_context(|| format!("writing {}", path.display()))?;
    println!(
        "wrote {} ({} bytes; view it with `man {}`)",
        crate::workspace::relative(&path),
        output.stdout.len(),
        path.display()
    );
    Ok(true)
}
