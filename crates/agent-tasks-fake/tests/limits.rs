//! The caps on what comes from outside, and extreme values from the library's callers:
//! bodies, clock steps, fault knobs, the end of time.

mod common;

use std::time::Duration;

use agent_tasks_fake::{
    Fake, Faults, MAX_ADVANCE_SECS, MAX_API_BODY_BYTES, MAX_CONTROL_BODY_BYTES,
    MAX_DISCARDED_BODY_BYTES, MAX_PRIMARY_WINDOW_SECS,
};
use agent_tasks_raw::types::BasicError;
use common::api;
use reqwest::{Method, StatusCode};
use serde_json::{Value, json};

fn create_url(fake: &Fake) -> String {
    format!("{}/agents/repos/octocat/hello-world/tasks", fake.url())
}

#[tokio::test]
async fn an_api_body_over_its_cap_gets_a_github_shaped_413() {
    let fake = Fake::builder().manual_clock().start().await.unwrap();
    let http = reqwest::Client::new();
    // Just under the cap is fine.
    let prompt = "p".repeat(MAX_API_BODY_BYTES - 20);
    let body = serde_json::to_vec(&json!({ "prompt": prompt })).unwrap();
    assert!(body.len() <= MAX_API_BODY_BYTES);
    let r = api(&http, Method::POST, create_url(&fake))
        .body(body)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::CREATED);
    // One byte over is not; the client, still writing, reads the answer.
    let body = vec![b' '; MAX_API_BODY_BYTES + 1];
    let r = api(&http, Method::POST, create_url(&fake))
        .body(body)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::PAYLOAD_TOO_LARGE);
    assert!(r.headers().contains_key("x-github-request-id"));
    let error: BasicError = r.json().await.expect("GitHub's error shape");
    assert!(error.message.contains("1048576"), "{}", error.message);
    assert!(!error.documentation_url.is_empty());
    let state = fake.state();
    assert_eq!(state.tasks.len(), 1);
    assert_eq!(state.requests["create_task_in_repo"][&413], 1);
}

/// A chunked POST of `chunks` chunks of 64 KiB, as raw bytes.
fn chunked_create(chunks: usize) -> Vec<u8> {
    let mut out = format!(
        "POST /agents/repos/octocat/hello-world/tasks HTTP/1.1\r\nhost: x\r\nconnection: close\r\n{}transfer-encoding: chunked\r\n\r\n",
        common::AUTH
    )
    .into_bytes();
    for _ in 0..chunks {
        out.extend_from_slice(b"10000\r\n");
        out.extend_from_slice(&[b' '; 0x10000]);
        out.extend_from_slice(b"\r\n");
    }
    out.extend_from_slice(b"0\r\n\r\n");
    out
}

#[tokio::test]
async fn a_chunked_body_without_a_length_is_capped_too() {
    let fake = Fake::builder().manual_clock().start().await.unwrap();
    // 2 MiB: read past the cap and thrown away, then refused.
    let got = common::raw(fake.addr(), &chunked_create(32)).await;
    assert_eq!(got.status, Some(413), "{got:?}");
    // Past the cap and the discard allowance the fake stops reading: the client sees the 413
    // or a reset connection, and the fake keeps nothing.
    let n = (MAX_API_BODY_BYTES + MAX_DISCARDED_BODY_BYTES) / 0x10000 + 4;
    let got = common::raw(fake.addr(), &chunked_create(n)).await;
    assert!(matches!(got.status, None | Some(413)), "{got:?}");
    assert!(fake.state().tasks.is_empty());
    let r = api(
        &reqwest::Client::new(),
        Method::GET,
        format!("{}/agents/tasks", fake.url()),
    )
    .send()
    .await
    .unwrap();
    assert_eq!(r.status(), StatusCode::OK);
}

#[tokio::test]
async fn a_control_body_over_its_cap_gets_413() {
    let fake = Fake::builder().manual_clock().start().await.unwrap();
    let r = reqwest::Client::new()
        .put(format!("{}/_fake/faults", fake.url()))
        .body(vec![b' '; MAX_CONTROL_BODY_BYTES + 1])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::PAYLOAD_TOO_LARGE);
}

#[tokio::test]
async fn clock_steps_are_bounded_over_http() {
    let fake = Fake::builder().manual_clock().start().await.unwrap();
    let http = reqwest::Client::new();
    let advance = |seconds: Value| {
        http.post(format!("{}/_fake/clock/advance", fake.url()))
            .json(&json!({ "seconds": seconds }))
            .send()
    };
    let before = fake.now();
    // Once panicked converting to a duration.
    let r = advance(json!(1e15)).await.unwrap();
    assert_eq!(r.status(), StatusCode::BAD_REQUEST);
    let message = r.json::<Value>().await.unwrap()["message"].to_string();
    assert!(message.contains("100 years"), "{message}");
    for bad in [json!(-1), json!("60"), json!(null), json!(f64::MAX)] {
        let r = advance(bad.clone()).await.unwrap();
        assert_eq!(r.status(), StatusCode::BAD_REQUEST, "{bad}");
    }
    assert_eq!(fake.now(), before, "refused steps do not move the clock");
    let r = advance(json!(MAX_ADVANCE_SECS)).await.unwrap();
    assert_eq!(r.status(), StatusCode::OK);
    assert!(fake.now() - before >= chrono::Duration::days(36_524));
}

