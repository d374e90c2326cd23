//! Every answer carries a `Date` header on the fake's clock (not the wall clock), so a
//! client can compare it with tasks' timestamps; hyper must not replace it.

mod common;

use std::time::Duration;

use agent_tasks_fake::{Fake, Faults};
use chrono::{DateTime, Utc};
use common::api;
use reqwest::{Method, StatusCode};
use serde_json::json;

/// The one `Date` of an answer, parsed.
fn date(r: &reqwest::Response) -> DateTime<Utc> {
    let all: Vec<_> = r.headers().get_all("date").iter().collect();
    assert_eq!(all.len(), 1, "exactly one Date: {all:?}");
    let text = all[0].to_str().unwrap();
    assert!(
        text.ends_with(" GMT") && text.len() == 29,
        "IMF-fixdate: {text}"
    );
    DateTime::parse_from_rfc2822(text)
        .unwrap_or_else(|e| panic!("{text}: {e}"))
        .with_timezone(&Utc)
}

fn secs(t: DateTime<Utc>) -> i64 {
    t.timestamp()
}

#[tokio::test]
async fn every_answer_is_dated_on_the_fake_clock() {
    let fake = Fake::builder()
        .manual_clock()
        .faults(Faults {
            primary_limit: Some(1000),
            ..Faults::default()
        })
        .start()
        .await
        .unwrap();
    // Ten days ahead of the wall clock, so hyper's own date would show.
    fake.advance(Duration::from_secs(10 * 86_400));
    let now = secs(fake.now());
    assert!(now - Utc::now().timestamp() > 9 * 86_400);
    let http = reqwest::Client::new();
    let url = |p: &str| format!("{}{p}", fake.url());

    let created = api(
        &http,
        Method::POST,
        url("/agents/repos/octocat/hello-world/tasks"),
    )
    .json(&json!({"prompt": "dated"}))
    .send()
    .await
    .unwrap();
    assert_eq!(created.status(), StatusCode::CREATED);
    assert_eq!(secs(date(&created)), now);
    let task: serde_json::Value = created.json().await.unwrap();
    let created_at = DateTime::parse_from_rfc3339(task["created_at"].as_str().unwrap()).unwrap();
    assert_eq!(created_at.timestamp(), now, "the Date matches created_at");
    // A stopped clock starts on a whole second, so the task is dated exactly the fake's now.
    assert_eq!(created_at, fake.now());

    let ok = api(&http, Method::GET, url("/agents/tasks"))
        .send()
        .await
        .unwrap();
    assert_eq!(secs(date(&ok)), now);
    let etag = ok.headers()["etag"].clone();
    let not_modified = api(&http, Method::GET, url("/agents/tasks"))
        .header("if-none-match", etag)
        .send()
        .await
        .unwrap();
    assert_eq!(not_modified.status(), StatusCode::NOT_MODIFIED);
    assert_eq!(secs(date(&not_modified)), now);
    let unauthorized = http
        .get(url("/agents/tasks"))
        .header("user-agent", "x")
        .send()
        .await
        .unwrap();
    assert_eq!(unauthorized.status(), StatusCode::UNAUTHORIZED);
    assert_eq!(secs(date(&unauthorized)), now);
    let unknown = api(&http, Method::GET, url("/nowhere"))
        .send()
        .await
        .unwrap();
    assert_eq!(unknown.status(), StatusCode::NOT_FOUND);
    assert_eq!(secs(date(&unknown)), now);
    let too_large = api(
        &http,
        Method::POST,
        url("/agents/repos/octocat/hello-world/tasks"),
    )
    .body(vec![b' '; agent_tasks_fake::MAX_API_BODY_BYTES + 1])
    .send()
    .await
    .unwrap();
    assert_eq!(too_large.status(), StatusCode::PAYLOAD_TOO_LARGE);
    assert_eq!(secs(date(&too_large)), now);
    let control = http.get(url("/_fake/state")).send().await.unwrap();
    assert_eq!(secs(date(&control)), now);
    let bad_control = http.get(url("/_fake/nothing")).send().await.unwrap();
    assert_eq!(bad_control.status(), StatusCode::NOT_FOUND);
    assert_eq!(secs(date(&bad_control)), now);

    // A refusal by the primary limit, and a fault, are dated too.
    fake.set_faults(Faults {
        primary_limit: Some(0),
        ..Faults::default()
    });
    let limited = api(&http, Method::GET, url("/agents/tasks"))
        .send()
        .await
        .unwrap();
    assert_eq!(limited.status(), StatusCode::FORBIDDEN);
    assert_eq!(secs(date(&limited)), now);
    fake.set_faults(Faults {
        secondary_429_rate: 1.0,
        ..Faults::default()
    });
    let secondary = api(&http, Method::GET, url("/agents/tasks"))
        .send()
        .await
        .unwrap();
    assert_eq!(secondary.status(), StatusCode::TOO_MANY_REQUESTS);
    assert_eq!(secs(date(&secondary)), now);

    // The clock steps; the Date follows (over HTTP, the step's own answer is dated after it).
    let stepped = http
        .post(url("/_fake/clock/advance"))
        .json(&json!({"seconds": 3600}))
        .send()
        .await
        .unwrap();
    assert_eq!(secs(date(&stepped)), now + 3600);
}

#[tokio::test]
async fn a_scaled_clock_dates_answers_too() {
    let fake = Fake::builder().time_scale(1.0).start().await.unwrap();
    fake.advance(Duration::from_secs(3 * 365 * 86_400));
    let r = api(
        &reqwest::Client::new(),
        Method::GET,
        format!("{}/agents/tasks", fake.url()),
    )
    .send()
    .await
    .unwrap();
    let shown = secs(date(&r));
    assert!(
        (shown - secs(fake.now())).abs() <= 2,
        "{shown} vs {}",
        fake.now()
    );
}

/// A stopped clock starts on a whole second, as answers are dated: a delay measured on it
/// against an answer's time is whole (a start part-way through a second added its fraction to
/// every such delay, differently in each run). That a task is dated exactly the clock's now is
/// checked above, with every answer's `Date`.
#[tokio::test]
async fn a_stopped_clock_starts_on_a_whole_second() {
    let fake = Fake::builder().manual_clock().start().await.unwrap();
    let start = fake.now();
    assert_eq!(start.timestamp_subsec_nanos(), 0, "{start}");
    fake.advance(Duration::from_millis(2500));
    assert_eq!(fake.now().timestamp_subsec_millis(), 500);
}
