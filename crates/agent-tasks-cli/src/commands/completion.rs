//! `agent-tasks completion SHELL` and the man page: made from the same clap definitions as the
//! command itself.

use clap::CommandFactory;

use super::Args;
use crate::exit;

/// The arguments of `agent-tasks completion`.
#[derive(clap::Args, Debug)]
pub struct Completion {
    /// The shell.
    #[arg(value_enum)]
    shell: clap_complete::Shell,
}

pub fn run(args: &Completion) -> u8 {
    let shell = args.shell;
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
