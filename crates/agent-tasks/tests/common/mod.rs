//! Shared helpers of the integration tests: a mock server, a client pointed at it, GitHub's
//! headers, a catch-all mock that names any request no other mock expected, and fixtures.
#![allow(dead_code)]

use agent_tasks::Client;
use httpmock::prelude::*;
use httpmock::{Mock, When};

/// A token that must never appear in any output.
pub const TOKEN: &str = "github_pat_11AAAAAAA0_SeCrEtToKeNvAlUe";

pub async fn server() -> MockServer {
    MockServer::start_async().await
}

pub fn client(server: &MockServer) -> Client {
    Client::builder()
        .token(TOKEN)
        .base_url(server.base_url())
        .user_agent("agent-tasks-tests/1.0")
        .build()
        .expect("valid settings")
}

/// The headers every request must carry, and the one it must not.
pub fn github_headers(when: When) -> When {
    when.header("authorization", format!("Bearer {TOKEN}"))
        .header("accept", "application/vnd.github+json")
        .header("x-github-api-version", "2022-11-28")
        .header("user-agent", "agent-tasks-tests/1.0")
        .header_missing("api-version")
}

/// Defined after the real mocks, it answers any request they did not match with 599 and a body
/// naming the request, so a test that hits it fails with that name in the error.
pub async fn catch_all(server: &MockServer) -> Mock<'_> {
    server
        .mock_async(|_when, then| {
            then.status(599).header("content-type", "text/plain").body(
                "unexpected request: no mock matched it (check method, path, query, headers, body)",
            );
        })
        .await
}

pub fn fixture(name: &str) -> serde_json::Value {
    let path = format!("{}/tests/fixtures/{name}", env!("CARGO_MANIFEST_DIR"));
    let text = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{path}: {e}"));
    serde_json::from_str(&text).unwrap_or_else(|e| panic!("{path}: {e}"))
}

/// The examples of the project's spec (which carries GitHub's published examples), by name.
pub fn spec_example(name: &str) -> serde_json::Value {
    let path = format!("{}/../../openapi/agents.yaml", env!("CARGO_MANIFEST_DIR"));
    let text = std::fs::read_to_string(&path).expect("the spec");
    let spec: serde_json::Value = serde_yaml::from_str(&text).expect("the spec parses");
    spec["components"]["examples"][name]["value"].clone()
}

pub fn spec_example_names() -> Vec<String> {
    let path = format!("{}/../../openapi/agents.yaml", env!("CARGO_MANIFEST_DIR"));
    let text = std::fs::read_to_string(&path).expect("the spec");
    let spec: serde_json::Value = serde_yaml::from_str(&text).expect("the spec parses");
    spec["components"]["examples"]
        .as_object()
        .expect("examples")
        .keys()
        .cloned()
        .collect()
}
