//! The fake behaves like the documented API: shapes (decoded with the raw crate's types),
//! lifecycle, checks, filters, pagination, faults, conditional requests and control endpoints.

use std::time::Duration;

use agent_tasks_fake::{DEFAULT_TOKEN, Fake, Faults, Outcome, Schedule, TaskState};
use agent_tasks_raw::types::{BasicError, Task, TaskList, TaskWithSessions};
use reqwest::{Method, StatusCode};
use serde_json::{Value, json};

struct Api {
    fake: Fake,
    http: reqwest::Client,
}

impl Api {
    async fn new(builder: agent_tasks_fake::FakeBuilder) -> Api {
        Api {
            fake: builder.start().await.unwrap(),
            http: reqwest::Client::new(),
        }
    }

    fn request(&self, method: Method, path: &str) -> reqwest::RequestBuilder {
        self.http
            .request(method, format!("{}{path}", self.fake.url()))
            .header("authorization", format!("Bearer {DEFAULT_TOKEN}"))
            .header("user-agent", "fake-tests")
            .header("x-github-api-version", "2022-11-28")
    }

    async fn create(&self, prompt: &str) -> Task {
        let r = self
            .request(Method::POST, "/agents/repos/octocat/hello-world/tasks")
            .json(&json!({"prompt": prompt, "base_ref": "main", "create_pull_request": true}))
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), StatusCode::CREATED);
        r.json().await.expect("decodes as the raw Task")
    }

    async fn get(&self, id: &str) -> TaskWithSessions {
        let r = self
            .request(Method::GET, &format!("/agents/tasks/{id}"))
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), StatusCode::OK);
        r.json().await.expect("decodes as the raw TaskWithSessions")
    }

    async fn list(&self, query: &str) -> (TaskList, String) {
        let r = self
            .request(
                Method::GET,
                &format!("/agents/repos/octocat/hello-world/tasks{query}"),
            )
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), StatusCode::OK, "{query}");
        let link = r
            .headers()
            .get("link")
            .map(|v| v.to_str().unwrap().to_owned())
            .unwrap_or_default();
        (r.json().await.expect("decodes as the raw TaskList"), link)
    }

    async fn error(&self, r: reqwest::RequestBuilder) -> (StatusCode, BasicError) {
        let r = r.send().await.unwrap();
        let status = r.status();
        (
            status,
            r.json().await.expect("decodes as the raw BasicError"),
        )
    }
}

fn manual() -> agent_tasks_fake::FakeBuilder {
    Fake::builder().manual_clock().schedule(Schedule {
        queued: Duration::from_secs(10),
        running: Duration::from_secs(60),
    })
}

#[tokio::test]
async fn every_operation_answers_in_the_documented_shape() {
    let api = Api::new(manual()).await;
    let created = api.create("Fix the login button").await;
    assert_eq!(created.state, TaskState::Queued);
    assert_eq!(created.name.as_deref(), Some("Fix the login button"));
    let by_id = api.get(&created.id).await;
    assert_eq!(by_id.id, created.id);
    assert_eq!(by_id.sessions.as_ref().unwrap().len(), 1);
    let by_repo: TaskWithSessions = api
        .request(
            Method::GET,
            &format!("/agents/repos/octocat/hello-world/tasks/{}", created.id),
        )
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(by_repo.id, created.id);
    let all: TaskList = api
        .request(Method::GET, "/agents/tasks")
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(all.tasks.len(), 1);
    let (list, _) = api.list("").await;
    assert_eq!(
        (list.total_active_count, list.total_archived_count),
        (Some(1), Some(0))
    );
}

