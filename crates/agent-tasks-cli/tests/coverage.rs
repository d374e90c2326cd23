//! Every operation of the spec (`agent_tasks::raw::OPERATIONS`) is reachable from a command:
//! each command line below runs against the fake, which counts the requests by operation. An
//! operation the spec gains fails here, naming itself, until a command sends it (a file under
//! `src/commands/` and its line in `src/commands/mod.rs`) and its command line is added to
//! `command_line` below, or it is listed in `LEFT_OUT` with the reason.

mod common;

use agent_tasks::raw::OPERATIONS;
use common::{fake, json, run};

/// Operations no command sends, on purpose, with the reason. None today.
const LEFT_OUT: &[(&str, &str)] = &[];

/// The command line that sends `operation` (`TASK` stands for a task's id); `None` when no
/// command is known to.
fn command_line(operation: &str) -> Option<&'static [&'static str]> {
    Some(match operation {
        "list_tasks_for_repo" => &["list", "octocat/hello-world"],
        "create_task_in_repo" => &["create", "octocat/hello-world", "Cover the CLI"],
        "get_task_by_repo_and_id" => &["view", "octocat/hello-world", "TASK"],
        "list_tasks" => &["list"],
        "get_task_by_id" => &["view", "TASK"],
        "get_authenticated_user" => &["list", "octocat/hello-world", "--creator", "@me"],
        // `view` resolves the pull request of a task that has one.
        "graphql" => &["view", "TASK"],
        "get_repository" => &["doctor", "octocat/hello-world"],
        _ => return None,
    })
}

/// A task that has opened its pull request, for the commands that read or change one.
async fn finished_task(fake: &agent_tasks_fake::Fake) -> String {
    let created = run(
        fake,
        &[
            "create",
            "octocat/hello-world",
            "Read me",
            "--wait",
            "--interval",
            "50ms",
            "--json",
        ],
    )
    .await;
    assert_eq!(created.code, 0, "{}", created.stderr);
    json(&created)["id"].as_str().unwrap().to_owned()
}

#[tokio::test]
async fn every_operation_of_the_spec_is_reachable_from_a_command() {
    let fake = fake().await;
    let mut missing = Vec::new();
    for op in OPERATIONS {
        if let Some((_, why)) = LEFT_OUT.iter().find(|(id, _)| *id == op.id) {
            assert!(!why.trim().is_empty(), "{}: give a reason", op.id);
            continue;
        }
        let Some(line) = command_line(op.id) else {
            missing.push(format!(
                "{} ({} {}) has no command: add one (a file under crates/agent-tasks-cli/src/commands/ and its line in commands/mod.rs), then its command line to `command_line` in this test, or list it in LEFT_OUT with a reason",
                op.id, op.method, op.path
            ));
            continue;
        };
        // A task of its own, so that no command changes what another reads.
        let task = finished_task(&fake).await;
        let args: Vec<&str> = line
            .iter()
            .map(|a| if *a == "TASK" { task.as_str() } else { a })
            .collect();
        let before = fake.state().requests_of(op.id);
        let r = run(&fake, &args).await;
        if fake.state().requests_of(op.id) <= before {
            missing.push(format!(
                "{} ({} {}): `agent-tasks {}` sent no such request (exit {}: {})",
                op.id,
                op.method,
                op.path,
                args.join(" "),
                r.code,
                r.stderr.trim()
            ));
        }
    }
    for (id, _) in LEFT_OUT {
        assert!(
            OPERATIONS.iter().any(|op| op.id == *id),
            "LEFT_OUT names {id}, which the spec does not have"
        );
    }
    assert!(missing.is_empty(), "{}", missing.join("\n"));
}
