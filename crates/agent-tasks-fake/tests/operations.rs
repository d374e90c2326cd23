//! The fake serves every operation of the spec (`agent_tasks_raw::OPERATIONS`): each one,
//! sent as its method and path, is routed to a handler of that name. An operation the spec
//! gains fails here, naming itself, until the fake routes it.

use agent_tasks_fake::{DEFAULT_TOKEN, Fake};
use agent_tasks_raw::OPERATIONS;

/// Operations the fake deliberately does not serve, with the reason. None today.
const LEFT_OUT: &[(&str, &str)] = &[];

/// The path with each `{parameter}` filled with a value the fake knows.
fn sample_path(template: &str) -> String {
    template
        .replace("{owner}", "octocat")
        .replace("{repo}", "hello-world")
        .replace("{task_id}", "00000001-fa6e-4a5c-8000-000000000001")
}

#[tokio::test]
async fn every_operation_of_the_spec_has_a_route() {
    let fake = Fake::builder().start().await.unwrap();
    let http = reqwest::Client::new();
    let mut missing = Vec::new();
    for op in OPERATIONS {
        if let Some((_, why)) = LEFT_OUT.iter().find(|(id, _)| *id == op.id) {
            assert!(!why.trim().is_empty(), "{}: give a reason", op.id);
            continue;
        }
        let path = sample_path(op.path);
        assert!(
            !path.contains('{'),
            "{}: the test has no sample value for a parameter of {}",
            op.id,
            op.path
        );
        let method = reqwest::Method::from_bytes(op.method.as_bytes()).unwrap();
        let before = fake.state().requests_of(op.id);
        let answer = http
            .request(method, format!("{}{path}", fake.url()))
            .header("user-agent", "operations-test")
            .header("authorization", format!("Bearer {DEFAULT_TOKEN}"))
            .header("x-github-api-version", "2022-11-28")
            .json(&serde_json::json!({}))
            .send()
            .await
            .unwrap();
        if fake.state().requests_of(op.id) != before + 1 {
            missing.push(format!(
                "{} ({} {}): answered {} but not routed to it; add a Route variant and an arm in crates/agent-tasks-fake/src/api.rs, and a handler in src/api/ (or to LEFT_OUT here, with a reason)",
                op.id,
                op.method,
                op.path,
                answer.status()
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