#[tokio::test]
async fn tasks_move_through_their_states_on_the_clock() {
    let api = Api::new(manual()).await;
    let id = api.create("Add tests").await.id;
    assert_eq!(api.get(&id).await.state, TaskState::Queued);
    api.fake.advance(Duration::from_secs(11));
    let running = api.get(&id).await;
    assert_eq!(running.state, TaskState::InProgress);
    assert_eq!(
        running.artifacts.as_ref().unwrap().len(),
        1,
        "a branch while running"
    );
    api.fake.advance(Duration::from_secs(60));
    let done = api.get(&id).await;
    assert_eq!(done.state, TaskState::Completed);
    let session = &done.sessions.as_ref().unwrap()[0];
    assert_eq!(session.usage.as_ref().unwrap().amount, 1e9);
    assert!(session.completed_at.is_some());
    assert!(
        done.artifacts
            .as_ref()
            .unwrap()
            .iter()
            .any(|a| a.type_.as_str() == "pull")
    );
    assert!(done.updated_at.unwrap() > done.created_at);
}

#[tokio::test]
async fn outcomes_can_be_scripted_by_prompt_and_per_task() {
    let api = Api::new(manual().outcome("[fail]", Outcome::failed("tests failed"))).await;
    api.fake
        .script_outcome("[ask]", TaskState::WaitingForUser.into());
    let failed = api.create("[fail] break things").await.id;
    let asks = api.create("[ask] a question").await.id;
    // Every state of the API's vocabulary can be an outcome, and so can one it does not know.
    let invented = TaskState::from("paused-by-the-fake-test");
    assert!(invented.is_unknown(), "pick another invented state");
    let mut per_task = Vec::new();
    for state in TaskState::KNOWN.iter().chain([&invented]) {
        let id = api.create("a task").await.id;
        assert!(api.fake.set_task_outcome(&id, state.clone().into()));
        per_task.push((id, state.clone()));
    }
    assert!(!api.fake.set_task_outcome("nope", TaskState::Idle.into()));
    api.fake.advance(Duration::from_secs(100));
    let f = api.get(&failed).await;
    assert_eq!(f.state, TaskState::Failed);
    assert_eq!(
        f.sessions.unwrap()[0]
            .error
            .as_ref()
            .unwrap()
            .message
            .as_deref(),
        Some("tests failed")
    );
    assert_eq!(api.get(&asks).await.state, TaskState::WaitingForUser);
    for (id, state) in &per_task {
        assert_eq!(&api.get(id).await.state, state);
    }
    let r = api
        .http
        .post(format!("{}/_fake/outcomes", api.fake.url()))
        .json(&json!({"prompt_contains": "[cancel]", "outcome": {"state": "cancelled"}}))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::OK);
    let c = api.create("[cancel] me").await.id;
    api.fake.advance(Duration::from_secs(100));
    assert_eq!(api.get(&c).await.state, TaskState::Cancelled);
}

