//! `agent-tasks completion SHELL`: a completion script made from the same clap definitions as
//! the command itself.

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
