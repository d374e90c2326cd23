//! Every operation of the spec (`agent_tasks::raw::OPERATIONS`) has an SDK call that sends it:
//! each call below runs against the fake, which counts the requests by operation. An operation
//! the spec gains fails here, naming itself, until the SDK wraps it (a builder under
//! `src/tasks/` and a method in `src/tasks.rs`, for an operation on tasks) and a call is added
//! to `call` below, or it is listed in `LEFT_OUT` with the reason.

use agent_tasks::Client;
use agent_tasks::raw::OPERATIONS;
use agent_tasks::testing::{self, fake::Fake};

/// Operations the SDK deliberately does not wrap, with the reason. None today.
const LEFT_OUT: &[(&str, &str)] = &[];

/// Sends `operation` through the SDK; `false` when no call is known for it.
async fn call(operation: &str, client: &Client, task_id: &str) -> bool {
    let repo = client.repo("octocat", "hello-world");
    // Each call's outcome does not matter here, only that the request left through the SDK.
    match operation {
        "list_tasks_for_repo" => drop(repo.list_tasks().send().await),
        "create_task_in_repo" => drop(repo.create_task("Cover the SDK").send().await),
        "get_task_by_repo_and_id" => drop(repo.task(task_id).send().await),
        "list_tasks" => drop(client.list_tasks().send().await),
        "get_task_by_id" => drop(client.task(task_id).send().await),
        "get_authenticated_user" => drop(client.current_user().await),
        "graphql" => {
            let task = client.task(task_id).send().await.expect("the task");
            drop(client.pull_request(&task).await);
        }
        "get_repository" => drop(client.repository("octocat", "hello-world").await),
        _ => return false,
    }
    true
}

#[tokio::test]
async fn every_operation_of_the_spec_has_an_sdk_call() {
    let (fake, client) = testing::start(Fake::builder()).await.unwrap();
    let mut missing = Vec::new();
    for op in OPERATIONS {
        if let Some((_, why)) = LEFT_OUT.iter().find(|(id, _)| *id == op.id) {
            assert!(!why.trim().is_empty(), "{}: give a reason", op.id);
            continue;
        }
        // A task of its own that has opened its pull request, for the calls that read or
        // change one.
        let task = client
            .repo("octocat", "hello-world")
            .create_task("A task to read")
            .send()
            .await
            .unwrap();
        client.task(&task.id).wait().send().await.unwrap();
        let before = fake.state().requests_of(op.id);
        if !call(op.id, &client, &task.id).await {
            missing.push(format!(
                "{} ({} {}) has no SDK call: wrap it (for a task operation: a builder under crates/agent-tasks/src/tasks/ and a method in src/tasks.rs), then add it to `call` in this test, or list it in LEFT_OUT with a reason",
                op.id, op.method, op.path
            ));
            continue;
        }
        if fake.state().requests_of(op.id) <= before {
            missing.push(format!(
                "{} ({} {}): its SDK call sent no such request to the fake",
                op.id, op.method, op.path
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
