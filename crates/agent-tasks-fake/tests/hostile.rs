//! Hostile requests over raw TCP: bytes no HTTP client would send. Each gets a 4xx (or, for
//! framing hyper cannot answer, a closed connection), never a panic or a 5xx, and the fake
//! serves normal requests afterwards. Each bug once observed has its case here.

mod common;

use agent_tasks_fake::{Fake, MAX_API_BODY_BYTES};
use common::{raw, request};
use proptest::prelude::*;
use proptest::test_runner::{Config, TestRunner};

/// What a case must get.
#[derive(Debug, Clone, Copy)]
enum Expect {
    /// Exactly this status.
    Status(u16),
    /// Some 4xx.
    ClientError,
    /// Some 4xx, or the connection closed without an answer.
    ClientErrorOrClosed,
}

fn check(name: &str, got: &common::Raw, expect: Expect) {
    match (expect, got.status) {
        (Expect::Status(want), Some(status)) => assert_eq!(status, want, "{name}: {got:?}"),
        (Expect::ClientError | Expect::ClientErrorOrClosed, Some(status)) => {
            assert!((400..500).contains(&status), "{name}: {got:?}")
        }
        (Expect::ClientErrorOrClosed, None) => {}
        (_, None) => panic!("{name}: no answer"),
    }
}

/// A normal request still works, and the fake never answered 5xx.
async fn still_serves(fake: &Fake) {
    let ok = raw(fake.addr(), &request("GET", b"/agents/tasks", "", b"")).await;
    assert_eq!(ok.status, Some(200), "{ok:?}");
    let ok = raw(
        fake.addr(),
        &request(
            "POST",
            b"/agents/repos/octocat/hello-world/tasks",
            "",
            br#"{"prompt": "still here"}"#,
        ),
    )
    .await;
    assert_eq!(ok.status, Some(201), "{ok:?}");
    let state = fake.state();
    for (operation, statuses) in &state.requests {
        assert!(
            statuses.keys().all(|s| *s < 500),
            "{operation} answered 5xx: {statuses:?}"
        );
    }
}

#[tokio::test]
async fn a_percent_before_a_multibyte_character_does_not_poison_the_fake() {
    // `%a` then the UTF-8 bytes of `é`: the decoder sliced a `&str` inside the character and
    // panicked with the state lock held; every later request then panicked on the lock.
    let fake = Fake::builder().manual_clock().start().await.unwrap();
    for _ in 0..3 {
        let got = raw(
            fake.addr(),
            &request("GET", "/agents/tasks?state=%a\u{e9}".as_bytes(), "", b""),
        )
        .await;
        assert_eq!(got.status, Some(422), "{got:?}");
        assert_eq!(got.json()["errors"][0]["field"], "state");
    }
    let got = raw(
        fake.addr(),
        &request(
            "GET",
            "/agents/repos/%a\u{e9}/x%\u{e9}/tasks?page=%\u{e9}&state=%".as_bytes(),
            "",
            b"",
        ),
    )
    .await;
    assert_eq!(got.status, Some(404), "{got:?}");
    still_serves(&fake).await;
}

