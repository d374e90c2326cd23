//! Error answers map to the right kind, status, message, details and hint.

mod common;

use agent_tasks::Error;
use agent_tasks::types::ValidationErrorCode;
use common::*;
use httpmock::prelude::*;
use serde_json::json;

/// Serves `status` with `body` (JSON if it parses, raw otherwise) and extra headers, then gets a
/// task through the client and returns its error.
async fn error_for(status: u16, body: &str, headers: &[(&str, &str)]) -> Error {
    let server = server().await;
    server
        .mock_async(|when, then| {
            when.method(GET).path("/agents/tasks/t");
            let mut then = then.status(status).body(body);
            if serde_json::from_str::<serde_json::Value>(body).is_ok() {
                then = then.header("content-type", "application/json");
            }
            for (k, v) in headers {
                then = then.header(*k, *v);
            }
        })
        .await;
    client(&server)
        .task("t")
        .send()
        .await
        .expect_err("an error")
}

fn github_error(message: &str) -> String {
    json!({"message": message, "documentation_url": "https://docs.github.com/rest/agent-tasks/agent-tasks"})
        .to_string()
}

const REQUEST_ID: (&str, &str) = ("x-github-request-id", "CAFE:1234:5678");

#[tokio::test]
async fn bad_request_400() {
    let e = error_for(400, &github_error("Bad request"), &[REQUEST_ID]).await;
    let api = e.api().expect("api error");
    assert_eq!(api.status.as_u16(), 400);
    assert_eq!(api.message.as_deref(), Some("Bad request"));
    assert_eq!(
        api.documentation_url.as_deref(),
        Some("https://docs.github.com/rest/agent-tasks/agent-tasks")
    );
    assert_eq!(e.request_id(), Some("CAFE:1234:5678"));
    assert!(!e.is_retryable() && !e.is_auth() && !e.is_not_found());
}

#[tokio::test]
async fn unauthorized_401_says_the_token_is_bad() {
    let e = error_for(401, &github_error("Bad credentials"), &[]).await;
    assert!(e.is_auth());
    assert_eq!(e.status().map(|s| s.as_u16()), Some(401));
    assert!(e.hint().unwrap().contains("expired"), "{:?}", e.hint());
    assert!(e.to_string().contains("Bad credentials"), "{e}");
}

#[tokio::test]
async fn forbidden_403_names_the_permission_and_plan() {
    let e = error_for(
        403,
        &github_error("Resource not accessible by personal access token"),
        &[],
    )
    .await;
    assert!(e.is_auth() && !e.is_rate_limited());
    let hint = e.hint().unwrap();
    assert!(
        hint.contains("\"Agent tasks\" repository permission") && hint.contains("Copilot plan"),
        "{hint}"
    );
}

#[tokio::test]
async fn forbidden_403_for_an_installation_token_says_so() {
    let e = error_for(
        403,
        &github_error("GitHub App installation access tokens are not supported for this endpoint"),
        &[],
    )
    .await;
    assert!(
        e.hint().unwrap().contains("user-to-server"),
        "{:?}",
        e.hint()
    );
}

#[tokio::test]
async fn not_found_404() {
    let e = error_for(404, &github_error("Not Found"), &[]).await;
    assert!(e.is_not_found());
    assert!(
        e.hint()
            .unwrap()
            .contains("does not serve the Agent tasks API")
    );
}

#[tokio::test]
async fn validation_failed_422_keeps_the_errors() {
    let body = json!({
        "message": "Validation Failed",
        "documentation_url": "https://docs.github.com/rest",
        "errors": [
            {"code": "missing_field"},
            {"code": "custom", "message": "prompt is too long"},
            {"code": "brand_new_code"}
        ]
    });
    let e = error_for(422, &body.to_string(), &[]).await;
    let api = e.api().unwrap();
    assert_eq!(api.errors.len(), 3);
    assert_eq!(api.errors[0].code, ValidationErrorCode::MissingField);
    assert_eq!(api.errors[1].message.as_deref(), Some("prompt is too long"));
    assert_eq!(
        api.errors[2].code,
        ValidationErrorCode::Unknown("brand_new_code".into())
    );
    assert!(e.to_string().contains("prompt is too long"), "{e}");
}

