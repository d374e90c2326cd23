//! Decoding: GitHub's published examples, every field, and what the preview API may send next
//! (unknown states, artifact kinds and fields, `null` and missing optionals).

mod common;

use agent_tasks::types::{CreatorType, UsageType};
use agent_tasks::{Artifact, StateClass, Task, TaskState, TaskWithSessions};
use common::*;
use httpmock::prelude::*;

async fn serve_task(body: serde_json::Value) -> TaskWithSessions {
    let server = server().await;
    server
        .mock_async(|when, then| {
            when.method(GET).path("/agents/tasks/t");
            then.status(200).json_body(body);
        })
        .await;
    client(&server).task("t").send().await.expect("decodes")
}

#[tokio::test]
async fn every_example_of_the_spec_decodes_through_its_operation() {
    let names = spec_example_names();
    assert!(names.len() >= 5, "examples: {names:?}");
    for name in names {
        let body = spec_example(&name);
        let server = server().await;
        if name.starts_with("task-list") {
            server
                .mock_async(|when, then| {
                    when.method(GET).path("/agents/tasks");
                    then.status(200).json_body(body.clone());
                })
                .await;
            let page = client(&server).list_tasks().send().await.expect(&name);
            assert_eq!(
                page.items.len(),
                body["tasks"].as_array().unwrap().len(),
                "{name}"
            );
        } else if name.starts_with("task-created") {
            server
                .mock_async(|when, then| {
                    when.method(POST).path("/agents/repos/o/r/tasks");
                    then.status(201).json_body(body.clone());
                })
                .await;
            let task = client(&server)
                .repo("o", "r")
                .create_task("p")
                .send()
                .await
                .expect(&name);
            assert_eq!(task.state, TaskState::Queued, "{name}");
            if name.ends_with("custom-agent") {
                assert_eq!(task.custom_agent_id(), Some("my-custom-agent"));
            }
        } else {
            server
                .mock_async(|when, then| {
                    when.method(GET).path("/agents/tasks/t");
                    then.status(200).json_body(body.clone());
                })
                .await;
            let task = client(&server).task("t").send().await.expect(&name);
            assert_eq!(
                task.sessions.len(),
                body["sessions"].as_array().unwrap().len(),
                "{name}"
            );
        }
    }
}

#[tokio::test]
async fn every_field_is_kept() {
    let task = serve_task(fixture("task_full.json")).await;
    assert_eq!(task.id, "b2c3d4e5-f6a7-8901-bcde-f12345678901");
    assert_eq!(task.name.as_deref(), Some("Speed up the parser"));
    assert_eq!(task.state, TaskState::Failed);
    assert!(task.state.is_terminal() && !task.state.is_success());
    assert_eq!(task.creator_id(), Some(1));
    assert_eq!(task.creator_type, Some(CreatorType::User));
    assert_eq!(task.user_collaborators.len(), 1);
    assert_eq!(task.repository_id(), Some(1296269));
    assert_eq!(task.session_count, Some(2));
    assert_eq!(
        task.artifacts,
        vec![
            Artifact::Branch {
                head_ref: "copilot/speed-up".into(),
                base_ref: "main".into()
            },
            Artifact::PullRequest {
                id: 42,
                global_id: Some("PR_kwDOABCD".into())
            },
        ]
    );
    let pr = task.pull_request().expect("a pull request");
    assert_eq!((pr.id, pr.node_id), (42, Some("PR_kwDOABCD")));
    assert!(task.archived_at.is_some());
    assert_eq!(task.custom_agent_id(), Some("performance-optimizer"));
    assert_eq!(task.sessions.len(), 2);
    let first = &task.sessions[0];
    assert_eq!(first.model.as_deref(), Some("gpt-5.4"));
    assert_eq!(first.head_ref.as_deref(), Some("copilot/speed-up"));
    assert!(first.completed_at.is_some());
    let usage = first.usage.as_ref().unwrap();
    assert_eq!(
        (usage.kind.clone(), usage.units()),
        (UsageType::PremiumRequests, 1.5)
    );
    let second = &task.sessions[1];
    assert_eq!(
        second.error.as_ref().unwrap().message.as_deref(),
        Some("agent task failed")
    );
    assert_eq!(second.usage.as_ref().unwrap().units(), 2.5);
    assert_eq!(task.ai_credits(), 2.5);
    assert_eq!(task.latest_session().unwrap().id, "s2");
}