#[tokio::test]
async fn it_checks_what_github_checks() {
    let api = Api::new(Fake::builder().token("second-token")).await;
    let url = format!("{}/agents/tasks", api.fake.url());
    let cases = [
        (
            api.http.get(&url).header("user-agent", "x"),
            StatusCode::UNAUTHORIZED,
            "Requires authentication",
        ),
        (
            api.http
                .get(&url)
                .header("user-agent", "x")
                .bearer_auth("wrong"),
            StatusCode::UNAUTHORIZED,
            "Bad credentials",
        ),
        (
            api.http
                .get(&url)
                .header("user-agent", "x")
                .bearer_auth("ghs_abc"),
            StatusCode::FORBIDDEN,
            "installation access tokens",
        ),
        (
            api.http.get(&url).bearer_auth(DEFAULT_TOKEN),
            StatusCode::FORBIDDEN,
            "User-Agent",
        ),
        (
            api.http
                .get(&url)
                .header("user-agent", "x")
                .bearer_auth(DEFAULT_TOKEN)
                .header("x-github-api-version", "2020-01-01"),
            StatusCode::BAD_REQUEST,
            "not supported",
        ),
        (
            api.request(Method::GET, "/agents/tasks/nope"),
            StatusCode::NOT_FOUND,
            "Not Found",
        ),
        (
            api.request(Method::GET, "/agents/repos/octocat/missing/tasks"),
            StatusCode::NOT_FOUND,
            "Not Found",
        ),
        (
            api.request(Method::POST, "/agents/repos/octocat/missing/tasks")
                .json(&json!({"prompt": "x"})),
            StatusCode::NOT_FOUND,
            "Not Found",
        ),
        (
            api.request(Method::POST, "/agents/repos/octocat/hello-world/tasks")
                .body("{not json"),
            StatusCode::BAD_REQUEST,
            "Problems parsing JSON",
        ),
        (
            api.request(Method::GET, "/agents/tasks?per_page=101"),
            StatusCode::UNPROCESSABLE_ENTITY,
            "Validation Failed",
        ),
        (
            api.request(Method::GET, "/agents/tasks?state=sleeping"),
            StatusCode::UNPROCESSABLE_ENTITY,
            "Validation Failed",
        ),
    ];
    for (request, status, message) in cases {
        let (got, body) = api.error(request).await;
        assert_eq!(got, status, "{message}");
        assert!(
            body.message.contains(message),
            "{} does not contain {message}",
            body.message
        );
        assert!(!body.documentation_url.is_empty());
    }
    let (status, body) = api
        .error(
            api.request(Method::POST, "/agents/repos/octocat/hello-world/tasks")
                .json(&json!({"prompt": "  "})),
        )
        .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(body.errors.unwrap()[0].code.as_str(), "custom");
    let (_, body) = api
        .error(
            api.request(Method::POST, "/agents/repos/octocat/hello-world/tasks")
                .json(&json!({"model": "x"})),
        )
        .await;
    assert_eq!(body.errors.unwrap()[0].code.as_str(), "missing_field");
    // The second token works, as user 2, and is case-insensitive about the repository.
    let r = api
        .http
        .post(format!(
            "{}/agents/repos/OctoCat/Hello-World/tasks",
            api.fake.url()
        ))
        .bearer_auth("second-token")
        .header("user-agent", "x")
        .json(&json!({"prompt": "x"}))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::CREATED);
    assert_eq!(r.json::<Task>().await.unwrap().creator.unwrap().id, Some(2));
    assert_eq!(api.fake.state().requests_of("unknown"), 0);
}

#[tokio::test]
async fn lists_filter_sort_and_page_like_github() {
    let api = Api::new(manual().outcome("[fail]", Outcome::failed("x"))).await;
    let mut ids = Vec::new();
    for i in 0..7 {
        let prompt = if i % 2 == 0 {
            format!("task {i}")
        } else {
            format!("[fail] task {i}")
        };
        ids.push(api.create(&prompt).await.id);
        api.fake.advance(Duration::from_secs(1));
    }
    api.fake.advance(Duration::from_secs(100));
    assert!(api.fake.archive(&ids[0]));

    let (page1, link) = api.list("?per_page=2&sort=created_at&direction=asc").await;
    let names: Vec<_> = page1
        .tasks
        .iter()
        .map(|t| t.name.clone().unwrap())
        .collect();
    assert_eq!(names, ["[fail] task 1", "task 2"]);
    assert_eq!(
        (page1.total_active_count, page1.total_archived_count),
        (Some(6), Some(1))
    );
    assert!(link.contains("page=2>; rel=\"next\""), "{link}");
    assert!(link.contains("page=3>; rel=\"last\""), "{link}");
    assert!(
        link.contains("rel=\"first\"") && !link.contains("rel=\"prev\""),
        "{link}"
    );
    assert!(
        link.contains("sort=created_at") && link.contains("direction=asc"),
        "filters stay in the links: {link}"
    );
    let (page3, link) = api
        .list("?per_page=2&sort=created_at&direction=asc&page=3")
        .await;
    assert_eq!(page3.tasks.len(), 2);
    assert!(
        !link.contains("rel=\"next\"") && link.contains("page=2>; rel=\"prev\""),
        "{link}"
    );

    let (failed, link) = api.list("?state=failed,completed&per_page=100").await;
    assert_eq!(failed.tasks.len(), 6);
    assert!(link.contains("state=failed,completed"), "{link}");
    let (only_failed, _) = api.list("?state=failed").await;
    assert_eq!(only_failed.tasks.len(), 3);
    let (archived, _) = api.list("?is_archived=true").await;
    assert_eq!(archived.tasks.len(), 1);
    assert_eq!(archived.tasks[0].id, ids[0]);
    let (mine, _) = api.list("?creator_id=1&creator_id=5").await;
    assert_eq!(mine.tasks.len(), 6);
    let (nobody, _) = api.list("?creator_id=5").await;
    assert!(nobody.tasks.is_empty());
    let future = (api.fake.now() + chrono::Duration::hours(1)).to_rfc3339();
    let (recent, _) = api
        .list(&format!("?since={}", future.replace('+', "%2B")))
        .await;
    assert!(recent.tasks.is_empty());
    let (desc, _) = api.list("?sort=created_at").await;
    assert_eq!(
        desc.tasks[0].name.as_deref(),
        Some("task 6"),
        "newest first by default"
    );
}

