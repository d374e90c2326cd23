//! `agent-tasks completion SHELL` completes as a user types: each script is loaded in its
//! shell, where the shell is installed, and asked to complete. A subcommand's options complete
//! (clap_complete's bash script did not, for a binary whose name has a hyphen), and hidden
//! commands are not offered.

use std::process::Command;

fn script(shell: &str) -> String {
    let out = Command::new(env!("CARGO_BIN_EXE_agent-tasks"))
        .args(["completion", shell])
        .output()
        .unwrap();
    assert!(out.status.success(), "{out:?}");
    String::from_utf8(out.stdout).unwrap()
}

fn installed(shell: &str) -> bool {
    Command::new(shell)
        .arg("-c")
        .arg("exit 0")
        .output()
        .is_ok_and(|o| o.status.success())
}

/// A scratch directory holding `shell`'s script as `file`, or `None` (the test skipped) when
/// the shell is not installed. CI installs every one of them (`.ci/run`).
fn prepared(shell: &str, file: &str) -> Option<(std::path::PathBuf, std::path::PathBuf)> {
    if !installed(shell) {
        eprintln!("{shell} is not installed: skipped");
        return None;
    }
    let dir = std::env::temp_dir().join(format!(
        "agent-tasks-completion-{shell}-{}",
        std::process::id()
    ));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    let path = dir.join(file);
    std::fs::write(&path, script(shell)).unwrap();
    Some((dir, path))
}

/// What bash offers for the words typed so far (the last one being completed).
fn bash_completes(script: &std::path::Path, words: &[&str]) -> Vec<String> {
    let words: Vec<String> = words.iter().map(|w| format!("'{w}'")).collect();
    let program = format!(
        "source '{}'\n\
         COMP_WORDS=({}); COMP_CWORD=$(( ${{#COMP_WORDS[@]}} - 1 ))\n\
         _agent__tasks agent-tasks \"${{COMP_WORDS[COMP_CWORD]}}\" \"${{COMP_WORDS[COMP_CWORD-1]}}\"\n\
         printf '%s\\n' \"${{COMPREPLY[@]}}\"",
        script.display(),
        words.join(" ")
    );
    let out = Command::new("bash")
        .arg("-c")
        .arg(program)
        .output()
        .unwrap();
    assert!(out.status.success(), "{out:?}");
    String::from_utf8_lossy(&out.stdout)
        .lines()
        .map(str::to_owned)
        .collect()
}

#[test]
fn bash_completes_a_subcommands_options_and_values_and_hides_hidden_commands() {
    let Some((dir, path)) = prepared("bash", "agent-tasks.bash") else {
        return;
    };
    assert_eq!(
        bash_completes(&path, &["agent-tasks", "list", "--st"]),
        ["--state"]
    );
    let states = bash_completes(&path, &["agent-tasks", "list", "--state", "wa"]);
    assert!(
        states.contains(&"waiting_for_user".to_owned()),
        "{states:?}"
    );
    let commands = bash_completes(&path, &["agent-tasks", ""]);
    assert!(commands.contains(&"fan-out".to_owned()), "{commands:?}");
    assert!(!commands.contains(&"man".to_owned()), "{commands:?}");
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn fish_completes_a_subcommands_options_and_hides_hidden_commands() {
    let Some((dir, path)) = prepared("fish", "agent-tasks.fish") else {
        return;
    };
    let complete = |line: &str| {
        let out = Command::new("fish")
            .arg("-c")
            .arg(format!("source '{}'; complete -C '{line}'", path.display()))
            .output()
            .unwrap();
        String::from_utf8_lossy(&out.stdout).into_owned()
    };
    assert!(complete("agent-tasks list --st").starts_with("--state"));
    let commands = complete("agent-tasks ");
    assert!(commands.contains("fan-out"), "{commands}");
    assert!(
        !commands.lines().any(|l| l.starts_with("man\t")),
        "{commands}"
    );
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn zsh_completes_a_subcommands_options_and_hides_hidden_commands() {
    let Some((dir, path)) = prepared("zsh", "_agent-tasks") else {
        return;
    };
    let script = std::fs::read_to_string(path).unwrap();
    assert!(!script.contains("'man:"), "a hidden command is offered");
    // An interactive zsh on a pseudo-terminal (zpty), with compinit, typing a line and a tab.
    let driver = r#"
zmodload zsh/zpty
zpty -b z "zsh -f -i"
zpty -w z "PS1='%% '; fpath=($1 \$fpath); autoload -Uz compinit; compinit -u; bindkey '^I' complete-word"
zpty -w -n z "$2"$'\t'
local all='' chunk
for i in {1..50}; do
  sleep 0.1
  while zpty -r -t z chunk; do all+=$chunk; done
  [[ $all == *--state* ]] && break
done
print -r -- "$all"
zpty -d z
"#;
    std::fs::write(dir.join("drive.zsh"), driver).unwrap();
    let out = Command::new("zsh")
        .arg("-f")
        .arg(dir.join("drive.zsh"))
        .arg(&dir)
        .arg("agent-tasks list --st")
        .output()
        .unwrap();
    let screen = String::from_utf8_lossy(&out.stdout);
    assert!(screen.contains("agent-tasks list --state"), "{screen}");
    let _ = std::fs::remove_dir_all(&dir);
}
