//! The wire format of every operation: method, path, query, headers and body, exactly.

mod common;

use agent_tasks::TaskState;
use agent_tasks::list::{SortDirection, TaskSort};
use chrono::TimeZone;
use common::*;
use httpmock::prelude::*;
use serde_json::json;

#[tokio::test]
async fn create_task_sends_exact_body_and_headers() {
    let server = server().await;
    let mock = server
        .mock_async(|when, then| {
            github_headers(when)
                .method(POST)
                .path("/agents/repos/octocat/hello-world/tasks")
                .header("content-type", "application/json")
                .query_param_count(".*", ".*", 0)
                .json_body(json!({
                    "prompt": "Fix the login button on the homepage",
                    "model": "claude-sonnet-4.6",
                    "custom_agent": "performance-optimizer",
                    "create_pull_request": true,
                    "base_ref": "main",
                    "head_ref": "feature/login"
                }));
            then.status(201).json_body(spec_example("task-created"));
        })
        .await;
    let unexpected = catch_all(&server).await;

    let task = unmarked(&server)
        .repo("octocat", "hello-world")
        .create_task("Fix the login button on the homepage")
        .model("claude-sonnet-4.6")
        .custom_agent("performance-optimizer")
        .create_pull_request(true)
        .base_ref("main")
        .head_ref("feature/login")
        .send()
        .await
        .expect("created");

    mock.assert_async().await;
    unexpected.assert_calls_async(0).await;
    assert_eq!(task.id, "a1b2c3d4-e5f6-7890-abcd-ef1234567890");
    assert_eq!(task.state, TaskState::Queued);
}

#[tokio::test]
async fn create_task_leaves_out_unset_fields() {
    let server = server().await;
    let mock = server
        .mock_async(|when, then| {
            github_headers(when)
                .method(POST)
                .path("/agents/repos/octocat/hello-world/tasks")
                .json_body(json!({"prompt": "Only a prompt"}));
            then.status(201).json_body(spec_example("task-created"));
        })
        .await;
    let unexpected = catch_all(&server).await;
    unmarked(&server)
        .repo("octocat", "hello-world")
        .create_task("Only a prompt")
        .send()
        .await
        .expect("created");
    mock.assert_async().await;
    unexpected.assert_calls_async(0).await;
}

// Uses `agent_tasks::testing`, which the `fake` feature brings.
#[cfg(feature = "fake")]
#[tokio::test]
async fn each_creation_carries_a_marker_of_its_own_by_default() {
    let server = server().await;
    let mock = server
        .mock_async(|when, then| {
            github_headers(when)
                .method(POST)
                .path("/agents/repos/octocat/hello-world/tasks")
                .body_matches(
                    r#"^\{"prompt":"Only a prompt\\n\\n<!-- agent-tasks creation: [0-9a-f]{16} -->"\}$"#,
                );
            then.status(201).json_body(spec_example("task-created"));
        })
        .await;
    let unexpected = catch_all(&server).await;
    let c = client(&server);
    for _ in 0..2 {
        c.repo("octocat", "hello-world")
            .create_task("Only a prompt")
            .send()
            .await
            .expect("created");
    }
    mock.assert_calls_async(2).await;
    unexpected.assert_calls_async(0).await;
    // Two creations of one prompt store two prompts that differ by their markers.
    let (fake, client) = agent_tasks::testing::start(agent_tasks_fake::Fake::builder())
        .await
        .unwrap();
    for _ in 0..2 {
        client
            .repo("octocat", "hello-world")
            .create_task("Only a prompt")
            .send()
            .await
            .unwrap();
    }
    let prompts: std::collections::HashSet<String> = fake
        .state()
        .tasks
        .iter()
        .map(|t| t["prompt"].as_str().unwrap().to_owned())
        .collect();
    assert_eq!(prompts.len(), 2, "{prompts:?}");
}

#[tokio::test]
async fn list_tasks_for_repo_sends_every_filter() {
    let server = server().await;
    let mock = server
        .mock_async(|when, then| {
            github_headers(when)
                .method(GET)
                .path("/agents/repos/octocat/hello-world/tasks")
                .header_missing("content-type")
                .query_param("per_page", "50")
                .query_param("page", "2")
                .query_param("sort", "created_at")
                .query_param("direction", "asc")
                .query_param("state", "queued,in_progress,waiting_for_user")
                .query_param("is_archived", "true")
                .query_param("since", "2025-01-01T00:00:00Z")
                .query_param("creator_id", "1")
                .query_param("creator_id", "2")
                // Nine keys: httpmock counts `creator_id` once; the lines above pin both values.
                .query_param_count(".*", ".*", 9);
            then.status(200)
                .json_body(spec_example("task-list-for-repo"));
        })
        .await;
    let unexpected = catch_all(&server).await;

    let page = client(&server)
        .repo("octocat", "hello-world")
        .list_tasks()
        .per_page(50)
        .page(2)
        .sort(TaskSort::CreatedAt)
        .direction(SortDirection::Asc)
        .states([TaskState::Queued, TaskState::InProgress])
        .state(TaskState::WaitingForUser)
        .archived(true)
        .since(chrono::Utc.with_ymd_and_hms(2025, 1, 1, 0, 0, 0).unwrap())
        .creator_id(1)
        .creator_ids([2])
        .send()
        .await
        .expect("listed");

    mock.assert_async().await;
    unexpected.assert_calls_async(0).await;
    assert_eq!(page.items.len(), 1);
}

