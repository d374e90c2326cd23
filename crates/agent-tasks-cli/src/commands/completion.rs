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
    crate::output::line(&script(args.shell));
    exit::OK
}

/// The completion script for `shell`.
fn script(shell: clap_complete::Shell) -> String {
    let mut command = without_hidden(&Args::command());
    let mut script = Vec::new();
    clap_complete::generate(shell, &mut command, "agent-tasks", &mut script);
    let script = String::from_utf8_lossy(&script).trim_end().to_owned();
    match shell {
        // clap_complete names the states of its bash function inconsistently for a binary with
        // a hyphen in its name (`agent__tasks__subcmd__list` where it sets the state,
        // `agent__subcmd__tasks__subcmd__list` where it reads it: clap-rs/clap#6421), so no
        // subcommand's options completed. One spelling for both.
        clap_complete::Shell::Bash => script.replace("agent__subcmd__tasks", "agent__tasks"),
        _ => script,
    }
}

/// `command` without its hidden subcommands (`man`), which completion must not offer: clap
/// has no way to take a subcommand out, so a level that has one is made again from its visible
/// ones; every other level is kept whole (aliases and all).
fn without_hidden(command: &clap::Command) -> clap::Command {
    if !command.get_subcommands().any(clap::Command::is_hide_set) {
        return command.clone();
    }
    let mut visible =
        clap::Command::new(command.get_name().to_owned()).args(command.get_arguments().cloned());
    if let Some(about) = command.get_about() {
        visible = visible.about(about.clone());
    }
    if let Some(version) = command.get_version() {
        visible = visible.version(version.to_owned());
    }
    for sub in command.get_subcommands().filter(|s| !s.is_hide_set()) {
        visible = visible.subcommand(without_hidden(sub));
    }
    visible
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
