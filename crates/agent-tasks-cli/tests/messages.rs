//! Messages a newcomer understands: what to do comes first, the details after.

mod common;

use std::io::{BufRead, BufReader, Write};
use std::net::TcpListener;

use common::*;

/// A server that loses every task creation after reading it (the connection closes without an
/// answer) and lists no task: the creation's outcome stays unknown.
fn losing_server() -> String {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let url = format!("http://{}", listener.local_addr().unwrap());
    std::thread::spawn(move || {
        for stream in listener.incoming().flatten() {
            let mut reader = BufReader::new(stream);
            let mut head = String::new();
            let mut length = 0usize;
            loop {
                let mut line = String::new();
                if reader.read_line(&mut line).unwrap_or(0) == 0 || line == "\r\n" {
                    break;
                }
                if let Some(v) = line.to_ascii_lowercase().strip_prefix("content-length:") {
                    length = v.trim().parse().unwrap_or(0);
                }
                head.push_str(&line);
            }
            let mut body = vec![0; length];
            let _ = std::io::Read::read_exact(&mut reader, &mut body);
            let mut stream = reader.into_inner();
            let answer = if head.starts_with("POST") {
                continue; // dropped: the connection closes unanswered
            } else if head.starts_with("GET /user ") {
                r#"{"login":"me","id":7}"#
            } else {
                r#"{"tasks":[]}"#
            };
            let _ = write!(
                stream,
                "HTTP/1.1 200 OK\r\ncontent-type: application/json\r\ncontent-length: {}\r\nconnection: close\r\n\r\n{answer}",
                answer.len()
            );
        }
    });
    url
}

#[tokio::test(flavor = "multi_thread")]
async fn an_unknown_outcome_leads_with_what_to_do() {
    let fake = fake().await;
    let url = losing_server();
    let r = run(
        &fake,
        &["--base-url", &url, "create", "octocat/hello-world", "Do it"],
    )
    .await;
    assert_eq!(r.code, 1, "{}", r.stderr);
    let first = r.stderr.lines().next().unwrap_or_default();
    assert!(
        first.contains("the task may have been started, or may not"),
        "{}",
        r.stderr
    );
    let text = r.stderr.to_lowercase();
    let advice = text.find("before you start it again").unwrap_or(usize::MAX);
    let details = text.find("details:").unwrap_or(0);
    assert!(
        advice < details,
        "the advice comes before the details: {}",
        r.stderr
    );
    assert!(
        !text.contains("look for the task before starting it again"),
        "the advice is given once: {}",
        r.stderr
    );
    assert!(
        text[details..].contains("listed"),
        "what was checked: {}",
        r.stderr
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn view_web_with_a_browser_that_fails_says_so_and_exits_non_zero() {
    let fake = fake().await;
    let r = run_env(
        &fake,
        &[
            "view",
            "--web",
            "https://github.com/octocat/hello-world/copilot/tasks/t1",
        ],
        &[("BROWSER", "/bin/false")],
    )
    .await;
    assert_eq!(r.code, 1, "{}{}", r.stdout, r.stderr);
    assert!(r.stderr.contains("browser"), "{}", r.stderr);
    assert!(
        r.stderr
            .contains("https://github.com/octocat/hello-world/copilot/tasks/t1"),
        "the page to open by hand: {}",
        r.stderr
    );
}