#[tokio::test]
async fn get_answers_carry_an_etag_and_if_none_match_gets_304() {
    let api = Api::new(manual().faults(Faults {
        primary_limit: Some(10),
        ..Faults::default()
    }))
    .await;
    let id = api.create("x").await.id;
    let first = api
        .request(Method::GET, &format!("/agents/tasks/{id}"))
        .send()
        .await
        .unwrap();
    let etag = first.headers()["etag"].to_str().unwrap().to_owned();
    let remaining = first.headers()["x-ratelimit-remaining"]
        .to_str()
        .unwrap()
        .to_owned();
    let again = api
        .request(Method::GET, &format!("/agents/tasks/{id}"))
        .header("if-none-match", &etag)
        .send()
        .await
        .unwrap();
    assert_eq!(again.status(), StatusCode::NOT_MODIFIED);
    assert_eq!(again.headers()["etag"].to_str().unwrap(), etag);
    let after = api
        .request(Method::GET, &format!("/agents/tasks/{id}"))
        .send()
        .await
        .unwrap();
    let left: u64 = after.headers()["x-ratelimit-remaining"]
        .to_str()
        .unwrap()
        .parse()
        .unwrap();
    assert_eq!(
        left + 1,
        remaining.parse::<u64>().unwrap(),
        "the 304 cost nothing"
    );
    api.fake.advance(Duration::from_secs(15));
    let changed = api
        .request(Method::GET, &format!("/agents/tasks/{id}"))
        .header("if-none-match", &etag)
        .send()
        .await
        .unwrap();
    assert_eq!(
        changed.status(),
        StatusCode::OK,
        "the state changed, so the body did"
    );
}

#[tokio::test]
async fn faults_are_injected() {
    let api = Api::new(manual()).await;
    let get = || api.request(Method::GET, "/agents/tasks");

    api.fake.set_faults(Faults {
        latency_ms: 150,
        ..Faults::default()
    });
    let t = std::time::Instant::now();
    get().send().await.unwrap();
    assert!(t.elapsed() >= Duration::from_millis(150));

    api.fake.set_faults(Faults {
        error_rate: 1.0,
        ..Faults::default()
    });
    assert!(get().send().await.unwrap().status().is_server_error());

    api.fake.set_faults(Faults {
        drop_rate: 1.0,
        ..Faults::default()
    });
    assert!(get().send().await.is_err(), "the connection is dropped");

    api.fake.set_faults(Faults {
        secondary_429_rate: 1.0,
        retry_after_secs: 7,
        ..Faults::default()
    });
    let r = get().send().await.unwrap();
    assert_eq!(
        (r.status(), r.headers()["retry-after"].to_str().unwrap()),
        (StatusCode::TOO_MANY_REQUESTS, "7")
    );

    api.fake.set_faults(Faults {
        secondary_403_rate: 1.0,
        retry_after_secs: 3,
        ..Faults::default()
    });
    let r = get().send().await.unwrap();
    assert_eq!(r.status(), StatusCode::FORBIDDEN);
    assert!(r.text().await.unwrap().contains("secondary rate limit"));

    api.fake.set_faults(Faults {
        malformed_rate: 1.0,
        ..Faults::default()
    });
    let body = get().send().await.unwrap().bytes().await.unwrap();
    assert!(
        serde_json::from_slice::<Value>(&body).is_err(),
        "the body is cut short"
    );

    api.fake.set_faults(Faults {
        drop_after_store_rate: 1.0,
        ..Faults::default()
    });
    let before = api.fake.state().tasks.len();
    let r = api
        .request(Method::POST, "/agents/repos/octocat/hello-world/tasks")
        .json(&json!({"prompt": "did it work?"}))
        .send()
        .await;
    assert!(r.is_err(), "the client sees no answer");
    let state = api.fake.state();
    assert_eq!(state.tasks.len(), before + 1, "but the task was stored");
    assert_eq!(
        state.requests["create_task_in_repo"][&0], 1,
        "a drop counts under status 0"
    );
}