#[tokio::test]
async fn unknown_values_nulls_and_new_fields_decode() {
    let task = serve_task(fixture("task_unusual.json")).await;
    assert_eq!(task.state, TaskState::Unknown("paused_for_review".into()));
    assert!(!task.state.is_terminal() && !task.state.needs_attention());
    assert_eq!(
        task.creator_type,
        Some(CreatorType::Unknown("enterprise".into()))
    );
    assert_eq!(task.name, None);
    assert_eq!(task.session_count, None);
    assert!(task.user_collaborators.is_empty());
    assert_eq!(task.repository_id(), None);
    assert_eq!(task.artifacts.len(), 4);
    match &task.artifacts[0] {
        Artifact::Unknown {
            provider,
            kind,
            data,
        } => {
            assert_eq!((provider.as_str(), kind.as_str()), ("github", "issue"));
            assert_eq!(data["id"], 7);
        }
        other => panic!("expected an unknown artifact, got {other:?}"),
    }
    assert!(
        matches!(&task.artifacts[1], Artifact::Unknown { provider, .. } if provider == "gitlab")
    );
    match &task.artifacts[2] {
        Artifact::Unknown { kind, data, .. } => {
            assert_eq!(kind, "deployment");
            assert_eq!(data["environment"], "staging");
        }
        other => panic!("expected an unknown artifact, got {other:?}"),
    }
    assert_eq!(
        task.artifacts[3],
        Artifact::PullRequest {
            id: 9,
            global_id: None
        }
    );
    let session = &task.sessions[0];
    assert_eq!(session.state, TaskState::Unknown("thinking".into()));
    assert_eq!(
        session.usage.as_ref().unwrap().kind,
        UsageType::Unknown("gpu_seconds".into())
    );
    assert_eq!(session.error, None);
}

#[tokio::test]
async fn missing_optionals_decode() {
    let task = serve_task(serde_json::json!({
        "id": "t", "state": "queued", "created_at": "2025-01-01T00:00:00Z"
    }))
    .await;
    assert!(task.artifacts.is_empty() && task.sessions.is_empty());
    assert_eq!(task.updated_at, None);
    assert!(task.state.is_active());
}

#[test]
fn serialization_keeps_the_api_field_names_and_round_trips() {
    let value = fixture("task_full.json");
    let task: TaskWithSessions = serde_json::from_value(value.clone()).expect("decodes");
    let back = serde_json::to_value(&task).expect("encodes");
    assert_eq!(back["artifacts"], value["artifacts"]);
    assert_eq!(back["custom_agent"], value["custom_agent"]);
    assert_eq!(back["sessions"][1]["usage"]["type"], "ai_credits");
    assert_eq!(back["sessions"][1]["usage"]["amount"].as_f64(), Some(2.5e9));
    assert_eq!(back["creator"]["id"], 1);
    let again: TaskWithSessions = serde_json::from_value(back).expect("decodes again");
    assert_eq!(again, task);

    let unusual: Task = serde_json::from_value(fixture("task_unusual.json")).expect("decodes");
    let back = serde_json::to_value(&unusual).expect("encodes");
    assert_eq!(back["state"], "paused_for_review");
    assert_eq!(back["artifacts"][2]["data"]["environment"], "staging");
}

#[test]
fn task_states_know_their_meaning() {
    use TaskState::*;
    // The reading of the states GitHub documents (the class table is the raw crate's).
    assert!(Completed.is_terminal() && Completed.is_success());
    assert!(Failed.is_terminal() && !Failed.is_success());
    assert!(WaitingForUser.needs_attention() && !WaitingForUser.is_terminal());
    assert!(Queued.is_active() && InProgress.is_active());
    // Every known state answers the predicates as its class says, whatever states there are.
    for state in TaskState::KNOWN {
        let class = state.class().expect("a known state has a class");
        assert_eq!(state.is_terminal(), class.is_terminal(), "{state}");
        assert_eq!(
            state.needs_attention(),
            class == StateClass::NeedsAttention,
            "{state}"
        );
        assert_eq!(state.as_str().parse::<TaskState>().unwrap(), *state);
    }
    let invented = TaskState::from("not_a_state_of_this_api");
    assert!(invented.is_unknown(), "pick another invented state");
    assert_eq!(invented.to_string(), "not_a_state_of_this_api");
    assert!(!invented.is_terminal() && !invented.needs_attention());
}

#[test]
fn public_types_have_json_schemas() {
    let schema = schemars::schema_for!(TaskWithSessions);
    let text = serde_json::to_string(&schema).unwrap();
    assert!(text.contains("sessions"), "{text}");
}

#[test]
fn a_task_goes_back_to_the_generated_type_unchanged() {
    for name in ["task_full.json", "task_unusual.json"] {
        let task: Task = serde_json::from_value(fixture(name)).expect("decodes");
        let raw: agent_tasks::raw::types::Task = task.clone().into();
        assert_eq!(Task::from(raw), task, "{name}");
    }
}