#[tokio::test]
async fn a_batch_of_hostile_requests_gets_4xx_and_the_fake_keeps_serving() {
    use Expect::*;
    let fake = Fake::builder().manual_clock().start().await.unwrap();
    let huge_header = format!("x-big: {}\r\n", "a".repeat(70 * 1024));
    let many_headers: String = (0..150).map(|i| format!("x-h{i}: v\r\n")).collect();
    let auth = common::AUTH;
    let cases: Vec<(&str, Vec<u8>, Expect)> = vec![
        // The request line and the URI.
        ("invalid UTF-8 in the path", request("GET", b"/agents/tasks/\xff\xfe", "", b""), ClientError),
        ("invalid UTF-8 in the query", request("GET", b"/agents/tasks?state=\xff", "", b""), ClientError),
        ("escaped invalid UTF-8 in the path", request("GET", b"/agents/tasks/%ff%fe%c3", "", b""), Status(404)),
        ("escaped invalid UTF-8 in the query", request("GET", b"/agents/tasks?state=%ff%c3", "", b""), Status(422)),
        ("a lone percent everywhere", request("GET", b"/agents/%/tasks%?%=%&%%", "", b""), Status(404)),
        ("an unknown method", request("BREW", b"/agents/tasks", "", b""), Status(404)),
        ("a control byte in the method", request("G\x01T", b"/agents/tasks", "", b""), ClientErrorOrClosed),
        ("an asterisk target", request("GET", b"*", "", b""), ClientErrorOrClosed),
        ("an absolute-form target", request("GET", b"http://elsewhere/agents/nope", "", b""), Status(404)),
        ("a path that is not a path", request("GET", b"agents", "", b""), ClientErrorOrClosed),
        ("garbage instead of HTTP", b"\x00\x01\x02 garbage\r\n\r\n".to_vec(), ClientErrorOrClosed),
        ("an unknown HTTP version", b"GET /agents/tasks HTTP/9.9\r\n\r\n".to_vec(), ClientErrorOrClosed),
        ("a header line without a colon", format!("GET /agents/tasks HTTP/1.1\r\n{auth}broken header\r\n\r\n").into_bytes(), ClientErrorOrClosed),
        // Lists with numbers out of range.
        ("the last page there is", request("GET", b"/agents/tasks?page=18446744073709551615&per_page=100", "", b""), Status(200)),
        ("a page beyond usize", request("GET", b"/agents/tasks?page=99999999999999999999999", "", b""), Status(422)),
        ("a negative per_page", request("GET", b"/agents/tasks?per_page=-1", "", b""), Status(422)),
        ("a NaN page", request("GET", b"/agents/tasks?page=NaN", "", b""), Status(422)),
        ("a creator id beyond i64", request("GET", b"/agents/repos/octocat/hello-world/tasks?creator_id=9223372036854775808", "", b""), Status(422)),
        ("a since that is no time", request("GET", b"/agents/tasks?since=%00", "", b""), Status(422)),
        // Headers.
        ("a huge header", request("GET", b"/agents/tasks", &huge_header, b""), Status(431)),
        ("too many headers", request("GET", b"/agents/tasks", &many_headers, b""), Status(431)),
        ("a non-ASCII token", b"GET /agents/tasks HTTP/1.1\r\nuser-agent: x\r\nauthorization: Bearer \xe9\xff\r\nconnection: close\r\n\r\n".to_vec(), Status(401)),
        ("a non-ASCII API version", b"GET /agents/tasks HTTP/1.1\r\nuser-agent: x\r\nauthorization: Bearer fake-token\r\nx-github-api-version: \xff\r\nconnection: close\r\n\r\n".to_vec(), Status(400)),
        // Bodies.
        ("a length that is not a number", format!("POST /agents/repos/octocat/hello-world/tasks HTTP/1.1\r\n{auth}content-length: abc\r\n\r\n{{}}").into_bytes(), ClientErrorOrClosed),
        ("a negative length", format!("POST /agents/repos/octocat/hello-world/tasks HTTP/1.1\r\n{auth}content-length: -1\r\n\r\n{{}}").into_bytes(), ClientErrorOrClosed),
        ("two different lengths", format!("POST /agents/repos/octocat/hello-world/tasks HTTP/1.1\r\n{auth}content-length: 2\r\ncontent-length: 3\r\n\r\n{{}}").into_bytes(), ClientErrorOrClosed),
        ("a broken chunk", format!("POST /agents/repos/octocat/hello-world/tasks HTTP/1.1\r\n{auth}transfer-encoding: chunked\r\n\r\nzz\r\n{{}}\r\n0\r\n\r\n").into_bytes(), ClientErrorOrClosed),
        ("a declared 500 MB body", format!("POST /agents/repos/octocat/hello-world/tasks HTTP/1.1\r\n{auth}connection: close\r\ncontent-length: 500000000\r\n\r\n{{\"prompt\":").into_bytes(), Status(413)),
        ("a declared 500 MB body expecting 100-continue", format!("POST /agents/repos/octocat/hello-world/tasks HTTP/1.1\r\n{auth}connection: close\r\nexpect: 100-continue\r\ncontent-length: 500000000\r\n\r\n").into_bytes(), Status(413)),
        ("a body of invalid UTF-8", request("POST", b"/agents/repos/octocat/hello-world/tasks", "", b"{\"prompt\": \"\xff\xfe\"}"), Status(400)),
        ("an array body", request("POST", b"/agents/repos/octocat/hello-world/tasks", "", b"[]"), Status(400)),
        ("a number for a prompt", request("POST", b"/agents/repos/octocat/hello-world/tasks", "", br#"{"prompt": 1e400}"#), Status(400)),
        ("a string for a flag", request("POST", b"/agents/repos/octocat/hello-world/tasks", "", br#"{"prompt": "x", "create_pull_request": "yes"}"#), Status(422)),
        ("deeply nested JSON", request("POST", b"/agents/repos/octocat/hello-world/tasks", "", "[".repeat(100_000).as_bytes()), Status(400)),
        // Control endpoints.
        ("an unknown control endpoint", request("DELETE", b"/_fake/state", "", b""), Status(404)),
        ("garbage faults", request("PUT", b"/_fake/faults", "", b"\xff{garbage"), Status(400)),
        ("a window of u64::MAX", request("PUT", b"/_fake/faults", "", br#"{"primary_window_secs": 18446744073709551615}"#), Status(400)),
        ("a window of i64::MAX", request("PUT", b"/_fake/faults", "", br#"{"primary_window_secs": 9223372036854775807}"#), Status(400)),
        ("a negative limit", request("PUT", b"/_fake/faults", "", br#"{"primary_limit": -1}"#), Status(400)),
        ("a rate above 1", request("PUT", b"/_fake/faults", "", br#"{"error_rate": 2}"#), Status(400)),
        ("a NaN rate", request("PUT", b"/_fake/faults", "", br#"{"error_rate": NaN}"#), Status(400)),
        ("an hour of latency", request("PUT", b"/_fake/faults", "", br#"{"latency_ms": 3600000}"#), Status(400)),
        ("a step of 1e15 seconds", request("POST", b"/_fake/clock/advance", "", br#"{"seconds": 1e15}"#), Status(400)),
        ("a step back in time", request("POST", b"/_fake/clock/advance", "", br#"{"seconds": -5}"#), Status(400)),
        ("a step of NaN", request("POST", b"/_fake/clock/advance", "", br#"{"seconds": NaN}"#), Status(400)),
        ("a step as text", request("POST", b"/_fake/clock/advance", "", br#"{"seconds": "10"}"#), Status(400)),
        ("a garbage script", request("POST", b"/_fake/outcomes", "", br#"{"prompt_contains": 1}"#), Status(400)),
        ("an outcome without a state", request("POST", b"/_fake/outcomes", "", br#"{"prompt_contains": "x", "outcome": {"state": ""}}"#), Status(400)),
        ("an outcome state that is not a word", request("POST", b"/_fake/outcomes", "", br#"{"prompt_contains": "x", "outcome": {"state": "a b\u001b"}}"#), Status(400)),
        ("an outcome state that is a number", request("POST", b"/_fake/outcomes", "", br#"{"prompt_contains": "x", "outcome": {"state": 5}}"#), Status(400)),
        ("a control body over its cap", request("PUT", b"/_fake/faults", "", &vec![b' '; 100 * 1024]), Status(413)),
    ];
    for (name, bytes, expect) in &cases {
        let got = raw(fake.addr(), bytes).await;
        check(name, &got, *expect);
        // The fake's own refusals (not hyper's bare 400/431) are GitHub-shaped.
        if got
            .header("content-type")
            .is_some_and(|t| t.starts_with("application/json"))
            && got.status.is_some_and(|s| s >= 400)
        {
            let body = got.json();
            assert!(body["message"].is_string(), "{name}: {body}");
        }
    }
    assert_eq!(
        fake.state().faults,
        agent_tasks_fake::Faults::default(),
        "no refused knob was applied"
    );
    assert!(
        fake.state().tasks.is_empty(),
        "no hostile creation stored a task"
    );
    still_serves(&fake).await;
}

#[tokio::test]
async fn a_declared_huge_body_is_refused_before_it_is_read() {
    let fake = Fake::builder().manual_clock().start().await.unwrap();
    let head = format!(
        "POST /agents/repos/octocat/hello-world/tasks HTTP/1.1\r\n{}connection: close\r\ncontent-length: 500000000\r\n\r\n",
        common::AUTH
    );
    let got = raw(fake.addr(), head.as_bytes()).await;
    assert_eq!(got.status, Some(413), "{got:?}");
    let body = got.json();
    assert!(
        body["message"]
            .as_str()
            .unwrap()
            .contains(&MAX_API_BODY_BYTES.to_string()),
        "{body}"
    );
    assert!(body["documentation_url"].is_string());
    assert!(got.header("x-github-request-id").is_some());
    assert_eq!(fake.state().requests["create_task_in_repo"][&413], 1);
    still_serves(&fake).await;
}

#[tokio::test]
async fn a_hostile_host_header_stays_out_of_links() {
    let fake = Fake::builder().manual_clock().start().await.unwrap();
    let got = raw(
        fake.addr(),
        format!(
            "GET /agents/tasks HTTP/1.1\r\nhost: a\"<b>,evil\r\nconnection: close\r\n{}\r\n",
            common::AUTH
        )
        .as_bytes(),
    )
    .await;
    assert_eq!(got.status, Some(200), "{got:?}");
    let link = got.header("link").expect("a list has links");
    assert!(
        link.starts_with(&format!("<{}/agents/tasks?", fake.url())),
        "{link}"
    );
    assert!(!link.contains("evil"), "{link}");
}

#[test]
fn arbitrary_targets_never_get_a_5xx() {
    let rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .unwrap();
    let fake = rt.block_on(Fake::builder().manual_clock().start()).unwrap();
    let target = prop_oneof![
        // Printable text (spaces and all) after an API-looking prefix.
        (
            prop_oneof![
                Just("/agents/tasks"),
                Just("/agents/repos/octocat/hello-world/tasks"),
                Just("/user"),
                Just("/_fake/state"),
            ],
            "[?/]?\\PC{0,40}"
        )
            .prop_map(|(p, rest)| format!("{p}{rest}").into_bytes()),
        // Escapes and query syntax in any order.
        proptest::collection::vec(
            prop_oneof![
                "%[0-9a-fA-F%]{0,2}",
                "[?&=+/,]",
                "[a-z_]{1,8}",
                "[\u{80}-\u{10ffff}]"
            ],
            0..20
        )
        .prop_map(|parts| format!("/agents/tasks?{}", parts.concat()).into_bytes()),
        // Any bytes at all.
        proptest::collection::vec(any::<u8>(), 0..40).prop_map(|mut b| {
            b.insert(0, b'/');
            b
        }),
    ];
    let method = prop_oneof![Just("GET"), Just("POST"), Just("PUT"), Just("PATCH")];
    let mut runner = TestRunner::new(Config {
        cases: 96,
        failure_persistence: None,
        ..Config::default()
    });
    runner
        .run(&(method, target), |(method, target)| {
            let got = rt.block_on(raw(fake.addr(), &request(method, &target, "", b"{}")));
            if let Some(status) = got.status {
                prop_assert!(
                    status < 500,
                    "{method} {:?}: {got:?}",
                    String::from_utf8_lossy(&target)
                );
            }
            Ok(())
        })
        .unwrap();
    rt.block_on(still_serves(&fake));
}