#[tokio::test]
async fn server_error_500_is_retryable() {
    let e = error_for(500, "<html>oops</html>", &[REQUEST_ID]).await;
    assert_eq!(e.status().map(|s| s.as_u16()), Some(500));
    assert!(e.is_retryable());
    assert_eq!(e.request_id(), Some("CAFE:1234:5678"));
    assert_eq!(
        e.api().unwrap().body_snippet.as_deref(),
        Some("<html>oops</html>")
    );
}

#[tokio::test]
async fn an_error_status_with_an_empty_body_keeps_status_and_headers() {
    let e = error_for(401, "", &[REQUEST_ID]).await;
    let api = e.api().expect("still an api error");
    assert_eq!(api.status.as_u16(), 401);
    assert_eq!(api.message, None);
    assert_eq!(api.body_snippet.as_deref(), Some("(empty body)"));
    assert_eq!(e.request_id(), Some("CAFE:1234:5678"));
    assert!(e.is_auth());
}

#[tokio::test]
async fn an_error_status_with_malformed_json_keeps_status() {
    let e = error_for(403, "{\"message\": ", &[]).await;
    assert_eq!(e.status().map(|s| s.as_u16()), Some(403));
    assert_eq!(
        e.api().unwrap().body_snippet.as_deref(),
        Some("{\"message\": ")
    );
}

#[tokio::test]
async fn a_success_with_malformed_json_is_a_decode_error() {
    let server = server().await;
    server
        .mock_async(|when, then| {
            when.method(GET).path("/agents/tasks/t");
            then.status(200)
                .header("content-type", "application/json")
                .body("{\"id\": \"t\", \"state\": ");
        })
        .await;
    let e = client(&server)
        .task("t")
        .send()
        .await
        .expect_err("an error");
    let Error::Decode(d) = &e else {
        panic!("expected a decode error, got {e:?}")
    };
    assert!(d.snippet.starts_with("{\"id\": \"t\""), "{d:?}");
    assert!(e.to_string().contains("cannot decode"), "{e}");
}

#[tokio::test]
async fn a_decode_error_names_the_field() {
    let server = server().await;
    server
        .mock_async(|when, then| {
            when.method(GET).path("/agents/tasks");
            then.status(200).json_body(json!({"tasks": [
                {"id": "a", "state": "queued", "created_at": "2025-01-01T00:00:00Z"},
                {"id": "b", "state": "queued", "created_at": "yesterday"}
            ]}));
        })
        .await;
    let e = client(&server)
        .list_tasks()
        .send()
        .await
        .expect_err("an error");
    let Error::Decode(d) = &e else {
        panic!("expected a decode error, got {e:?}")
    };
    assert_eq!(d.path.as_deref(), Some("tasks[1].created_at"), "{d:?}");
}

#[tokio::test]
async fn an_empty_success_body_is_a_decode_error() {
    let server = server().await;
    server
        .mock_async(|when, then| {
            when.method(GET).path("/agents/tasks/t");
            then.status(200).body("");
        })
        .await;
    let e = client(&server)
        .task("t")
        .send()
        .await
        .expect_err("an error");
    assert!(matches!(e, Error::Decode(_)), "{e:?}");
}

#[tokio::test]
async fn rate_limits_are_recognised_and_figures_kept() {
    let reset = "1767225600";
    let primary = error_for(
        403,
        &github_error("API rate limit exceeded for user ID 1."),
        &[
            ("x-ratelimit-limit", "5000"),
            ("x-ratelimit-remaining", "0"),
            ("x-ratelimit-used", "5000"),
            ("x-ratelimit-reset", reset),
            ("x-ratelimit-resource", "core"),
        ],
    )
    .await;
    assert!(primary.is_rate_limited() && primary.is_retryable() && !primary.is_auth());
    let limit = primary.api().unwrap().rate_limit.clone().unwrap();
    assert_eq!(
        (limit.limit, limit.remaining, limit.used),
        (5000, 0, Some(5000))
    );
    assert_eq!(limit.reset.timestamp().to_string(), reset);
    assert_eq!(limit.resource.as_deref(), Some("core"));
    assert!(primary.hint().unwrap().contains("spent until"));

    let secondary = error_for(
        429,
        &github_error("You have exceeded a secondary rate limit."),
        &[("retry-after", "30")],
    )
    .await;
    assert!(secondary.is_rate_limited());
    assert_eq!(
        secondary.api().unwrap().retry_after,
        Some(std::time::Duration::from_secs(30))
    );
    assert!(secondary.hint().unwrap().contains("30 s"));
}