#[tokio::test]
async fn list_tasks_sends_no_query_when_no_filter_is_set() {
    let server = server().await;
    let mock = server
        .mock_async(|when, then| {
            github_headers(when)
                .method(GET)
                .path("/agents/tasks")
                .query_param_count(".*", ".*", 0);
            then.status(200).json_body(spec_example("task-list"));
        })
        .await;
    let unexpected = catch_all(&server).await;
    let page = client(&server).list_tasks().send().await.expect("listed");
    mock.assert_async().await;
    unexpected.assert_calls_async(0).await;
    assert_eq!(page.items[0].state, TaskState::Completed);
}

#[tokio::test]
async fn list_tasks_across_repos_sends_filters() {
    let server = server().await;
    let mock = server
        .mock_async(|when, then| {
            github_headers(when)
                .method(GET)
                .path("/agents/tasks")
                .query_param("state", "failed")
                .query_param("is_archived", "false")
                .query_param("per_page", "100")
                .query_param_count(".*", ".*", 3);
            then.status(200).json_body(spec_example("task-list"));
        })
        .await;
    let unexpected = catch_all(&server).await;
    client(&server)
        .list_tasks()
        .state(TaskState::Failed)
        .archived(false)
        .per_page(100)
        .send()
        .await
        .expect("listed");
    mock.assert_async().await;
    unexpected.assert_calls_async(0).await;
}

#[tokio::test]
async fn get_task_by_repo_and_id() {
    let server = server().await;
    let mock = server
        .mock_async(|when, then| {
            github_headers(when)
                .method(GET)
                .path(
                    "/agents/repos/octocat/hello-world/tasks/a1b2c3d4-e5f6-7890-abcd-ef1234567890",
                )
                .query_param_count(".*", ".*", 0);
            then.status(200)
                .json_body(spec_example("task-with-sessions"));
        })
        .await;
    let unexpected = catch_all(&server).await;
    let task = client(&server)
        .repo("octocat", "hello-world")
        .task("a1b2c3d4-e5f6-7890-abcd-ef1234567890")
        .send()
        .await
        .expect("got");
    mock.assert_async().await;
    unexpected.assert_calls_async(0).await;
    assert_eq!(task.sessions.len(), 1);
    assert_eq!(task.sessions[0].model.as_deref(), Some("claude-sonnet-4.6"));
}

#[tokio::test]
async fn get_task_by_id() {
    let server = server().await;
    let mock = server
        .mock_async(|when, then| {
            github_headers(when)
                .method(GET)
                .path("/agents/tasks/a1b2c3d4-e5f6-7890-abcd-ef1234567890")
                .query_param_count(".*", ".*", 0);
            then.status(200)
                .json_body(spec_example("task-with-sessions"));
        })
        .await;
    let unexpected = catch_all(&server).await;
    let task = client(&server)
        .task("a1b2c3d4-e5f6-7890-abcd-ef1234567890")
        .send()
        .await
        .expect("got");
    mock.assert_async().await;
    unexpected.assert_calls_async(0).await;
    let pr = task.pull_request().expect("a pull request");
    assert_eq!((pr.id, pr.node_id), (42, None));
}

#[tokio::test]
async fn api_version_user_agent_and_base_path_are_configurable() {
    let server = server().await;
    let mock = server
        .mock_async(|when, then| {
            when.method(GET)
                .path("/api/v3/agents/tasks/t1")
                .header("x-github-api-version", "2026-03-10")
                .header("user-agent", agent_tasks::client::DEFAULT_USER_AGENT)
                .header("accept", "application/vnd.github+json")
                .header_missing("api-version");
            then.status(200)
                .json_body(spec_example("task-with-sessions"));
        })
        .await;
    let unexpected = catch_all(&server).await;
    let client = agent_tasks::Client::builder()
        .token(TOKEN)
        .base_url(format!("{}/api/v3/", server.base_url()))
        .api_version(agent_tasks::client::API_VERSION_2026_03_10)
        .build()
        .expect("valid");
    assert!(agent_tasks::client::DEFAULT_USER_AGENT.starts_with("agent-tasks-rs/"));
    client.task("t1").send().await.expect("got");
    mock.assert_async().await;
    unexpected.assert_calls_async(0).await;
}

#[tokio::test]
async fn a_callers_reqwest_client_still_sends_githubs_headers() {
    let server = server().await;
    let mock = server
        .mock_async(|when, then| {
            github_headers(when).method(GET).path("/agents/tasks/t1");
            then.status(200)
                .json_body(spec_example("task-with-sessions"));
        })
        .await;
    let unexpected = catch_all(&server).await;
    let client = agent_tasks::Client::builder()
        .token(TOKEN)
        .base_url(server.base_url())
        .user_agent("agent-tasks-tests/1.0")
        .http_client(reqwest::Client::new())
        .build()
        .expect("valid");
    client.task("t1").send().await.expect("got");
    mock.assert_async().await;
    unexpected.assert_calls_async(0).await;
}

#[tokio::test]
async fn path_segments_are_encoded() {
    let server = server().await;
    let mock = server
        .mock_async(|when, then| {
            when.method(GET)
                .path("/agents/repos/my-org/repo.name_1/tasks/t:1%C3%A9");
            then.status(200)
                .json_body(spec_example("task-with-sessions"));
        })
        .await;
    let unexpected = catch_all(&server).await;
    client(&server)
        .repo("my-org", "repo.name_1")
        .task("t:1é")
        .send()
        .await
        .expect("got");
    mock.assert_async().await;
    unexpected.assert_calls_async(0).await;
}
