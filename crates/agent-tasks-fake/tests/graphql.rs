//! `POST /graphql` resolves the pull requests of the fake's tasks by node id (and nothing
//! else), and `GET /repos/{owner}/{repo}` says what the caller may do there.

use std::time::Duration;

use agent_tasks_fake::{DEFAULT_TOKEN, Fake};
use serde_json::{Value, json};

async fn post(fake: &Fake, token: &str, body: Value) -> Value {
    let r = reqwest::Client::new()
        .post(format!("{}/graphql", fake.url()))
        .bearer_auth(token)
        .header("user-agent", "fake-tests")
        .json(&body)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status().as_u16(), 200);
    r.json().await.unwrap()
}

const QUERY: &str = "query($id: ID!) { node(id: $id) { ... on PullRequest { number url title state isDraft merged } } }";

#[tokio::test]
async fn a_completed_tasks_pull_request_resolves_by_node_id() {
    let fake = Fake::builder()
        .manual_clock()
        .token("reader")
        .start()
        .await
        .unwrap();
    let created: Value = reqwest::Client::new()
        .post(format!(
            "{}/agents/repos/octocat/hello-world/tasks",
            fake.url()
        ))
        .bearer_auth(DEFAULT_TOKEN)
        .header("user-agent", "fake-tests")
        .json(&json!({"prompt": "Fix the login test"}))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert!(created["artifacts"].as_array().unwrap().is_empty());
    // Before the task completes there is no pull request to resolve.
    let early = post(
        &fake,
        DEFAULT_TOKEN,
        json!({"query": QUERY, "variables": {"id": "PR_fake1001"}}),
    )
    .await;
    assert_eq!(early["data"]["node"], Value::Null);
    assert_eq!(early["errors"][0]["type"], "NOT_FOUND");

    fake.advance(Duration::from_secs(3600));
    let body = post(
        &fake,
        DEFAULT_TOKEN,
        json!({"query": QUERY, "variables": {"id": "PR_fake1001"}}),
    )
    .await;
    let node = &body["data"]["node"];
    assert_eq!(node["number"], 1);
    assert_eq!(node["url"], "https://github.com/octocat/hello-world/pull/1");
    assert_eq!(node["title"], "Fix the login test");
    assert_eq!(node["state"], "OPEN");
    assert!(body.get("errors").is_none());

    // A token without pull-request read gets GitHub's FORBIDDEN error.
    fake.restrict("reader");
    let denied = post(
        &fake,
        "reader",
        json!({"query": QUERY, "variables": {"id": "PR_fake1001"}}),
    )
    .await;
    assert_eq!(denied["errors"][0]["type"], "FORBIDDEN");
    // Other queries are GraphQL errors, never a 5xx.
    let other = post(
        &fake,
        DEFAULT_TOKEN,
        json!({"query": "{ viewer { login } }"}),
    )
    .await;
    assert!(
        other["errors"][0]["message"]
            .as_str()
            .unwrap()
            .contains("node(id:)")
    );
    assert_eq!(fake.state().requests_of("graphql"), 4);
}

#[tokio::test]
async fn the_repository_says_whether_the_caller_may_push() {
    let fake = Fake::builder().token("reader").start().await.unwrap();
    fake.restrict("reader");
    let get = |token: &'static str, path: &'static str| {
        let url = format!("{}{path}", fake.url());
        async move {
            reqwest::Client::new()
                .get(url)
                .bearer_auth(token)
                .header("user-agent", "fake-tests")
                .send()
                .await
                .unwrap()
        }
    };
    let r: Value = get(DEFAULT_TOKEN, "/repos/octocat/hello-world")
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(r["full_name"], "octocat/hello-world");
    assert_eq!(r["permissions"]["push"], true);
    let r: Value = get("reader", "/repos/octocat/hello-world")
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(r["permissions"]["push"], false);
    assert_eq!(r["permissions"]["pull"], true);
    assert_eq!(
        get(DEFAULT_TOKEN, "/repos/octocat/nope")
            .await
            .status()
            .as_u16(),
        404
    );
}

const NODES: &str = "query($ids: [ID!]!) { nodes(ids: $ids) { ... on PullRequest { number url title state isDraft merged } } }";

#[tokio::test]
async fn nodes_resolves_many_pull_requests_at_once_and_names_each_error() {
    let fake = Fake::builder().manual_clock().start().await.unwrap();
    for prompt in ["First", "Second"] {
        reqwest::Client::new()
            .post(format!(
                "{}/agents/repos/octocat/hello-world/tasks",
                fake.url()
            ))
            .bearer_auth(DEFAULT_TOKEN)
            .header("user-agent", "fake-tests")
            .json(&json!({"prompt": prompt}))
            .send()
            .await
            .unwrap();
    }
    fake.advance(Duration::from_secs(3600));
    let body = post(
        &fake,
        DEFAULT_TOKEN,
        json!({"query": NODES, "variables": {"ids": ["PR_fake1002", "PR_nope", "PR_fake1001"]}}),
    )
    .await;
    let nodes = body["data"]["nodes"].as_array().unwrap();
    assert_eq!(nodes.len(), 3);
    assert_eq!(nodes[0]["number"], 2);
    assert_eq!(nodes[1], Value::Null);
    assert_eq!(nodes[2]["title"], "First");
    assert_eq!(body["errors"].as_array().unwrap().len(), 1);
    assert_eq!(body["errors"][0]["type"], "NOT_FOUND");
    assert_eq!(body["errors"][0]["path"], json!(["nodes", 1]));

    // Ids close to the fake's own are no pull request: another spelling of the number, a task
    // that does not exist, numbers out of range.
    let near = [
        "PR_fake01001",
        "PR_fake+1001",
        "PR_fake1003",
        "PR_fake1000",
        "PR_fake999",
        "PR_fake-1",
        "PR_fake99999999999999999999999",
        "PR_fake18446744073709551615",
        "PR_fake",
    ];
    let body = post(
        &fake,
        DEFAULT_TOKEN,
        json!({"query": NODES, "variables": {"ids": near}}),
    )
    .await;
    let nodes = body["data"]["nodes"].as_array().unwrap();
    assert!(nodes.iter().all(Value::is_null), "{body}");
    assert_eq!(
        body["errors"].as_array().unwrap().len(),
        near.len(),
        "{body}"
    );

    // More ids than GitHub takes in one query: an error, no data.
    let ids: Vec<String> = (0..101).map(|i| format!("PR_{i}")).collect();
    let body = post(
        &fake,
        DEFAULT_TOKEN,
        json!({"query": NODES, "variables": {"ids": ids}}),
    )
    .await;
    assert_eq!(body["data"], Value::Null);
    assert!(
        body["errors"][0]["message"]
            .as_str()
            .unwrap()
            .contains("at most 100")
    );
}
