//! The token never appears in Debug, Display, errors or traces.

mod common;

use std::sync::{Arc, Mutex};

use common::*;
use httpmock::prelude::*;

#[derive(Clone, Default)]
struct Captured(Arc<Mutex<Vec<u8>>>);

impl std::io::Write for Captured {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.0.lock().unwrap().extend_from_slice(buf);
        Ok(buf.len())
    }
    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

#[tokio::test]
async fn the_token_is_in_no_output() {
    let captured = Captured::default();
    let writer = captured.clone();
    let subscriber = tracing_subscriber::fmt()
        .with_max_level(tracing::Level::TRACE)
        .with_writer(move || writer.clone())
        .with_ansi(false)
        .finish();
    let _guard = tracing::subscriber::set_default(subscriber);

    let server = server().await;
    server
        .mock_async(|when, then| {
            when.method(GET).path("/agents/tasks/ok");
            then.status(200)
                .header("x-github-request-id", "REQ-1")
                .json_body(spec_example("task-with-sessions"));
        })
        .await;
    server
        .mock_async(|when, then| {
            when.method(GET).path("/agents/tasks/denied");
            then.status(401).json_body(serde_json::json!({"message": "Bad credentials", "documentation_url": "https://docs.github.com"}));
        })
        .await;

    let client = client(&server);
    let mut outputs = vec![format!("{client:?}"), format!("{:?}", client.raw())];
    let builder = agent_tasks::Client::builder().token(TOKEN);
    outputs.push(format!("{builder:?}"));
    let with_url = agent_tasks::Client::builder()
        .token(TOKEN)
        .base_url(format!(
            "https://user:{TOKEN}@example.com/api/v3?token={TOKEN}#{TOKEN}"
        ));
    outputs.push(format!("{with_url:?}"));

    client.task("ok").send().await.unwrap();
    let e = client.task("denied").send().await.unwrap_err();
    outputs.push(format!("{e}"));
    outputs.push(format!("{e:?}"));
    outputs.push(format!("{:?}", std::error::Error::source(&e)));
    let bad = agent_tasks::Client::builder()
        .token(format!("{TOKEN} x"))
        .build()
        .unwrap_err();
    outputs.push(format!("{bad} {bad:?}"));

    let traces = String::from_utf8(captured.0.lock().unwrap().clone()).unwrap();
    assert!(
        traces.contains("agent_tasks.request"),
        "spans were captured: {traces}"
    );
    assert!(
        traces.contains("get_task_by_id") && traces.contains("REQ-1"),
        "{traces}"
    );
    outputs.push(traces);

    let secret = TOKEN.trim_start_matches("github_pat_");
    for out in &outputs {
        assert!(!out.contains(secret), "the token leaked into: {out}");
    }
    // The builder's Debug must not print it either.
    assert!(!outputs[2].contains(secret));
}
