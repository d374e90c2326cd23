//! The command against hostile input: arguments it cannot represent, endless files, server
//! text with terminal escapes, a closed pipe, a proxy that must not see the token, and errors
//! that say their cause on one line. No case may end in a panic (exit 101).

mod common;

use std::io::Read;
use std::process::Stdio;

use agent_tasks_fake::DEFAULT_TOKEN;
use common::*;

#[tokio::test(flavor = "multi_thread")]
async fn arguments_it_cannot_represent_are_usage_errors() {
    let fake = fake().await;
    for args in [
        &["list", "--since", "1e13"][..],
        &["list", "--since", "99999999999d"],
        &["list", "--since=-5"],
        &["wait", "id", "--interval", "1e19"],
        &["wait", "id", "--interval", "0"],
        &["wait", "id", "--timeout", "1e300"],
        &["list", "-L", "99999999999999999999999"],
        &["create", "octocat/hello-world", "-F", "/dev/zero"],
    ] {
        let r = run(&fake, args).await;
        assert_eq!(r.code, 2, "{args:?}: {}", r.stderr);
        assert!(!r.stderr.contains("panicked"), "{args:?}: {}", r.stderr);
    }
    let r = run(&fake, &["create", "octocat/hello-world", "-F", "/dev/zero"]).await;
    assert!(r.stderr.contains("longer than 1024 KiB"), "{}", r.stderr);
    assert_eq!(fake.state().requests_total, 0, "nothing was sent");
}

#[tokio::test(flavor = "multi_thread")]
async fn server_text_is_printed_inert() {
    let fake = fake().await;
    // The API accepts what the SDK refuses to send: a prompt with terminal escapes.
    let http = reqwest::Client::new();
    let r = http
        .post(format!(
            "{}/agents/repos/octocat/hello-world/tasks",
            fake.url()
        ))
        .header("authorization", format!("Bearer {DEFAULT_TOKEN}"))
        .header("user-agent", "hostile-test")
        .json(&serde_json::json!({"prompt": "\u{1b}[2J\u{1b}[31mred\u{7} alert\r"}))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status().as_u16(), 201);
    let id = r.json::<serde_json::Value>().await.unwrap()["id"]
        .as_str()
        .unwrap()
        .to_owned();
    for args in [&["list"][..], &["view", &id]] {
        let r = run(&fake, args).await;
        assert_eq!(r.code, 0, "{}", r.stderr);
        assert!(!r.stdout.contains('\u{1b}'), "{args:?}: {:?}", r.stdout);
        assert!(!r.stdout.contains('\u{7}') && !r.stdout.contains('\r'));
        assert!(r.stdout.contains("\\u{1b}[31mred"), "{:?}", r.stdout);
    }
    // --json is JSON: the escapes are JSON escapes.
    let r = run(&fake, &["--json", "view", &id]).await;
    assert!(!r.stdout.contains('\u{1b}'));
    assert!(json(&r)["name"].as_str().unwrap().contains('\u{1b}'));
}

#[tokio::test(flavor = "multi_thread")]
async fn a_closed_pipe_ends_the_command_quietly() {
    let fake = fake().await;
    let http = reqwest::Client::new();
    for i in 0..600 {
        http.post(format!("{}/agents/repos/octocat/hello-world/tasks", fake.url()))
            .header("authorization", format!("Bearer {DEFAULT_TOKEN}"))
            .header("user-agent", "pipe-test")
            .json(&serde_json::json!({"prompt": format!("A task with a name long enough to fill the pipe quickly, number {i}")}))
            .send()
            .await
            .unwrap();
    }
    // `agent-tasks list -L 600 | head -1`: the reader goes away after one line; the listing
    // is larger than a pipe's buffer, so the command writes into a closed pipe.
    let mut child = std::process::Command::new(env!("CARGO_BIN_EXE_agent-tasks"))
        .args(["list", "-L", "600"])
        .env("GH_TOKEN", DEFAULT_TOKEN)
        .env("GITHUB_API_URL", fake.url())
        .env("PATH", "/nonexistent")
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut first = [0u8; 16];
    child.stdout.take().unwrap().read_exact(&mut first).unwrap();
    // Dropping the read end closes the pipe.
    let status = tokio::task::spawn_blocking(move || child.wait_with_output())
        .await
        .unwrap()
        .unwrap();
    let stderr = String::from_utf8_lossy(&status.stderr);
    assert_ne!(status.status.code(), Some(101), "a panic: {stderr}");
    assert!(!stderr.contains("panicked"), "{stderr}");
}

#[tokio::test(flavor = "multi_thread")]
async fn errors_say_their_cause_on_one_line() {
    let fake = fake().await;
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let url = format!("http://127.0.0.1:{port}");
    let r = run(&fake, &["--base-url", &url, "list"]).await;
    assert_eq!(r.code, 1, "{}", r.stderr);
    assert_eq!(r.stderr.lines().count(), 1, "{}", r.stderr);
    assert!(
        r.stderr.starts_with(&format!(
            "agent-tasks: cannot reach {url}: connection refused"
        )),
        "{}",
        r.stderr
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn a_proxy_never_sees_the_token_of_a_loopback_base_url() {
    let fake = fake().await;
    let proxy = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    proxy.set_nonblocking(true).unwrap();
    let proxy_url = format!("http://{}", proxy.local_addr().unwrap());
    let r = run_env(
        &fake,
        &["list"],
        &[
            ("HTTP_PROXY", &proxy_url),
            ("http_proxy", &proxy_url),
            ("ALL_PROXY", &proxy_url),
            ("HTTPS_PROXY", &proxy_url),
        ],
    )
    .await;
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert!(
        proxy.accept().is_err(),
        "the proxy was contacted: the token would have travelled in clear"
    );
    assert_eq!(
        fake.state().requests_of("list_tasks"),
        1,
        "it went straight to the fake"
    );
}

#[test]
fn an_interval_under_a_second_against_github_is_a_usage_error_before_anything_is_sent() {
    // The host does not resolve: the refusal must come before any request.
    for args in [
        &["wait", "t1", "--interval", "500ms"][..],
        &["wait", "t1", "t2", "--interval", "500ms"],
        &["watch", "--interval", "500ms", "--timeout", "1s"],
        // The task would be started (and paid for) before the wait refused its interval.
        &[
            "create",
            "octocat/hello-world",
            "Fix it",
            "--wait",
            "--interval",
            "500ms",
        ],
    ] {
        let out = std::process::Command::new(env!("CARGO_BIN_EXE_agent-tasks"))
            .args(args)
            .args(["--base-url", "https://api.github.invalid"])
            .env("GH_TOKEN", "ghp_aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa")
            .env_remove("GITHUB_TOKEN")
            .env("PATH", "/nonexistent")
            .output()
            .unwrap();
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(2), "{args:?}: {stderr}");
        assert!(
            stderr.contains("interval") && stderr.contains("at least 1s"),
            "{args:?}: {stderr}"
        );
        assert!(!stderr.contains("cannot reach"), "{args:?}: {stderr}");
    }
}
