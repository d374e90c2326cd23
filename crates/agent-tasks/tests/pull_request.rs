//! The agents' pull requests as links, through GraphQL's `nodes(ids:)`: against the fake, one
//! or many at once (one request per 100), for a token that may not read pull requests, with
//! per-task errors kept apart, and at GitHub Enterprise Server's GraphQL address.

mod common;

use std::time::Duration;

use agent_tasks::Error;
use agent_tasks::pull_request::PullRequestState;
use agent_tasks::retry::RetryPolicy;
use agent_tasks_fake::Fake;
use common::stepped_fake;
use httpmock::prelude::*;

#[tokio::test]
async fn a_completed_tasks_pull_request_resolves_to_its_number_url_and_state() {
    let (fake, _clock, client) =
        stepped_fake(Fake::builder().token("reader"), RetryPolicy::default()).await;
    let repo = client.repo("octocat", "hello-world");
    let task = repo.create_task("Fix the login test").send().await.unwrap();
    assert_eq!(
        client.pull_request(&task).await.unwrap(),
        None,
        "no pull request yet"
    );

    fake.advance(Duration::from_secs(3600));
    let done = repo.task(&task.id).send().await.unwrap();
    let pr = client
        .pull_request(&done)
        .await
        .unwrap()
        .expect("a pull request");
    assert_eq!(pr.number, 1);
    assert_eq!(pr.url, "https://github.com/octocat/hello-world/pull/1");
    assert_eq!(pr.title, "Fix the login test");
    assert_eq!(pr.state, PullRequestState::Open);
    assert_eq!(pr.database_id, done.pull_request().unwrap().id);
    assert_eq!(fake.state().requests_of("graphql"), 1);

    // A token without pull-request read: a GraphQL error with the hint.
    fake.restrict("reader");
    let reader = agent_tasks::Client::builder()
        .token("reader")
        .base_url(fake.url())
        .build()
        .unwrap();
    let e = reader.pull_request(&done).await.unwrap_err();
    assert!(
        matches!(&e, Error::GraphQl { kind: Some(k), .. } if k == "FORBIDDEN"),
        "{e:?}"
    );
    assert!(e.hint().unwrap().contains("Pull requests"), "{e:?}");
}

#[tokio::test]
async fn enterprise_server_graphql_lives_beside_the_rest_api() {
    let server = MockServer::start_async().await;
    let graphql = server
        .mock_async(|when, then| {
            when.method(POST).path("/api/graphql");
            then.status(200)
                .json_body(serde_json::json!({"data": {"nodes": [{
                    "number": 7, "url": "https://ghe.example.com/o/r/pull/7", "title": "T",
                    "state": "MERGED", "isDraft": false, "merged": true
                }]}}));
        })
        .await;
    let client = agent_tasks::Client::builder()
        .token("ghp_x")
        .base_url(format!("{}/api/v3", server.base_url()))
        .build()
        .unwrap();
    let task: agent_tasks::Task = serde_json::from_value(serde_json::json!({
        "id": "t", "state": "completed", "created_at": "2026-01-01T00:00:00Z",
        "artifacts": [{"provider": "github", "type": "pull", "data": {"id": 9, "global_id": "PR_x"}}]
    }))
    .unwrap();
    let pr = client.pull_request(&task).await.unwrap().unwrap();
    assert_eq!(pr.state, PullRequestState::Merged);
    graphql.assert_async().await;
}

/// A task of `i` with a pull request of node id `node`.
fn task_with_pr(i: usize, node: &str) -> agent_tasks::Task {
    serde_json::from_value(serde_json::json!({
        "id": format!("t{i}"), "state": "completed", "created_at": "2026-01-01T00:00:00Z",
        "artifacts": [{"provider": "github", "type": "pull", "data": {"id": i, "global_id": node}}]
    }))
    .unwrap()
}

#[tokio::test]
async fn many_pull_requests_resolve_in_one_request_per_hundred_tasks() {
    let (fake, _clock, client) = stepped_fake(Fake::builder(), RetryPolicy::default()).await;
    let repo = client.repo("octocat", "hello-world");
    let mut started = Vec::new();
    for i in 0..150 {
        started.push(repo.create_task(format!("Task {i}")).send().await.unwrap());
    }
    fake.advance(Duration::from_secs(3600));
    let mut tasks: Vec<agent_tasks::Task> = Vec::new();
    for t in &started {
        tasks.push(repo.task(&t.id).send().await.unwrap().task);
    }
    // Two tasks without a pull request in the middle: they cost nothing and answer `None`.
    tasks.insert(10, started[0].clone());
    tasks.insert(50, task_with_pr(9999, "PR_unknown"));
    let before = fake.state().requests_of("graphql");
    let prs = client.pull_requests(&tasks).await.unwrap();
    assert_eq!(
        fake.state().requests_of("graphql") - before,
        2,
        "151 node ids: 2 queries"
    );
    assert_eq!(prs.len(), tasks.len());
    assert!(matches!(prs[10], Ok(None)), "{:?}", prs[10]);
    assert!(
        matches!(prs[50], Ok(None)),
        "unknown to GitHub: {:?}",
        prs[50]
    );
    for (task, pr) in tasks.iter().zip(&prs) {
        if let Ok(Some(pr)) = pr {
            assert_eq!(Some(pr.database_id), task.pull_request().map(|p| p.id));
            assert!(pr.url.ends_with(&format!("/pull/{}", pr.number)));
        }
    }
    let resolved = prs.iter().filter(|p| matches!(p, Ok(Some(_)))).count();
    assert_eq!(resolved, 150);
    // No task with a pull request: no request at all.
    let none = client.pull_requests(&[started[0].clone()]).await.unwrap();
    assert!(matches!(none[..], [Ok(None)]));
    assert_eq!(fake.state().requests_of("graphql") - before, 2);
}

#[tokio::test]
async fn one_tasks_refused_pull_request_does_not_fail_the_others() {
    let server = MockServer::start_async().await;
    server
        .mock_async(|when, then| {
            when.method(POST).path("/graphql");
            then.status(200).json_body(serde_json::json!({
                "data": {"nodes": [
                    {"number": 1, "url": "https://github.com/o/r/pull/1", "title": "A", "state": "OPEN"},
                    null,
                    null
                ]},
                "errors": [
                    {"type": "FORBIDDEN", "path": ["nodes", 1], "message": "Resource not accessible"},
                    {"type": "NOT_FOUND", "path": ["nodes", 2], "message": "Could not resolve"}
                ]
            }));
        })
        .await;
    let client = agent_tasks::Client::builder()
        .token("ghp_x")
        .base_url(server.base_url())
        .build()
        .unwrap();
    let tasks = [
        task_with_pr(1, "PR_a"),
        task_with_pr(2, "PR_b"),
        task_with_pr(3, "PR_c"),
    ];
    let prs = client.pull_requests(&tasks).await.unwrap();
    assert!(
        matches!(&prs[0], Ok(Some(pr)) if pr.number == 1),
        "{:?}",
        prs[0]
    );
    assert!(
        matches!(&prs[1], Err(Error::GraphQl { kind: Some(k), .. }) if k == "FORBIDDEN"),
        "{:?}",
        prs[1]
    );
    assert!(matches!(prs[2], Ok(None)), "{:?}", prs[2]);
}
