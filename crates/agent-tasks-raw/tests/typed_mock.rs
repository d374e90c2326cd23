//! The raw client against progenitor's typed httpmock helpers (the `mock` feature), and the
//! hooks: GitHub's media type, no `api-version`, the caller's default headers on every request.
#![cfg(feature = "mock")]

use agent_tasks_raw::mock::MockServerExt;
use agent_tasks_raw::types::{BasicError, CreateTaskRequest, Task, TaskList};
use agent_tasks_raw::{Client, RequestDefaults, TaskState};
use httpmock::MockServer;
use reqwest::header::{HeaderMap, HeaderValue};

fn task(state: &str) -> Task {
    serde_json::from_value(serde_json::json!({
        "id": "t1", "state": state, "created_at": "2025-01-01T00:00:00Z"
    }))
    .unwrap()
}

fn client(server: &MockServer) -> Client {
    let mut headers = HeaderMap::new();
    headers.insert(
        "x-github-api-version",
        HeaderValue::from_static("2022-11-28"),
    );
    headers.insert("user-agent", HeaderValue::from_static("raw-tests"));
    Client::new_with_client(
        &server.base_url(),
        reqwest::Client::new(),
        RequestDefaults {
            headers,
            timeout: None,
        },
    )
}

#[tokio::test]
async fn typed_mocks_match_the_generated_client() {
    let server = MockServer::start_async().await;
    let body = CreateTaskRequest {
        prompt: "Fix it".into(),
        model: None,
        custom_agent: None,
        create_pull_request: Some(true),
        base_ref: Some("main".into()),
        head_ref: None,
    };
    let create = server.create_task_in_repo(|when, then| {
        when.owner("octocat").repo("hello-world").body(&body);
        then.created(&task("queued"));
    });
    let list = server.list_tasks(|when, then| {
        when.per_page(std::num::NonZeroU64::new(5).unwrap());
        then.ok(&TaskList {
            tasks: vec![task("brand_new_state")],
            total_active_count: Some(1),
            total_archived_count: None,
        });
    });
    let missing = server.get_task_by_id(|when, then| {
        when.task_id("nope");
        then.not_found(&BasicError {
            message: "Not Found".into(),
            documentation_url: "https://docs.github.com".into(),
            errors: None,
        });
    });

    let c = client(&server);
    let created = c
        .create_task_in_repo()
        .owner("octocat")
        .repo("hello-world")
        .body(body.clone())
        .send()
        .await
        .unwrap();
    assert_eq!(created.state, TaskState::Queued);
    let page = c.list_tasks().per_page(5u64).send().await.unwrap();
    assert_eq!(
        page.tasks[0].state,
        TaskState::Unknown("brand_new_state".into())
    );
    let err = c.get_task_by_id().task_id("nope").send().await.unwrap_err();
    assert_eq!(err.status().map(|s| s.as_u16()), Some(404));

    create.assert();
    list.assert();
    missing.assert();
}

#[tokio::test]
async fn hooks_send_githubs_headers_and_drop_api_version() {
    let server = MockServer::start_async().await;
    let mock = server
        .mock_async(|when, then| {
            when.path("/agents/tasks/t1")
                .header("accept", "application/vnd.github+json")
                .header("x-github-api-version", "2022-11-28")
                .header("user-agent", "raw-tests")
                .header_missing("api-version");
            then.status(200)
                .json_body(serde_json::json!({"id": "t1", "state": "queued", "created_at": "2025-01-01T00:00:00Z"}));
        })
        .await;
    client(&server)
        .get_task_by_id()
        .task_id("t1")
        .send()
        .await
        .unwrap();
    mock.assert_async().await;
}

#[tokio::test]
async fn an_undecodable_error_body_keeps_status_and_a_snippet() {
    let server = MockServer::start_async().await;
    server
        .mock_async(|when, then| {
            when.path("/agents/tasks/t1");
            then.status(404)
                .header("x-github-request-id", "R1")
                .body("<h1>Not Found</h1>\n");
        })
        .await;
    let err = client(&server)
        .get_task_by_id()
        .task_id("t1")
        .send()
        .await
        .unwrap_err();
    let agent_tasks_raw::Error::ErrorResponse(rv) = err else {
        panic!("expected an error response, got {err:?}")
    };
    assert_eq!(rv.status().as_u16(), 404);
    assert_eq!(rv.headers()["x-github-request-id"], "R1");
    assert_eq!(
        rv.headers()[agent_tasks_raw::UNDECODABLE_ERROR_BODY_HEADER],
        "<h1>Not Found</h1> "
    );
    assert_eq!(rv.message, "");
}

#[test]
fn open_enums_round_trip_unknown_values() {
    let s: TaskState = serde_json::from_str("\"needs_review\"").unwrap();
    assert_eq!(s, TaskState::Unknown("needs_review".into()));
    assert!(s.is_unknown());
    assert_eq!(serde_json::to_string(&s).unwrap(), "\"needs_review\"");
    for known in TaskState::KNOWN {
        let text = serde_json::to_string(known).unwrap();
        assert_eq!(&serde_json::from_str::<TaskState>(&text).unwrap(), known);
    }
}
