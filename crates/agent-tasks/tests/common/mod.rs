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

/// A client of the mock server, without retries: these tests pin what one answer maps to.
pub fn client(server: &MockServer) -> Client {
    builder(server).build().expect("valid settings")
}

/// A client that sends prompts untouched (no creation marker), for tests that pin a body.
pub fn unmarked(server: &MockServer) -> Client {
    builder(server)
        .creation_markers(false)
        .build()
        .expect("valid settings")
}

fn builder(server: &MockServer) -> agent_tasks::ClientBuilder {
    Client::builder()
        .token(TOKEN)
        .base_url(server.base_url())
        .user_agent("agent-tasks-tests/1.0")
        .retry(agent_tasks::retry::RetryPolicy::none())
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

/// A clock that sleeps by moving the fake's clock (and its own) forward at once, recording each
/// nap; optionally it changes the fake's faults after the next nap.
#[derive(Debug)]
pub struct Stepped {
    pub fake: std::sync::Arc<agent_tasks_fake::Fake>,
    pub now: std::sync::Mutex<std::time::Instant>,
    pub naps: std::sync::Mutex<Vec<std::time::Duration>>,
    pub faults_after_nap: std::sync::Mutex<Option<agent_tasks_fake::Faults>>,
}

impl Stepped {
    pub fn new(fake: std::sync::Arc<agent_tasks_fake::Fake>) -> std::sync::Arc<Self> {
        std::sync::Arc::new(Stepped {
            fake,
            now: std::sync::Mutex::new(std::time::Instant::now()),
            naps: std::sync::Mutex::new(Vec::new()),
            faults_after_nap: std::sync::Mutex::new(None),
        })
    }

    pub fn naps(&self) -> Vec<std::time::Duration> {
        self.naps.lock().unwrap().clone()
    }
}

impl agent_tasks::clock::Clock for Stepped {
    fn now(&self) -> std::time::Instant {
        *self.now.lock().unwrap()
    }

    fn sleep(
        &self,
        d: std::time::Duration,
    ) -> std::pin::Pin<Box<dyn std::future::Future<Output = ()> + Send>> {
        *self.now.lock().unwrap() += d;
        self.naps.lock().unwrap().push(d);
        self.fake.advance(d);
        if let Some(faults) = self.faults_after_nap.lock().unwrap().take() {
            self.fake.set_faults(faults);
        }
        Box::pin(std::future::ready(()))
    }

    fn utc_now(&self) -> chrono::DateTime<chrono::Utc> {
        self.fake.now()
    }
}

/// A fake on a manual clock, a stepped clock driving it, and a client of both.
pub async fn stepped_fake(
    builder: agent_tasks_fake::FakeBuilder,
    retry: agent_tasks::retry::RetryPolicy,
) -> (
    std::sync::Arc<agent_tasks_fake::Fake>,
    std::sync::Arc<Stepped>,
    Client,
) {
    let fake = std::sync::Arc::new(
        builder
            .manual_clock()
            .start()
            .await
            .expect("the fake starts"),
    );
    let clock = Stepped::new(fake.clone());
    let client = Client::builder()
        .token(agent_tasks_fake::DEFAULT_TOKEN)
        .base_url(fake.url())
        .clock(clock.clone())
        .retry(retry)
        .build()
        .expect("valid settings");
    (fake, clock, client)
}