#[tokio::test]
async fn a_primary_rate_limit_runs_out_and_resets() {
    let api = Api::new(manual().faults(Faults {
        primary_limit: Some(3),
        primary_window_secs: 60,
        ..Faults::default()
    }))
    .await;
    let get = || api.request(Method::GET, "/agents/tasks");
    for left in [2, 1, 0] {
        let r = get().send().await.unwrap();
        assert_eq!(r.status(), StatusCode::OK);
        assert_eq!(
            r.headers()["x-ratelimit-remaining"].to_str().unwrap(),
            left.to_string()
        );
        assert_eq!(r.headers()["x-ratelimit-limit"].to_str().unwrap(), "3");
    }
    let r = get().send().await.unwrap();
    assert_eq!(r.status(), StatusCode::FORBIDDEN);
    assert_eq!(r.headers()["x-ratelimit-remaining"].to_str().unwrap(), "0");
    let reset: i64 = r.headers()["x-ratelimit-reset"]
        .to_str()
        .unwrap()
        .parse()
        .unwrap();
    assert!(reset > api.fake.now().timestamp());
    api.fake.advance(Duration::from_secs(61));
    assert_eq!(get().send().await.unwrap().status(), StatusCode::OK);
}

#[tokio::test]
async fn control_endpoints_inspect_and_steer() {
    let api = Api::new(manual()).await;
    api.create("one").await;
    let control = |m: Method, p: &str| api.http.request(m, format!("{}{p}", api.fake.url()));
    let state: Value = control(Method::GET, "/_fake/state")
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(state["tasks"][0]["prompt"], "one");
    assert_eq!(state["requests"]["create_task_in_repo"]["201"], 1);
    assert_eq!(state["requests_total"], 1);

    let r = control(Method::PUT, "/_fake/faults")
        .json(&json!({"error_rate": 1.0}))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::OK);
    assert_eq!(api.fake.state().faults.error_rate, 1.0);
    let r = control(Method::PUT, "/_fake/faults")
        .json(&json!({"eror_rate": 1.0}))
        .send()
        .await
        .unwrap();
    assert_eq!(
        r.status(),
        StatusCode::BAD_REQUEST,
        "unknown knobs are refused"
    );
    control(Method::PUT, "/_fake/faults")
        .json(&json!({}))
        .send()
        .await
        .unwrap();

    let before = api.fake.now();
    control(Method::POST, "/_fake/clock/advance")
        .json(&json!({"seconds": 30}))
        .send()
        .await
        .unwrap();
    assert!(api.fake.now() - before >= chrono::Duration::seconds(30));
    assert_eq!(
        api.fake.state().requests_total,
        1,
        "control requests are not counted"
    );
}

#[tokio::test]
async fn the_fake_scales_real_time() {
    let api = Api::new(Fake::builder().time_scale(600.0).schedule(Schedule {
        queued: Duration::from_secs(6),
        running: Duration::from_secs(6),
    }))
    .await;
    let id = api.create("quick").await.id;
    tokio::time::sleep(Duration::from_millis(60)).await;
    assert_eq!(api.get(&id).await.state, TaskState::Completed);
}
