//! Every error says what happened in a short phrase and keeps its cause in `source()`: a
//! refused connection, a DNS failure, a TLS failure, a timeout, a body that did not decode,
//! and the cause of an unknown creation outcome.

mod common;

use std::error::Error as _;
use std::time::Duration;

use agent_tasks::Error;
use agent_tasks::retry::RetryPolicy;
use tokio::io::{AsyncReadExt, AsyncWriteExt};

fn client(base: &str) -> agent_tasks::Client {
    agent_tasks::Client::builder()
        .token("ghp_x")
        .base_url(base)
        .retry(RetryPolicy::none())
        .timeout(Duration::from_millis(500))
        .build()
        .unwrap()
}

/// The causes under `e`, as text, outermost first.
fn chain(e: &Error) -> Vec<String> {
    let mut out = Vec::new();
    let mut next = e.source();
    while let Some(cause) = next {
        out.push(cause.to_string());
        next = cause.source();
    }
    out
}

/// A server that answers every connection with `answer` (or never, when `None`).
async fn server(answer: Option<&'static [u8]>) -> String {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    tokio::spawn(async move {
        loop {
            let Ok((mut socket, _)) = listener.accept().await else {
                return;
            };
            tokio::spawn(async move {
                let mut buf = [0u8; 4096];
                let _ = socket.read(&mut buf).await;
                match answer {
                    Some(bytes) => {
                        let _ = socket.write_all(bytes).await;
                    }
                    None => tokio::time::sleep(Duration::from_secs(30)).await,
                }
            });
        }
    });
    format!("127.0.0.1:{}", addr.port())
}

#[tokio::test]
async fn a_refused_connection_names_the_host_and_keeps_the_cause() {
    let e = client("http://127.0.0.1:1")
        .list_tasks()
        .send()
        .await
        .unwrap_err();
    assert_eq!(e.to_string(), "cannot reach http://127.0.0.1:1");
    assert!(
        chain(&e).last().unwrap().contains("refused"),
        "{:?}",
        chain(&e)
    );
}

#[tokio::test]
async fn a_dns_failure_keeps_the_cause() {
    let e = client("https://api.nonexistent.invalid")
        .list_tasks()
        .send()
        .await
        .unwrap_err();
    assert!(matches!(e, Error::Transport { .. }), "{e:?}");
    assert_eq!(
        e.to_string(),
        "cannot reach https://api.nonexistent.invalid"
    );
    assert!(!chain(&e).is_empty());
}

#[tokio::test]
async fn a_tls_failure_keeps_the_cause() {
    // https to a server that speaks plain http: the handshake fails.
    let addr = server(Some(
        b"HTTP/1.1 400 Bad Request\r\ncontent-length: 0\r\n\r\n",
    ))
    .await;
    let base = format!("https://localhost:{}", addr.rsplit(':').next().unwrap());
    let e = client(&base).list_tasks().send().await.unwrap_err();
    assert!(matches!(e, Error::Transport { .. }), "{e:?}");
    assert!(!chain(&e).is_empty(), "{e:?}");
}

#[tokio::test]
async fn a_timeout_keeps_the_cause() {
    let addr = server(None).await;
    let e = client(&format!("http://{addr}"))
        .list_tasks()
        .send()
        .await
        .unwrap_err();
    assert!(matches!(e, Error::Timeout { .. }), "{e:?}");
    assert!(e.to_string().contains("no answer"), "{e}");
    assert!(!chain(&e).is_empty());
}

#[tokio::test]
async fn a_body_that_does_not_decode_keeps_serdes_error() {
    let body: &'static [u8] = b"HTTP/1.1 200 OK\r\ncontent-type: application/json\r\ncontent-length: 70\r\n\r\n{\"tasks\": [{\"id\": \"a\", \"state\": \"queued\", \"created_at\": \"yesterday\"}]}";
    let addr = server(Some(body)).await;
    let e = client(&format!("http://{addr}"))
        .list_tasks()
        .send()
        .await
        .unwrap_err();
    assert!(matches!(e, Error::Decode(_)), "{e:?}");
    assert!(
        e.to_string()
            .starts_with("cannot decode the answer at `tasks[0].created_at`"),
        "{e}"
    );
    assert!(
        chain(&e).iter().any(|c| c.contains("line 1")),
        "{:?}",
        chain(&e)
    );
}

#[tokio::test]
async fn an_unknown_creation_outcome_keeps_what_went_wrong() {
    let addr = server(None).await;
    let e = client(&format!("http://{addr}"))
        .repo("o", "r")
        .create_task("x")
        .send()
        .await
        .unwrap_err();
    assert!(e.is_outcome_unknown(), "{e:?}");
    let Some(cause) = e.source() else {
        panic!("no cause: {e:?}")
    };
    assert!(cause.to_string().contains("no answer"), "{cause}");
}
