//! The agent's pull request as a link, through GraphQL's `node(id:)`: against the fake, for a
//! token that may not read pull requests, and at GitHub Enterprise Server's GraphQL address.

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
                .json_body(serde_json::json!({"data": {"node": {
                    "number": 7, "url": "https://ghe.example.com/o/r/pull/7", "title": "T",
                    "state": "MERGED", "isDraft": false, "merged": true
                }}}));
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