#[test]
fn rate_limit_figures_take_the_first_value_of_each_name_and_no_look_alike() {
    use agent_tasks::error::RateLimit;
    use reqwest::header::{HeaderMap, HeaderName, HeaderValue};
    let mut headers = HeaderMap::new();
    for (name, value) in [
        ("x-ratelimit-limit", "5000"),
        ("x-ratelimit-limit", "1"),
        ("x-ratelimit-remaining", " 42 "),
        ("x-ratelimit-reset", "1767225600"),
        ("x-ratelimit-used-by-proxy", "7"),
        ("x-ratelimit", "9"),
        ("ratelimit-used", "8"),
        ("x-ratelimit-resource", "core"),
        ("x-ratelimit-resource", "search"),
    ] {
        headers.append(
            HeaderName::from_static(name),
            HeaderValue::from_static(value),
        );
    }
    let limit = RateLimit::from_headers(&headers).unwrap();
    assert_eq!((limit.limit, limit.remaining, limit.used), (5000, 42, None));
    assert_eq!(limit.reset.timestamp(), 1_767_225_600);
    assert_eq!(limit.resource.as_deref(), Some("core"));
    // Without one of limit, remaining and reset, there are no figures.
    headers.remove("x-ratelimit-reset");
    assert_eq!(RateLimit::from_headers(&headers), None);
}

#[tokio::test]
async fn the_client_remembers_the_latest_rate_limit_figures() {
    let server = server().await;
    server
        .mock_async(|when, then| {
            when.method(GET).path("/agents/tasks/t");
            then.status(200)
                .header("x-ratelimit-limit", "5000")
                .header("x-ratelimit-remaining", "4999")
                .header("x-ratelimit-reset", "1767225600")
                .json_body(spec_example("task-with-sessions"));
        })
        .await;
    let client = client(&server);
    assert_eq!(client.rate_limit(), None);
    client.task("t").send().await.unwrap();
    assert_eq!(client.rate_limit().unwrap().remaining, 4999);
}

#[tokio::test]
async fn a_refused_connection_is_a_transport_error() {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let port = listener.local_addr().unwrap().port();
    drop(listener);
    let client = agent_tasks::Client::builder()
        .token(TOKEN)
        .base_url(format!("http://127.0.0.1:{port}"))
        .retry(agent_tasks::retry::RetryPolicy::none())
        .build()
        .unwrap();
    let e = client.task("t").send().await.expect_err("nothing listens");
    assert!(matches!(e, Error::Transport { .. }), "{e:?}");
    assert!(e.is_retryable());
}

#[tokio::test]
async fn a_slow_answer_is_a_timeout() {
    let server = server().await;
    server
        .mock_async(|when, then| {
            when.method(GET).path("/agents/tasks/t");
            then.status(200)
                .delay(std::time::Duration::from_millis(500))
                .json_body(spec_example("task-with-sessions"));
        })
        .await;
    let client = agent_tasks::Client::builder()
        .token(TOKEN)
        .base_url(server.base_url())
        .timeout(std::time::Duration::from_millis(50))
        .retry(agent_tasks::retry::RetryPolicy::none())
        .build()
        .unwrap();
    let e = client.task("t").send().await.expect_err("too slow");
    assert!(matches!(e, Error::Timeout { .. }), "{e:?}");
}

#[test]
fn the_error_is_send_and_sync() {
    fn assert_send_sync<T: Send + Sync + 'static>() {}
    assert_send_sync::<Error>();
    assert_send_sync::<agent_tasks::Client>();
}

#[tokio::test]
async fn a_404_that_is_not_githubs_does_not_blame_the_repository() {
    // httpmock answers a request no mock matches with a 404 of its own, without GitHub's
    // documentation URL: the hint points at the server, not at a missing repository.
    let server = server().await;
    let e = client(&server).task("t").send().await.unwrap_err();
    assert!(e.is_not_found());
    let hint = e.hint().unwrap();
    assert!(hint.contains("base URL") && hint.contains("mock"), "{hint}");
    assert!(
        !hint.contains("repository or task does not exist"),
        "{hint}"
    );
}
