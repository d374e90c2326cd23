//! `agent-tasks completion SHELL` and the man page: made from the same clap definitions as the
//! command itself.

use clap::CommandFactory;

use crate::args::Args;
use crate::exit;

pub fn run(shell: clap_complete::Shell) -> u8 {
    let mut command = Args::command();
    let mut script = Vec::new();
    clap_complete::generate(shell, &mut command, "agent-tasks", &mut script);
    crate::output::line(String::from_utf8_lossy(&script).trim_end());
    exit::OK
}

/// The man page, in roff (`cargo xtask man` writes it to `target/man/agent-tasks.1`).
pub fn man() -> Result<u8, crate::exit::Failure> {
    let mut page = Vec::new();
    clap_mangen::Man::new(Args::command())
        .render(&mut page)
        .map_err(|e| crate::exit::Failure::error(format!("cannot render the man page: {e}")))?;
    crate::output::line(String::from_utf8_lossy(&page).trim_end());
    Ok(exit::OK)
}
