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
        RequestDefaults::new(headers).with_max_response_bytes(Some(1024)),
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
async fn an_error_answer_arrives_raw_with_status_headers_and_body() {
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
    let body = rv.into_inner().into_inner();
    let chunks: Vec<bytes::Bytes> = futures_util::TryStreamExt::try_collect(body).await.unwrap();
    let bytes = chunks.concat();
    assert_eq!(bytes, b"<h1>Not Found</h1>\n");
}

#[tokio::test]
async fn the_if_none_match_header_is_a_parameter() {
    let server = MockServer::start_async().await;
    let mock = server
        .mock_async(|when, then| {
            when.path("/agents/tasks/t1")
                .header("if-none-match", "\"abc\"");
            then.status(304);
        })
        .await;
    let err = client(&server)
        .get_task_by_id()
        .task_id("t1")
        .if_none_match("\"abc\"")
        .send()
        .await
        .unwrap_err();
    mock.assert_async().await;
    assert_eq!(err.status().map(|s| s.as_u16()), Some(304));
}

#[tokio::test]
async fn a_body_over_the_cap_fails_with_body_too_large_in_its_source_chain() {
    let server = MockServer::start_async().await;
    server
        .mock_async(|when, then| {
            when.path("/agents/tasks/big");
            then.status(200).body(vec![b' '; 4096]);
        })
        .await;
    let err = client(&server)
        .get_task_by_id()
        .task_id("big")
        .send()
        .await
        .unwrap_err();
    let mut source: Option<&(dyn std::error::Error + 'static)> = Some(&err);
    let mut found = None;
    while let Some(e) = source {
        if let Some(t) = e.downcast_ref::<agent_tasks_raw::BodyTooLarge>() {
            found = Some(*t);
        }
        source = e.source();
    }
    let found = found.unwrap_or_else(|| panic!("no BodyTooLarge in {err:?}"));
    assert_eq!(found.limit, 1024);
    assert_eq!(found.declared, Some(4096));
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