#[tokio::test]
async fn fault_knobs_out_of_bounds_are_refused_over_http() {
    let fake = Fake::builder().manual_clock().start().await.unwrap();
    let http = reqwest::Client::new();
    for (knobs, named) in [
        (
            json!({"primary_window_secs": u64::MAX}),
            "primary_window_secs",
        ),
        (
            json!({"primary_window_secs": i64::MAX}),
            "primary_window_secs",
        ),
        (
            json!({"primary_window_secs": MAX_PRIMARY_WINDOW_SECS + 1}),
            "primary_window_secs",
        ),
        (json!({"error_rate": 1.01}), "error_rate"),
        (json!({"malformed_rate": -0.5}), "malformed_rate"),
        (json!({"latency_ms": 60_001}), "latency_ms"),
        (json!({"retry_after_secs": 86_401}), "retry_after_secs"),
        (json!({"primary_limit": -3}), "primary_limit"),
    ] {
        let r = http
            .put(format!("{}/_fake/faults", fake.url()))
            .json(&knobs)
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), StatusCode::BAD_REQUEST, "{knobs}");
        let message = r.json::<Value>().await.unwrap()["message"].to_string();
        assert!(message.contains(named), "{knobs}: {message}");
    }
    assert_eq!(fake.state().faults, Faults::default());
    let r = http
        .put(format!("{}/_fake/faults", fake.url()))
        .json(&json!({"primary_window_secs": MAX_PRIMARY_WINDOW_SECS, "primary_limit": 5}))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::OK);
}

#[tokio::test]
async fn huge_knobs_from_rust_are_clamped_not_fatal() {
    // `primary_window_secs = u64::MAX` once panicked in chrono on the first request.
    let fake = Fake::builder()
        .manual_clock()
        .faults(Faults {
            primary_limit: Some(u64::MAX),
            primary_window_secs: u64::MAX,
            retry_after_secs: u64::MAX,
            error_rate: f64::NAN,
            drop_rate: -1.0,
            ..Faults::default()
        })
        .start()
        .await
        .unwrap();
    let http = reqwest::Client::new();
    let r = api(&http, Method::GET, format!("{}/agents/tasks", fake.url()))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::OK);
    assert_eq!(
        r.headers()["x-ratelimit-remaining"].to_str().unwrap(),
        (u64::MAX - 1).to_string()
    );
    let faults = fake.state().faults;
    assert_eq!(faults.primary_window_secs, MAX_PRIMARY_WINDOW_SECS);
    assert_eq!((faults.error_rate, faults.drop_rate), (0.0, 0.0));
    fake.set_faults(Faults {
        primary_limit: Some(0),
        primary_window_secs: i64::MAX as u64,
        ..Faults::default()
    });
    let r = api(&http, Method::GET, format!("{}/agents/tasks", fake.url()))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::FORBIDDEN);
    assert_eq!(r.headers()["x-ratelimit-remaining"].to_str().unwrap(), "0");
}

#[tokio::test]
async fn the_end_of_time_is_served_without_a_panic() {
    for builder in [
        Fake::builder().manual_clock(),
        Fake::builder().time_scale(f64::MAX),
        Fake::builder().time_scale(f64::NAN),
        Fake::builder().time_scale(f64::INFINITY),
    ] {
        let fake = builder
            .schedule(agent_tasks_fake::Schedule {
                queued: Duration::MAX,
                running: Duration::MAX,
            })
            .faults(Faults {
                primary_limit: Some(100),
                ..Faults::default()
            })
            .start()
            .await
            .unwrap();
        fake.advance(Duration::MAX);
        fake.advance(Duration::MAX);
        let http = reqwest::Client::new();
        let r = api(&http, Method::POST, create_url(&fake))
            .json(&json!({"prompt": "at the end of time"}))
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), StatusCode::CREATED);
        assert!(r.headers().contains_key("date"));
        let task: Value = r.json().await.unwrap();
        let id = task["id"].as_str().unwrap();
        for path in [
            format!("/agents/tasks/{id}"),
            format!("/agents/repos/octocat/hello-world/tasks/{id}"),
            "/agents/tasks?since=2020-01-01T00:00:00Z".to_owned(),
        ] {
            let r = api(&http, Method::GET, format!("{}{path}", fake.url()))
                .send()
                .await
                .unwrap();
            assert_eq!(r.status(), StatusCode::OK, "{path}");
        }
        let r = http
            .get(format!("{}/_fake/state", fake.url()))
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), StatusCode::OK);
        assert_eq!(fake.state().tasks.len(), 1);
    }
}
