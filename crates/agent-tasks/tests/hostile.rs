//! The SDK against a hostile server: every answer here is one a broken proxy, a confused cache
//! or an attacker could send. Each case ends in a bounded number of requests and bounded time,
//! with a clear error or the right answer, never a panic.
//!
//! Waits run on a clock that does not really sleep ([`Naps`]), except where a real deadline is
//! the point (a hung server), and then it is a few hundred milliseconds.

#[path = "hostile/mod.rs"]
mod hostile;

use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use agent_tasks::clock::Clock;
use agent_tasks::retry::{RateLimitPolicy, RetryPolicy};
use agent_tasks::{Client, Error};
use chrono::{TimeDelta, Utc};
use futures_util::StreamExt;
use hostile::*;
use serde_json::json;

const REQUEST_ID: &str = "CAFE:1234:5678:9ABC";

fn not_modified() -> Reply {
    response("304 Not Modified", &[], "")
}

fn a_task() -> serde_json::Value {
    task_with_session("t1", Utc::now(), 7, "Fix it")
}

/// Every request the client sent carried no `If-None-Match`: any 304 was unasked for.
fn none_conditional(server: &Hostile) {
    for r in server.log() {
        assert_eq!(r.header("if-none-match"), None, "{}", r.text());
    }
}

fn assert_unrequested_304(e: &Error) {
    assert_eq!(e.status().map(|s| s.as_u16()), Some(304), "{e:?}");
    assert!(!matches!(e, Error::Internal(_)), "not a bug of ours: {e:?}");
    let hint = e.hint().unwrap_or_default();
    assert!(
        hint.contains("If-None-Match") && !hint.contains("redirect"),
        "the hint says what happened: {hint}"
    );
    assert!(!e.is_retryable(), "{e:?}");
}

// 1. A `304 Not Modified` nobody asked for. ---------------------------------------------------

#[tokio::test]
async fn an_unrequested_304_on_get_is_a_clear_error() {
    let server = Hostile::always(not_modified).await;
    let clock = Naps::new();
    let e = client(&server, &clock).task("t1").send().await.unwrap_err();
    assert_unrequested_304(&e);
    assert_eq!(server.requests(), 1);
    none_conditional(&server);
}

#[tokio::test]
async fn an_unrequested_304_on_a_list_is_a_clear_error() {
    let server = Hostile::always(not_modified).await;
    let clock = Naps::new();
    let c = client(&server, &clock);
    let e = c.list_tasks().send().await.unwrap_err();
    assert_unrequested_304(&e);
    let e = c.repo("o", "r").list_tasks().send().await.unwrap_err();
    assert_unrequested_304(&e);
    assert_eq!(server.requests(), 2);
    none_conditional(&server);
}

#[tokio::test]
async fn an_unrequested_304_ends_a_stream_after_one_request() {
    let server = Hostile::always(not_modified).await;
    let clock = Naps::new();
    let items: Vec<_> = client(&server, &clock)
        .list_tasks()
        .stream()
        .take(10)
        .collect()
        .await;
    assert_eq!(items.len(), 1, "one error, then the end");
    assert_unrequested_304(items[0].as_ref().unwrap_err());
    assert_eq!(server.requests(), 1);
}

#[tokio::test]
async fn an_unrequested_304_ends_a_wait_at_once() {
    let server = Hostile::always(not_modified).await;
    let clock = Naps::new();
    let e = client(&server, &clock)
        .task("t1")
        .wait()
        .timeout(Duration::from_secs(3))
        .send()
        .await
        .unwrap_err();
    assert_unrequested_304(&e);
    assert_eq!(server.requests(), 1);

    // A first answer without an `ETag`: the next poll is not conditional either, so its 304 is
    // an error too, not "unchanged".
    let calls = AtomicUsize::new(0);
    let server = Hostile::start(move |_| match calls.fetch_add(1, Ordering::SeqCst) {
        0 => json("200 OK", &[], &a_task()),
        _ => not_modified(),
    })
    .await;
    let e = client(&server, &clock)
        .task("t1")
        .wait()
        .interval(Duration::from_secs(1))
        .timeout(Duration::from_secs(3))
        .send()
        .await
        .unwrap_err();
    assert_unrequested_304(&e);
    assert_eq!(server.requests(), 2);
    none_conditional(&server);
}

#[tokio::test]
async fn a_wait_that_only_ever_hears_304_stops_at_its_deadline() {
    let calls = AtomicUsize::new(0);
    let server = Hostile::start(move |_| match calls.fetch_add(1, Ordering::SeqCst) {
        0 => json("200 OK", &[("etag", "\"v1\"")], &a_task()),
        _ => not_modified(),
    })
    .await;
    let clock = Naps::new();
    let e = client(&server, &clock)
        .task("t1")
        .wait()
        .interval(Duration::from_millis(100))
        .timeout(Duration::from_secs(3))
        .send()
        .await
        .unwrap_err();
    let Error::WaitTimedOut { waited, last } = &e else {
        panic!("expected WaitTimedOut, got {e:?}")
    };
    assert_eq!(*waited, Duration::from_secs(3));
    assert_eq!(last.as_ref().map(|t| t.id.as_str()), Some("t1"));
    assert!(
        clock.slept() <= Duration::from_secs(3),
        "{:?}",
        clock.naps()
    );
    // A 304 is free on the rate limit, so the interval stays at 0.1 s: 30 naps in 3 s, each
    // followed by a poll (the last nap ends at the deadline, which no poll follows).
    assert!(
        clock
            .naps()
            .iter()
            .all(|d| *d == Duration::from_millis(100)),
        "{:?}",
        clock.naps()
    );
    assert!(
        (30..=31).contains(&server.requests()),
        "{} requests",
        server.requests()
    );
    for r in server.log().iter().skip(1) {
        assert_eq!(r.header("if-none-match").as_deref(), Some("\"v1\""));
    }
}

// 2. Pagination that does not move forward. -------------------------------------------------

fn page_with_next(next: &str, id: &str) -> Reply {
    json(
        "200 OK",
        &[("link", &format!("<{next}>; rel=\"next\""))],
        &list(vec![task(id, Utc::now(), 7)]),
    )
}

#[tokio::test]
async fn a_next_link_that_always_points_at_page_2_ends_with_a_pagination_error() {
    let server = Hostile::start(|r| {
        page_with_next(
            "http://127.0.0.1:1/agents/tasks?page=2",
            &format!("t{}", r.index),
        )
    })
    .await;
    let clock = Naps::new();
    let items: Vec<_> = client(&server, &clock)
        .list_tasks()
        .stream()
        .take(100)
        .collect()
        .await;
    assert_eq!(items.len(), 3, "{items:?}");
    assert!(items[0].is_ok() && items[1].is_ok());
    assert!(
        matches!(items[2], Err(Error::Pagination { .. })),
        "{:?}",
        items[2]
    );
    assert_eq!(server.requests(), 2, "page 1, page 2, then stop");
    let pages: Vec<Option<String>> = server
        .log()
        .iter()
        .map(|r| r.query("page").map(str::to_owned))
        .collect();
    assert_eq!(pages, [None, Some("2".to_owned())]);
}

#[tokio::test]
async fn wait_for_all_over_empty_pages_whose_next_link_always_advances_is_bounded() {
    let server = Hostile::start(|r| {
        let page: u64 = r.query("page").and_then(|p| p.parse().ok()).unwrap_or(1);
        json(
            "200 OK",
            &[(
                "link",
                &format!("</agents/tasks?page={}>; rel=\"next\"", page + 1),
            )],
            &list(vec![]),
        )
    })
    .await;
    let clock = Naps::new();
    let c = client(&server, &clock);
    let mine: agent_tasks::Task = serde_json::from_value(task("t1", Utc::now(), 7)).unwrap();
    let e = c
        .wait_for_all([&mine])
        .interval(Duration::from_secs(1))
        .timeout(Duration::from_secs(60))
        .send()
        .await
        .unwrap_err();
    assert!(
        matches!(
            e,
            Error::TaskNotListed { .. } | Error::WaitAllTimedOut { .. }
        ),
        "{e:?}"
    );
    // An empty page ends each poll's walk: one request per poll, a few polls.
    assert!(server.requests() <= 3, "{} requests", server.requests());
}

#[tokio::test]
async fn wait_for_all_over_endless_full_pages_stops_at_its_deadline() {
    // Pages of other people's tasks, always with a next page and no totals: only the
    // deadline (a real one: it bounds the request in flight) can end this poll.
    let server = Hostile::start(|r| {
        let page: u64 = r.query("page").and_then(|p| p.parse().ok()).unwrap_or(1);
        let tasks = (0..100)
            .map(|i| task(&format!("other-{page}-{i}"), Utc::now(), 7))
            .collect();
        json(
            "200 OK",
            &[(
                "link",
                &format!("</agents/tasks?page={}>; rel=\"next\"", page + 1),
            )],
            &list(tasks),
        )
    })
    .await;
    let c = Client::builder()
        .token(TOKEN)
        .base_url(server.url())
        .retry(RetryPolicy::none())
        .build()
        .unwrap();
    let mine: agent_tasks::Task = serde_json::from_value(task("t1", Utc::now(), 7)).unwrap();
    let started = Instant::now();
    let e = c
        .wait_for_all([&mine])
        .timeout(Duration::from_millis(300))
        .send()
        .await
        .unwrap_err();
    assert!(matches!(e, Error::WaitAllTimedOut { .. }), "{e:?}");
    assert!(started.elapsed() < Duration::from_secs(3));
    println!(
        "endless full pages: the wait stopped at its 300 ms deadline after {} requests",
        server.requests()
    );
}

#[tokio::test]
async fn a_next_link_without_a_page_number_after_the_last_page_number_is_an_error() {
    let server =
        Hostile::start(|r| page_with_next("/agents/tasks?per_page=1", &format!("t{}", r.index)))
            .await;
    let clock = Naps::new();
    let items: Vec<_> = client(&server, &clock)
        .list_tasks()
        .page(u32::MAX)
        .stream()
        .take(100)
        .collect()
        .await;
    assert_eq!(items.len(), 2, "{items:?}");
    assert!(items[0].is_ok());
    assert!(
        matches!(&items[1], Err(Error::Pagination { reason }) if reason.contains("4294967295")),
        "{:?}",
        items[1]
    );
    assert_eq!(server.requests(), 1);
    assert_eq!(server.log()[0].query("page"), Some("4294967295"));
}

#[tokio::test]
async fn a_next_link_whose_page_number_cannot_be_read_is_not_guessed() {
    for next in [
        "/agents/tasks?page=4294967296",
        "/agents/tasks?page=-1",
        "/agents/tasks?page=two",
        "/agents/tasks?page=",
    ] {
        let server = Hostile::start(move |r| page_with_next(next, &format!("t{}", r.index))).await;
        let clock = Naps::new();
        let items: Vec<_> = client(&server, &clock)
            .list_tasks()
            .stream()
            .take(100)
            .collect()
            .await;
        assert!(
            matches!(items.last(), Some(Err(Error::Pagination { .. }))),
            "{next}: {items:?}"
        );
        assert_eq!(server.requests(), 1, "{next}: no page is made up");
    }
}

#[tokio::test]
async fn a_next_link_with_a_cursor_and_no_page_number_is_not_followed_by_guessing() {
    // Seen: the same task printed 1,000 times, as the walk asked for page 2, 3, ... of a server
    // whose links carry a cursor and which ignores `page`.
    let server = Hostile::start(|_| page_with_next("/agents/tasks?after=Y3Vyc29y", "same")).await;
    let clock = Naps::new();
    let items: Vec<_> = client(&server, &clock)
        .list_tasks()
        .stream()
        .take(1000)
        .collect()
        .await;
    assert_eq!(items.len(), 2, "{items:?}");
    assert_eq!(items[0].as_ref().map(|t| t.id.as_str()).ok(), Some("same"));
    assert!(
        matches!(&items[1], Err(Error::Pagination { reason }) if reason.contains("after=Y3Vyc29y")),
        "the error names the link: {:?}",
        items[1]
    );
    assert_eq!(server.requests(), 1, "nothing is asked for by guessing");
}

#[tokio::test]
async fn a_server_that_ignores_the_page_number_gets_each_task_yielded_once() {
    // Its links count up, but every page is the same two tasks.
    let server = Hostile::start(|r| {
        let page: u64 = r.query("page").and_then(|p| p.parse().ok()).unwrap_or(1);
        json(
            "200 OK",
            &[(
                "link",
                &format!("</agents/tasks?page={}>; rel=\"next\"", page + 1),
            )],
            &list(vec![task("a", Utc::now(), 7), task("b", Utc::now(), 7)]),
        )
    })
    .await;
    let clock = Naps::new();
    let items: Vec<_> = client(&server, &clock)
        .list_tasks()
        .stream()
        .take(1000)
        .collect()
        .await;
    let ids: Vec<&str> = items
        .iter()
        .filter_map(|t| t.as_ref().ok())
        .map(|t| t.id.as_str())
        .collect();
    assert_eq!(ids, ["a", "b"], "{items:?}");
    assert!(
        matches!(items.last(), Some(Err(Error::Pagination { reason })) if reason.contains("page=4")),
        "{:?}",
        items.last()
    );
    assert_eq!(
        server.requests(),
        3,
        "two pages of nothing new end the walk"
    );
}

// 3. A creation answered with a status the spec does not name. ------------------------------

/// A server for reconciliation: the creation gets `create`, `GET /user` says user 7, the list
/// shows `listed` (with `Date: date`), and each task's detail asks `prompt`.
fn reconciling_server(
    create: impl Fn() -> Reply + Send + Sync + 'static,
    listed: Vec<serde_json::Value>,
    date: chrono::DateTime<Utc>,
    prompt: &'static str,
) -> impl Fn(&Request) -> Reply + Send + Sync + 'static {
    reconciling_server_keeping(create, listed, date, prompt, true)
}

/// `reconciling_server`, which keeps the creation's marker in the stored prompt or, like a
/// GitHub that dropped the HTML comment, does not.
fn reconciling_server_keeping(
    create: impl Fn() -> Reply + Send + Sync + 'static,
    listed: Vec<serde_json::Value>,
    date: chrono::DateTime<Utc>,
    prompt: &'static str,
    keep_marker: bool,
) -> impl Fn(&Request) -> Reply + Send + Sync + 'static {
    // The prompt as the creation sent it (with its marker), for a listed task that asks for
    // `prompt`: the server stored what it was sent.
    let posted = std::sync::Mutex::new(None::<String>);
    move |r| {
        let path = r.path();
        if r.method == "POST" {
            let body: serde_json::Value = serde_json::from_slice(&r.body).unwrap_or_default();
            *posted.lock().unwrap() = body["prompt"].as_str().map(str::to_owned);
            create()
        } else if path == "/user" {
            json("200 OK", &[], &json!({"login": "me", "id": 7}))
        } else if path == "/agents/repos/o/r/tasks" {
            json(
                "200 OK",
                &[("date", &http_date(date))],
                &list(listed.clone()),
            )
        } else if let Some(id) = path.strip_prefix("/agents/repos/o/r/tasks/") {
            let created = listed
                .iter()
                .find(|t| t["id"] == id)
                .and_then(|t| t["created_at"].as_str())
                .and_then(|t| t.parse().ok())
                .unwrap_or(date);
            let sent = posted.lock().unwrap().clone();
            let asked = sent.filter(|p| keep_marker && p.starts_with(prompt));
            json(
                "200 OK",
                &[],
                &task_with_session(id, created, 7, asked.as_deref().unwrap_or(prompt)),
            )
        } else {
            response("418 Unexpected", &[], format!("unexpected {}", r.target))
        }
    }
}

#[tokio::test]
async fn a_creation_answered_200_or_202_with_a_task_is_a_created_task() {
    for status in ["200 OK", "202 Accepted"] {
        let server =
            Hostile::always(move || json(status, &[], &task("new-1", Utc::now(), 7))).await;
        let clock = Naps::new();
        let task = client(&server, &clock)
            .repo("o", "r")
            .create_task("Fix it")
            .send()
            .await
            .unwrap_or_else(|e| panic!("{status}: {e:?}"));
        assert_eq!(task.id, "new-1");
        assert_eq!(server.requests(), 1, "{status}: nothing else was asked");
    }
}

#[tokio::test]
async fn a_creation_answered_2xx_with_an_undecodable_body_is_reconciled() {
    for (status, body) in [
        ("201 Created", "{\"id\": "),
        ("201 Created", "{\"id\": 5}"),
        ("200 OK", "<html>proxy</html>"),
        ("202 Accepted", ""),
        ("204 No Content", ""),
    ] {
        let server = Hostile::start(reconciling_server(
            move || response(status, &[("content-type", "application/json")], body),
            vec![],
            Utc::now(),
            "Fix it",
        ))
        .await;
        let clock = Naps::new();
        let e = client(&server, &clock)
            .repo("o", "r")
            .create_task("Fix it")
            .send()
            .await
            .unwrap_err();
        assert!(e.is_outcome_unknown(), "{status} {body:?}: {e:?}");
        assert!(
            !e.is_retryable(),
            "{status}: a retry would risk a duplicate"
        );
        let log = server.log();
        assert_eq!(log.iter().filter(|r| r.method == "POST").count(), 1);
        assert!(
            log.iter()
                .any(|r| r.path() == "/agents/repos/o/r/tasks" && r.method == "GET"),
            "{status}: the task was looked for"
        );
    }

    // And when the list shows the task, it is the answer.
    let now = Utc::now();
    let server = Hostile::start(reconciling_server(
        || response("201 Created", &[], "{\"id\": \"t-9\", \"state\": "),
        vec![task("t-9", now, 7)],
        now,
        "Fix it",
    ))
    .await;
    let clock = Naps::new();
    let task = client(&server, &clock)
        .repo("o", "r")
        .create_task("Fix it")
        .send()
        .await
        .unwrap();
    assert_eq!(task.id, "t-9");
}

#[tokio::test]
async fn a_search_that_reaches_past_its_window_ignores_a_next_link_it_would_refuse() {
    // The creation's answer is lost; the first page of the search holds the new task and an
    // older one, so the search is complete there, and its next link (a cursor, which a walk
    // refuses to follow) is never needed.
    let now = Utc::now();
    let older = task("t-1", now - chrono::TimeDelta::hours(1), 7);
    let inner = reconciling_server(
        || json("500 Internal Server Error", &[], &github_error("boom")),
        vec![task("t-9", now, 7)],
        now,
        "Fix it",
    );
    let server = Hostile::start(move |r| {
        if r.method == "GET" && r.path() == "/agents/repos/o/r/tasks" {
            json(
                "200 OK",
                &[
                    ("date", &http_date(now)),
                    ("link", "</agents/repos/o/r/tasks?cursor=abc>; rel=\"next\""),
                ],
                &list(vec![task("t-9", now, 7), older.clone()]),
            )
        } else {
            inner(r)
        }
    })
    .await;
    let clock = Naps::new();
    let task = client(&server, &clock)
        .repo("o", "r")
        .create_task("Fix it")
        .send()
        .await
        .expect("the task the search found");
    assert_eq!(task.id, "t-9");
    let lists = server
        .log()
        .iter()
        .filter(|r| r.path() == "/agents/repos/o/r/tasks" && r.method == "GET")
        .count();
    assert_eq!(lists, 1, "the cursor was not followed");
}

// 4. Ids that would change a request's path. ---------------------------------------------------

#[tokio::test]
async fn a_marker_github_dropped_still_finds_the_task_but_claims_none_from_the_same_second() {
    // The stored prompt lacks the creation's marker. A match created in the second the request
    // left is a candidate only; one created seconds later (the request took 5 s) is claimed.
    for (took, created_after, claimed) in [(0i64, 0i64, false), (5, 3, true)] {
        let now = Utc::now();
        let clock = Naps::new();
        let during = clock.clone();
        let server = Hostile::start(reconciling_server_keeping(
            move || {
                during.advance(Duration::from_secs(took.unsigned_abs()));
                json("500 Internal Server Error", &[], &github_error("boom"))
            },
            vec![task(
                "t-9",
                now + chrono::TimeDelta::seconds(created_after),
                7,
            )],
            now + chrono::TimeDelta::seconds(took),
            "Fix it",
            false,
        ))
        .await;
        let told = client(&server, &clock)
            .repo("o", "r")
            .create_task("Fix it")
            .send()
            .await;
        match (&told, claimed) {
            (Ok(t), true) => assert_eq!(t.id, "t-9"),
            (Err(Error::OutcomeUnknown { candidates, .. }), false) => {
                assert_eq!(candidates, &["t-9".to_owned()], "{told:?}")
            }
            _ => panic!("took {took} s: {told:?}"),
        }
    }
}

/// Ids that cannot stay one path segment: everything else is percent-encoded as one.
const UNUSABLE_IDS: [&str; 4] = [".", "..", "", "a\\b"];

#[tokio::test]
async fn a_creation_answered_with_an_odd_but_usable_id_is_a_created_task() {
    // Seen: a mock of GitHub's published schema handed out ids with spaces; the task was
    // created, but the client refused its id and the command exited 1 without printing it.
    for id in ["a b", "a/b", "%2e%2e", "a?b#c", "t\u{e9}che", "a\tb"] {
        let server =
            Hostile::always(move || json("201 Created", &[], &task(id, Utc::now(), 7))).await;
        let clock = Naps::new();
        let created = client(&server, &clock)
            .repo("o", "r")
            .create_task("Fix it")
            .send()
            .await
            .unwrap_or_else(|e| panic!("{id:?}: {e:?}"));
        assert_eq!(created.id, id);
    }
}

#[tokio::test]
async fn a_creation_answered_with_an_unusable_id_keeps_the_task() {
    for id in UNUSABLE_IDS {
        let server =
            Hostile::always(move || json("201 Created", &[], &task(id, Utc::now(), 7))).await;
        let clock = Naps::new();
        let e = client(&server, &clock)
            .repo("o", "r")
            .create_task("Fix it")
            .send()
            .await
            .unwrap_err();
        let Error::CreatedWithUnusableId { id: got, task, .. } = &e else {
            panic!("{id:?}: expected CreatedWithUnusableId, got {e:?}")
        };
        assert_eq!((got.as_str(), task.id.as_str()), (id, id));
        assert_eq!(server.requests(), 1);
    }
}

#[tokio::test]
async fn unusable_ids_in_a_list_never_go_into_a_path() {
    let now = Utc::now();
    let listed: Vec<_> = UNUSABLE_IDS.iter().map(|id| task(id, now, 7)).collect();
    // A creation whose outcome is unknown (a 500), so the list is searched.
    let server = Hostile::start(reconciling_server(
        || json("500 Internal Server Error", &[], &github_error("boom")),
        listed.clone(),
        now,
        "Fix it",
    ))
    .await;
    let clock = Naps::new();
    let c = client(&server, &clock);
    let e = c
        .repo("o", "r")
        .create_task("Fix it")
        .send()
        .await
        .unwrap_err();
    assert!(e.is_outcome_unknown(), "{e:?}");
    assert!(e.to_string().contains("cannot be used"), "{e}");
    // An idempotency key's lookup reads the listed tasks too: not these.
    let key = c
        .repo("o", "r")
        .create_task("Fix it")
        .idempotency_key("k-1")
        .send()
        .await;
    assert!(key.unwrap_err().is_outcome_unknown());
    for r in server.log() {
        assert!(
            r.method == "POST" || r.path() == "/user" || r.path() == "/agents/repos/o/r/tasks",
            "a listed id went into a path: {}",
            r.target
        );
    }
}

// 5. Bodies without end. --------------------------------------------------------------------

const SMALL_CAP: u64 = 64 * 1024;
/// How much of an error answer the client reads (the transport's limit).
const ERROR_BODY_LIMIT: u64 = 64 * 1024;
/// What the kernel may hold besides what the client read: both sockets' buffers.
const KERNEL_SLACK: u64 = 8 * 1024 * 1024;

#[tokio::test]
async fn an_endless_chunked_answer_is_body_too_large_after_about_the_cap() {
    let server = Hostile::always(|| endless("200 OK", &[], true)).await;
    let clock = Naps::new();
    let started = Instant::now();
    let e = builder(&server, &clock)
        .max_response_bytes(SMALL_CAP)
        .build()
        .unwrap()
        .task("t1")
        .send()
        .await
        .unwrap_err();
    assert!(
        matches!(
            e,
            Error::BodyTooLarge {
                limit: SMALL_CAP,
                declared: None
            }
        ),
        "{e:?}"
    );
    assert!(started.elapsed() < Duration::from_secs(5));
    // The server stops being read: what it managed to write stays put.
    tokio::time::sleep(Duration::from_millis(100)).await;
    let written = server.bytes_written();
    tokio::time::sleep(Duration::from_millis(100)).await;
    assert_eq!(server.bytes_written(), written, "nobody reads any more");
    assert!(
        written < SMALL_CAP + KERNEL_SLACK,
        "{written} bytes written"
    );
    println!(
        "endless chunked body, cap 64 KiB: the server wrote {written} bytes before the client hung up"
    );
    assert_eq!(server.requests(), 1);
}

#[tokio::test]
async fn a_declared_length_of_three_gigabytes_is_refused_before_reading() {
    let server = Hostile::always(|| endless("200 OK", &[], false)).await;
    let clock = Naps::new();
    let e = builder(&server, &clock)
        .max_response_bytes(SMALL_CAP)
        .build()
        .unwrap()
        .list_tasks()
        .send()
        .await
        .unwrap_err();
    assert!(
        matches!(
            e,
            Error::BodyTooLarge {
                limit: SMALL_CAP,
                declared: Some(3_000_000_000)
            }
        ),
        "{e:?}"
    );
    tokio::time::sleep(Duration::from_millis(100)).await;
    assert!(
        server.bytes_written() < KERNEL_SLACK,
        "{}",
        server.bytes_written()
    );
}

#[tokio::test]
async fn an_endless_error_answer_is_read_up_to_64_kib_and_keeps_its_status() {
    // The default cap (16 MiB) is far away: the error body's own limit is what stops it.
    let server = Hostile::always(|| {
        endless(
            "500 Internal Server Error",
            &[("x-github-request-id", REQUEST_ID)],
            true,
        )
    })
    .await;
    let clock = Naps::new();
    let e = client(&server, &clock).task("t1").send().await.unwrap_err();
    assert_eq!(e.status().map(|s| s.as_u16()), Some(500), "{e:?}");
    assert_eq!(e.request_id(), Some(REQUEST_ID));
    assert!(e.is_retryable());
    tokio::time::sleep(Duration::from_millis(100)).await;
    let one = server.bytes_written();
    assert!(one < ERROR_BODY_LIMIT + KERNEL_SLACK, "{one} bytes written");

    // With retries: each attempt reads as little, and the retries end.
    let server = Hostile::always(|| endless("503 Service Unavailable", &[], true)).await;
    let e = builder(&server, &clock)
        .retry(RetryPolicy::default())
        .build()
        .unwrap()
        .task("t1")
        .send()
        .await
        .unwrap_err();
    assert_eq!(e.status().map(|s| s.as_u16()), Some(503));
    assert_eq!(server.requests(), 5, "the first attempt and four retries");
    tokio::time::sleep(Duration::from_millis(100)).await;
    println!(
        "endless 5xx bodies: {one} bytes written for one attempt, {} for five",
        server.bytes_written()
    );
}

#[tokio::test]
async fn an_endless_answer_to_a_creation_is_reconciled_not_resent() {
    let server = Hostile::start(reconciling_server(
        || endless("201 Created", &[], true),
        vec![],
        Utc::now(),
        "Fix it",
    ))
    .await;
    let clock = Naps::new();
    let e = builder(&server, &clock)
        .max_response_bytes(SMALL_CAP)
        .build()
        .unwrap()
        .repo("o", "r")
        .create_task("Fix it")
        .send()
        .await
        .unwrap_err();
    let Error::OutcomeUnknown { cause, .. } = &e else {
        panic!("expected OutcomeUnknown, got {e:?}")
    };
    assert!(matches!(**cause, Error::BodyTooLarge { .. }), "{cause:?}");
    assert_eq!(
        server.log().iter().filter(|r| r.method == "POST").count(),
        1
    );
}

// 6. `Retry-After` and rate-limit figures. ----------------------------------------------------

/// A 429 with these headers for the first request, then a task.
async fn naps_after_429(
    headers: Vec<(String, String)>,
) -> (Vec<Duration>, usize, Result<(), Error>) {
    let calls = AtomicUsize::new(0);
    let server = Hostile::start(move |_| match calls.fetch_add(1, Ordering::SeqCst) {
        0 => {
            let h: Vec<(&str, &str)> = headers
                .iter()
                .map(|(n, v)| (n.as_str(), v.as_str()))
                .collect();
            json(
                "429 Too Many Requests",
                &h,
                &github_error("You have exceeded a secondary rate limit"),
            )
        }
        _ => json("200 OK", &[], &a_task()),
    })
    .await;
    let clock = Naps::new();
    let result = builder(&server, &clock)
        .retry(RetryPolicy::default())
        .build()
        .unwrap()
        .task("t1")
        .send()
        .await
        .map(drop);
    (clock.naps(), server.requests(), result)
}

#[tokio::test]
async fn retry_after_values_give_sane_waits() {
    let now = Utc::now();
    let h = |pairs: &[(&str, String)]| -> Vec<(String, String)> {
        pairs
            .iter()
            .map(|(n, v)| (n.to_string(), v.clone()))
            .collect()
    };
    let secs = Duration::from_secs;
    let cases = [
        (
            "0: the floor of one second",
            h(&[("retry-after", "0".into())]),
            secs(1),
        ),
        (" 7 : seconds", h(&[("retry-after", " 7 ".into())]), secs(7)),
        (
            "negative: the one-minute rule",
            h(&[("retry-after", "-5".into())]),
            secs(60),
        ),
        (
            "text: the one-minute rule",
            h(&[("retry-after", "soon".into())]),
            secs(60),
        ),
        (
            "fraction: the one-minute rule",
            h(&[("retry-after", "1.5".into())]),
            secs(60),
        ),
        (
            "a date 30 s after the answer's Date",
            h(&[
                ("date", http_date(now)),
                ("retry-after", http_date(now + TimeDelta::seconds(30))),
            ]),
            secs(30),
        ),
        (
            "a date in the past: the floor",
            h(&[
                ("date", http_date(now)),
                ("retry-after", http_date(now - TimeDelta::days(3))),
            ]),
            secs(1),
        ),
    ];
    for (what, headers, expected) in cases {
        let (naps, requests, result) = naps_after_429(headers).await;
        assert!(result.is_ok(), "{what}: {result:?}");
        assert_eq!(naps, [expected], "{what}");
        assert_eq!(requests, 2, "{what}");
    }
}

#[tokio::test]
async fn a_retry_after_far_ahead_fails_at_once_instead_of_sleeping() {
    let now = Utc::now();
    for headers in [
        vec![("retry-after".to_owned(), "3153600000".to_owned())],
        vec![("retry-after".to_owned(), u64::MAX.to_string())],
        vec![
            ("date".to_owned(), http_date(now)),
            (
                "retry-after".to_owned(),
                http_date(now + TimeDelta::days(36500)),
            ),
        ],
    ] {
        let (naps, requests, result) = naps_after_429(headers.clone()).await;
        let e = result.unwrap_err();
        assert!(e.is_rate_limited(), "{headers:?}: {e:?}");
        assert!(e.hint().is_some());
        assert_eq!((naps.len(), requests), (0, 1), "{headers:?}");
    }
}

#[tokio::test]
async fn rate_limit_waits_stay_inside_max_elapsed() {
    for (retry_after, expected) in [
        ("-5", vec![Duration::from_secs(60); 2]),
        ("text", vec![Duration::from_secs(60); 2]),
        ("0", vec![Duration::from_secs(1); 4]),
        ("45", vec![Duration::from_secs(45); 2]),
    ] {
        let server = Hostile::always(move || {
            json(
                "429 Too Many Requests",
                &[("retry-after", retry_after)],
                &github_error("slow down"),
            )
        })
        .await;
        let clock = Naps::new();
        let e = builder(&server, &clock)
            .retry(RetryPolicy::default())
            .build()
            .unwrap()
            .list_tasks()
            .send()
            .await
            .unwrap_err();
        assert!(e.is_rate_limited(), "{e:?}");
        assert!(
            clock.slept() <= RetryPolicy::default().max_elapsed,
            "{retry_after}: {:?}",
            clock.naps()
        );
        assert_eq!(clock.naps(), expected, "{retry_after}");
        assert_eq!(server.requests(), expected.len() + 1, "{retry_after}");
    }
}

#[tokio::test]
async fn a_spent_budget_with_a_reset_a_century_ahead_holds_requests_for_one_hour_at_most() {
    let reset = (Utc::now() + TimeDelta::days(36500))
        .timestamp()
        .to_string();
    let server = Hostile::always(move || {
        json(
            "200 OK",
            &[
                ("x-ratelimit-limit", "5000"),
                ("x-ratelimit-remaining", "0"),
                ("x-ratelimit-used", "5000"),
                ("x-ratelimit-reset", reset.as_str()),
            ],
            &a_task(),
        )
    })
    .await;
    let clock = Naps::new();
    let c = client(&server, &clock);
    c.task("t1").send().await.unwrap();
    let e = c.task("t1").send().await.unwrap_err();
    assert!(matches!(e, Error::RateLimited { .. }), "{e:?}");
    assert_eq!(server.requests(), 1, "held back, not sent");

    clock.advance(Duration::from_secs(30 * 60));
    assert!(matches!(
        c.task("t1").send().await,
        Err(Error::RateLimited { .. })
    ));
    assert_eq!(
        server.requests(),
        1,
        "still inside GitHub's one-hour window"
    );

    clock.advance(Duration::from_secs(30 * 60 + 1));
    c.task("t1")
        .send()
        .await
        .expect("one hour later, sent again");
    assert_eq!(server.requests(), 2);

    // A client that may wait longer than an hour waits one hour, not a century.
    let clock = Naps::new();
    let patient = builder(&server, &clock)
        .rate_limits(RateLimitPolicy::default().max_wait(Duration::from_secs(2 * 3600)))
        .build()
        .unwrap();
    patient.task("t1").send().await.unwrap();
    patient.task("t1").send().await.unwrap();
    assert!(
        clock.slept() <= Duration::from_secs(3601),
        "{:?}",
        clock.naps()
    );
}

#[tokio::test]
async fn huge_and_broken_rate_limit_figures_do_not_panic() {
    for (limit, remaining, reset) in [
        ("99999999999999999999999", "0", "1"),
        ("5000", "0", "9223372036854775807"),
        ("5000", "0", "18446744073709551615"),
        ("5000", "0", "253402300800"),
        ("5000", "0", "-1"),
        ("-1", "-1", "-1"),
        ("5000", "0", ""),
        ("5000", "0", "1e10"),
    ] {
        for status in ["200 OK", "403 Forbidden", "429 Too Many Requests"] {
            let server = Hostile::always(move || {
                json(
                    status,
                    &[
                        ("x-ratelimit-limit", limit),
                        ("x-ratelimit-remaining", remaining),
                        ("x-ratelimit-reset", reset),
                    ],
                    &a_task(),
                )
            })
            .await;
            let clock = Naps::new();
            let c = builder(&server, &clock)
                .retry(RetryPolicy::default())
                .build()
                .unwrap();
            for _ in 0..2 {
                if let Err(e) = c.task("t1").send().await {
                    let _ = (
                        e.to_string(),
                        e.hint(),
                        e.is_retryable(),
                        e.is_rate_limited(),
                    );
                }
            }
            assert!(
                server.requests() <= 10,
                "{status} {limit}/{remaining}/{reset}"
            );
            // Two calls, each inside the retry budget's two minutes.
            assert!(
                clock.slept() <= 2 * RetryPolicy::default().max_elapsed,
                "{:?}",
                clock.naps()
            );
        }
    }
}

// 7. A server that never answers. -----------------------------------------------------------

#[tokio::test]
async fn a_hung_server_cannot_outlast_a_waits_deadline() {
    let server = Hostile::always(|| Reply::Hang).await;
    let c = Client::builder()
        .token(TOKEN)
        .base_url(server.url())
        .timeout(Duration::from_secs(120))
        .build()
        .unwrap();
    let started = Instant::now();
    let e = c
        .task("t1")
        .wait()
        .timeout(Duration::from_millis(300))
        .send()
        .await
        .unwrap_err();
    let elapsed = started.elapsed();
    assert!(matches!(e, Error::WaitTimedOut { last: None, .. }), "{e:?}");
    assert!(elapsed < Duration::from_secs(2), "{elapsed:?}");
    assert_eq!(server.requests(), 1);
}

#[tokio::test]
async fn a_hung_server_is_a_timeout_and_a_trickle_too() {
    let hung = Hostile::always(|| Reply::Hang).await;
    let trickle = Hostile::always(|| Reply::Trickle {
        head:
            b"HTTP/1.1 200 OK\r\ncontent-type: application/json\r\ncontent-length: 100000\r\n\r\n"
                .to_vec(),
        filler: b' ',
        every: Duration::from_millis(20),
    })
    .await;
    for server in [&hung, &trickle] {
        let clock = Naps::new();
        let started = Instant::now();
        let e = builder(server, &clock)
            .timeout(Duration::from_millis(300))
            .build()
            .unwrap()
            .task("t1")
            .send()
            .await
            .unwrap_err();
        assert!(matches!(e, Error::Timeout { .. }), "{e:?}");
        assert!(started.elapsed() < Duration::from_secs(2));
    }
}

#[tokio::test]
async fn a_hung_creation_is_outcome_unknown_in_bounded_time() {
    let server = Hostile::always(|| Reply::Hang).await;
    let clock = Naps::new();
    let started = Instant::now();
    let e = builder(&server, &clock)
        .timeout(Duration::from_millis(200))
        .build()
        .unwrap()
        .repo("o", "r")
        .create_task("Fix it")
        .send()
        .await
        .unwrap_err();
    assert!(e.is_outcome_unknown(), "{e:?}");
    assert!(started.elapsed() < Duration::from_secs(3));
    assert_eq!(
        server.log().iter().filter(|r| r.method == "POST").count(),
        1
    );
}

// 10. More. ---------------------------------------------------------------------------------

#[tokio::test]
async fn headers_with_invalid_utf8_are_ignored_not_fatal() {
    let bad: &[u8] = b"\xff\xfe<\x80>; rel=\"next\"";
    let headers: Vec<(&str, &[u8])> = vec![
        ("content-type", b"application/json"),
        ("link", bad),
        ("etag", bad),
        ("date", bad),
        ("x-github-request-id", bad),
        ("x-ratelimit-limit", bad),
        ("x-ratelimit-remaining", bad),
        ("x-ratelimit-reset", bad),
        ("retry-after", bad),
    ];
    let ok_headers = headers.clone();
    let server = Hostile::start(move |r| {
        if r.path() == "/agents/tasks" {
            raw_response(
                "200 OK",
                &ok_headers,
                serde_json::to_vec(&list(vec![task("t1", Utc::now(), 7)])).unwrap(),
            )
        } else {
            raw_response(
                "429 Too Many Requests",
                &ok_headers,
                serde_json::to_vec(&github_error("slow")).unwrap(),
            )
        }
    })
    .await;
    let clock = Naps::new();
    let c = builder(&server, &clock)
        .retry(RetryPolicy::default())
        .build()
        .unwrap();
    let page = c.list_tasks().send().await.unwrap();
    assert_eq!(page.items.len(), 1);
    assert!(!page.has_next() && page.etag.is_none());
    let items: Vec<_> = c.list_tasks().stream().collect().await;
    assert_eq!(items.len(), 1, "no next page was read from a broken link");
    let e = c.task("t1").send().await.unwrap_err();
    assert_eq!(e.request_id(), None);
    assert!(e.is_rate_limited());
    // An unreadable `Retry-After` is the one-minute rule.
    assert!(
        clock.naps().iter().all(|d| *d == Duration::from_secs(60)),
        "{:?}",
        clock.naps()
    );
}

#[tokio::test]
async fn a_date_far_in_the_past_does_not_widen_reconciliation() {
    // The caller's task from yesterday asks the same; the creation now fails with a 500, and
    // the search's answer claims it is 1970: the window must not reach back to yesterday.
    let yesterday = Utc::now() - TimeDelta::days(1);
    let epoch = chrono::DateTime::<Utc>::UNIX_EPOCH;
    let server = Hostile::start(reconciling_server(
        || json("500 Internal Server Error", &[], &github_error("boom")),
        vec![task("old-1", yesterday, 7)],
        epoch,
        "Fix it",
    ))
    .await;
    let clock = Naps::new();
    let result = client(&server, &clock)
        .repo("o", "r")
        .create_task("Fix it")
        .send()
        .await;
    let e = result.expect_err("yesterday's task is not this creation's");
    assert!(e.is_outcome_unknown(), "{e:?}");
}

#[tokio::test]
async fn a_date_far_in_the_future_finds_nothing_rather_than_guessing() {
    let now = Utc::now();
    let far = now + TimeDelta::days(365 * 100);
    let server = Hostile::start(reconciling_server(
        || json("502 Bad Gateway", &[], &github_error("boom")),
        vec![task("mine-maybe", now, 7)],
        far,
        "Fix it",
    ))
    .await;
    let clock = Naps::new();
    let e = client(&server, &clock)
        .repo("o", "r")
        .create_task("Fix it")
        .send()
        .await
        .unwrap_err();
    assert!(e.is_outcome_unknown(), "{e:?}");
}

#[tokio::test]
async fn an_idempotency_window_of_any_length_does_not_panic() {
    let now = Utc::now();
    for window in [
        Duration::MAX,
        Duration::from_secs(u64::MAX / 2),
        Duration::from_secs(1_000_000 * 365 * 86400),
        Duration::ZERO,
    ] {
        let server = Hostile::start(reconciling_server(
            || json("201 Created", &[], &task("new-1", Utc::now(), 7)),
            vec![task("old-1", now - TimeDelta::days(400), 7)],
            now,
            "something else",
        ))
        .await;
        let clock = Naps::new();
        let task = client(&server, &clock)
            .repo("o", "r")
            .create_task("Fix it")
            .idempotency_key("k-1")
            .idempotency_window(window)
            .send()
            .await
            .unwrap_or_else(|e| panic!("{window:?}: {e:?}"));
        assert_eq!(task.id, "new-1");
    }
}

/// A GitHub-shaped error with `status`, then the error the client returns for a get.
async fn github_shaped(status: &'static str) -> Error {
    let server = Hostile::always(move || {
        json(
            status,
            &[("x-github-request-id", REQUEST_ID), ("retry-after", "1")],
            &github_error("Something specific went wrong"),
        )
    })
    .await;
    let clock = Naps::new();
    let e = client(&server, &clock).task("t1").send().await.unwrap_err();
    assert_eq!(server.requests(), 1);
    let api = e.api().unwrap_or_else(|| panic!("{status}: {e:?}"));
    assert_eq!(
        api.message.as_deref(),
        Some("Something specific went wrong"),
        "{status}"
    );
    assert_eq!(
        api.documentation_url.as_deref(),
        Some("https://docs.github.com/rest/agent-tasks"),
        "{status}"
    );
    assert_eq!(e.request_id(), Some(REQUEST_ID), "{status}");
    assert!(
        e.to_string().contains("Something specific went wrong"),
        "{status}: {e}"
    );
    e
}

#[tokio::test]
async fn a_github_error_on_404_keeps_message_docs_and_request_id() {
    let e = github_shaped("404 Not Found").await;
    assert!(e.is_not_found() && !e.is_retryable());
}

#[tokio::test]
async fn a_github_error_on_429_keeps_message_docs_and_request_id() {
    let e = github_shaped("429 Too Many Requests").await;
    assert!(e.is_rate_limited() && e.is_retryable());
}

#[tokio::test]
async fn a_github_error_on_500_keeps_message_docs_and_request_id() {
    assert!(
        github_shaped("500 Internal Server Error")
            .await
            .is_retryable()
    );
}

#[tokio::test]
async fn a_github_error_on_502_keeps_message_docs_and_request_id() {
    assert!(github_shaped("502 Bad Gateway").await.is_retryable());
}

#[tokio::test]
async fn a_github_error_on_503_keeps_message_docs_and_request_id() {
    assert!(
        github_shaped("503 Service Unavailable")
            .await
            .is_retryable()
    );
}

#[tokio::test]
async fn garbage_instead_of_http_is_a_transport_error() {
    for bytes in [
        b"NOT HTTP AT ALL\r\n\r\n".to_vec(),
        b"HTTP/1.1 999999 Huge\r\n\r\n".to_vec(),
        b"HTTP/1.1 200 OK\r\ncontent-length: 5\r\ncontent-length: 7\r\n\r\nabcde".to_vec(),
        b"HTTP/1.1 200 OK\r\ntransfer-encoding: chunked\r\n\r\nzz\r\n".to_vec(),
        vec![0u8; 10_000],
        Vec::new(),
        // Heads too large to hold: 5 000 headers, one header of 2 MiB.
        [
            &b"HTTP/1.1 200 OK\r\n"[..],
            &b"x-a: 1\r\n".repeat(5_000),
            b"\r\n",
        ]
        .concat(),
        [
            &b"HTTP/1.1 200 OK\r\nx-a: "[..],
            &vec![b'a'; 2 * 1024 * 1024],
            b"\r\n\r\n",
        ]
        .concat(),
    ] {
        let reply = bytes.clone();
        let server = Hostile::always(move || Reply::Bytes(reply.clone())).await;
        let clock = Naps::new();
        let e = client(&server, &clock).task("t1").send().await.unwrap_err();
        assert!(
            matches!(
                e,
                Error::Transport { .. } | Error::Decode(_) | Error::Api(_)
            ),
            "{:?}: {e:?}",
            String::from_utf8_lossy(&bytes)
        );
        assert_eq!(server.requests(), 1);
    }
}

#[tokio::test]
async fn a_backoff_factor_of_any_size_does_not_panic_a_wait() {
    for (backoff, max_interval) in [
        (1e300, Duration::from_secs(60)),
        (f64::MAX, Duration::MAX),
        (2.0, Duration::MAX),
    ] {
        // The same task every time, with no ETag: each answer costs and brings no news, so
        // each stretches the interval.
        let server = Hostile::start(move |_| json("200 OK", &[], &a_task())).await;
        let clock = Naps::new();
        let e = client(&server, &clock)
            .task("t1")
            .wait()
            .backoff(backoff)
            .max_interval(max_interval)
            .timeout(Duration::from_secs(3600))
            .send()
            .await
            .unwrap_err();
        assert!(matches!(e, Error::WaitTimedOut { .. }), "{backoff}: {e:?}");
        // Capped at the maximum interval (a minute, or none): a bounded number of polls.
        assert!(
            clock.naps().len() <= 61,
            "{backoff}: {} naps",
            clock.naps().len()
        );
        assert!(clock.slept() <= Duration::from_secs(3600));
    }
}

#[tokio::test]
async fn a_redirect_loop_on_a_creation_sends_it_a_bounded_number_of_times() {
    // A 307 keeps the method and body: each hop sends the POST again, to the same host (a
    // redirect elsewhere is not followed at all). The hops end after a few.
    let server = Hostile::always(|| {
        response(
            "307 Temporary Redirect",
            &[("location", "/agents/repos/o/r/tasks")],
            "",
        )
    })
    .await;
    let clock = Naps::new();
    let e = client(&server, &clock)
        .repo("o", "r")
        .create_task("Fix it")
        .send()
        .await
        .unwrap_err();
    assert_eq!(e.status().map(|s| s.as_u16()), Some(307), "{e:?}");
    assert!(!e.is_outcome_unknown(), "a redirect is a refusal: {e:?}");
    let posts = server.log().iter().filter(|r| r.method == "POST").count();
    assert!(posts <= 6, "{posts} POSTs");
    println!("a 307 loop on a creation: {posts} POSTs, then the 307 as an error");
}

#[tokio::test]
async fn a_server_that_refuses_the_state_filter_still_ends_a_many_task_wait() {
    // The list's `state` filter has no enum in GitHub's description: a server that refuses it
    // (422) must not end the wait in an error. The wait lists every state instead.
    let created = Utc::now();
    let unfiltered = AtomicUsize::new(0);
    let server = Hostile::start(move |r| {
        if r.query("state").is_some() {
            return json(
                "422 Unprocessable Entity",
                &[],
                &github_error("Invalid value for state"),
            );
        }
        let mut t = task("t1", created, 7);
        t["state"] = if unfiltered.fetch_add(1, Ordering::SeqCst) == 0 {
            json!("in_progress")
        } else {
            json!("completed")
        };
        json("200 OK", &[], &list(vec![t]))
    })
    .await;
    let clock = Naps::new();
    let mine: agent_tasks::Task = serde_json::from_value(task("t1", created, 7)).unwrap();
    let done = client(&server, &clock)
        .wait_for_all([&mine])
        .timeout(Duration::from_secs(600))
        .send()
        .await
        .unwrap();
    assert_eq!(done[0].state, agent_tasks::TaskState::Completed);
    let log = server.log();
    let filtered: Vec<_> = log.iter().filter(|r| r.query("state").is_some()).collect();
    assert_eq!(filtered.len(), 1, "the filter is tried once");
    // The states that end the wait, in the vocabulary's order.
    let ending: Vec<&str> = agent_tasks::TaskState::KNOWN
        .iter()
        .filter(|s| s.is_terminal() || s.needs_attention())
        .map(|s| s.as_str())
        .collect();
    assert_eq!(
        filtered[0].query("state").map(|s| s.replace("%2C", ",")),
        Some(ending.join(","))
    );
    assert_eq!(log.len(), 3, "seen, refused, then listed unfiltered");
    assert_eq!(
        clock.naps().len(),
        2,
        "the unfiltered poll after the refusal waits its interval: {:?}",
        clock.naps()
    );
}

/// A list whose `since` and `state` filters work as GitHub's do (tasks updated at or after
/// `since`, in one of the states), over the tasks `at(poll)` gives for each poll (from 0).
fn listing(
    at: impl Fn(usize) -> Vec<serde_json::Value> + Send + Sync + 'static,
) -> impl Fn(&Request) -> Reply + Send + Sync + 'static {
    let polls = AtomicUsize::new(0);
    move |r| {
        let since = since_of(r);
        let states = r.query("state").map(|s| s.replace("%2C", ","));
        let tasks = at(polls.fetch_add(1, Ordering::SeqCst))
            .into_iter()
            .filter(|t| {
                let updated = t["updated_at"].as_str().expect("updated_at");
                let updated = chrono::DateTime::parse_from_rfc3339(updated).expect("a time");
                let state = t["state"].as_str().expect("a state");
                since.is_none_or(|s| updated >= s)
                    && states
                        .as_ref()
                        .is_none_or(|s| s.split(',').any(|s| s == state))
            })
            .collect();
        json("200 OK", &[], &list(tasks))
    }
}

/// The `since` a list request asked for.
fn since_of(r: &Request) -> Option<chrono::DateTime<Utc>> {
    r.query("since").map(|s| {
        let s = s.replace("%3A", ":").replace("%2B", "+");
        chrono::DateTime::parse_from_rfc3339(&s)
            .unwrap_or_else(|e| panic!("since={s}: {e}"))
            .to_utc()
    })
}

/// A clock that does not really sleep, its time now (`t0`), and a time an hour before it at
/// which the tasks were created.
fn clock_at_t0() -> (
    std::sync::Arc<Naps>,
    chrono::DateTime<Utc>,
    chrono::DateTime<Utc>,
) {
    let clock = Naps::new();
    let t0 = clock.utc_now();
    (clock, t0, t0 - TimeDelta::hours(1))
}

/// A time no task can have been updated at yet.
fn year_9000() -> chrono::DateTime<Utc> {
    "9000-01-01T00:00:00Z".parse().expect("a time")
}

/// A task in `state`, last updated at `updated`.
fn updated_task(
    id: &str,
    state: &str,
    updated: chrono::DateTime<Utc>,
    created: chrono::DateTime<Utc>,
) -> serde_json::Value {
    let mut t = task(id, created, 7);
    t["state"] = json!(state);
    t["updated_at"] = json!(updated.to_rfc3339_opts(chrono::SecondsFormat::Secs, true));
    t
}

#[tokio::test]
async fn a_task_updated_far_in_the_future_does_not_blind_a_feed() {
    // One task claims an update in the year 9000. Were the feed's `since` to follow it, every
    // later poll would skip each change until then: the other task's end would never be seen.
    let (clock, t0, created) = clock_at_t0();
    let far = year_9000();
    let server = Hostile::start(listing(move |poll| {
        let b = if poll == 0 {
            updated_task("b", "in_progress", t0 - TimeDelta::minutes(1), created)
        } else {
            updated_task("b", "completed", t0 + TimeDelta::seconds(1), created)
        };
        vec![updated_task("far", "in_progress", far, created), b]
    }))
    .await;
    let events: Vec<_> = client(&server, &clock)
        .list_tasks()
        .feed()
        .timeout(Duration::from_secs(120))
        .stream()
        .collect()
        .await;
    let ended = events.iter().find_map(|e| match e {
        Ok(e) if e.task.id == "b" => Some(e.task.state.clone()),
        _ => None,
    });
    assert_eq!(
        ended,
        Some(agent_tasks::TaskState::Completed),
        "the end of b was never reported: {events:?}"
    );
    let now = clock.utc_now();
    for since in server.log().iter().filter_map(since_of) {
        assert!(
            since <= now,
            "since passed the client's clock ({now}): {since}"
        );
    }
}

#[tokio::test]
async fn a_task_that_claims_a_future_creation_can_still_be_waited_for() {
    // The caller's task came from an answer that dated its creation in the year 9000. A
    // many-task wait lists `since` its tasks' creation: were that the year 9000, the task would
    // never be listed, and the wait would give up on it.
    let (clock, t0, created) = clock_at_t0();
    let far = year_9000();
    let server = Hostile::start(listing(move |poll| {
        let state = if poll == 0 {
            "in_progress"
        } else {
            "completed"
        };
        vec![updated_task(
            "t1",
            state,
            t0 + TimeDelta::seconds(1),
            created,
        )]
    }))
    .await;
    let mine: agent_tasks::Task =
        serde_json::from_value(updated_task("t1", "queued", far, far)).unwrap();
    let done = client(&server, &clock)
        .wait_for_all([&mine])
        .timeout(Duration::from_secs(600))
        .send()
        .await
        .expect("the wait ends with the task");
    assert_eq!(done[0].state, agent_tasks::TaskState::Completed);
}

#[tokio::test]
async fn a_saved_cursor_from_the_future_resumes_from_now() {
    let (clock, t0, created) = clock_at_t0();
    let server = Hostile::start(listing(move |_| {
        vec![updated_task(
            "b",
            "completed",
            t0 + TimeDelta::seconds(1),
            created,
        )]
    }))
    .await;
    let saved: agent_tasks::feed::Cursor = r#"{"since":"9000-01-01T00:00:00Z","seen":{}}"#
        .parse()
        .expect("a cursor");
    let mut events = client(&server, &clock)
        .list_tasks()
        .feed()
        .cursor(saved)
        .timeout(Duration::from_secs(120))
        .stream();
    let first = events.next().await.expect("an event").expect("no error");
    assert_eq!(first.task.id, "b");
    let since = since_of(&server.log()[0]);
    assert!(since.is_some_and(|s| s <= t0), "{since:?}");
}

#[tokio::test]
async fn a_many_task_wait_returns_each_task_as_it_met_the_condition() {
    // t1 asks for the user, then gets back to work; t2 completes later. The wait reports t1
    // once, as it was when it met the condition, and does not wait for it again: it ends when
    // t2 does.
    let (clock, t0, created) = clock_at_t0();
    let server = Hostile::start(listing(move |poll| {
        let at = t0 + TimeDelta::seconds(i64::try_from(poll).unwrap_or(0));
        let (t1, t2) = match poll {
            0 => ("in_progress", "in_progress"),
            1 => ("waiting_for_user", "in_progress"),
            2 => ("in_progress", "in_progress"),
            _ => ("in_progress", "completed"),
        };
        vec![
            updated_task("t1", t1, at, created),
            updated_task("t2", t2, at, created),
        ]
    }))
    .await;
    let started: Vec<agent_tasks::Task> = ["t1", "t2"]
        .iter()
        .map(|id| serde_json::from_value(updated_task(id, "queued", t0, created)).unwrap())
        .collect();
    let done = client(&server, &clock)
        .wait_for_all(&started)
        .timeout(Duration::from_secs(600))
        .send()
        .await
        .expect("both tasks met the condition");
    let states: Vec<_> = done
        .iter()
        .map(|t| (t.id.as_str(), t.state.clone()))
        .collect();
    assert_eq!(
        states,
        [
            ("t1", agent_tasks::TaskState::WaitingForUser),
            ("t2", agent_tasks::TaskState::Completed)
        ]
    );
    assert_eq!(server.requests(), 4, "one poll per step of the schedule");
}

#[tokio::test]
async fn a_slow_reader_of_a_feed_loses_nothing_to_a_task_from_the_future() {
    // The poll sent at t0 + 10 s lists `a` and a task dated in the year 9000. The reader takes
    // 30 s over `a`'s event; meanwhile `c` ends (at t0 + 15 s), after the poll was sent. The
    // bound on `since` is the clock when the poll was sent, not when its events were read:
    // the next poll must still list `c`.
    let (clock, t0, created) = clock_at_t0();
    let server = Hostile::start(listing(move |poll| {
        let far = updated_task("far", "in_progress", year_9000(), created);
        let a = updated_task("a", "completed", t0 + TimeDelta::seconds(1), created);
        let c = updated_task("c", "completed", t0 + TimeDelta::seconds(15), created);
        match poll {
            0 => vec![updated_task(
                "x",
                "in_progress",
                t0 - TimeDelta::minutes(1),
                created,
            )],
            1 => vec![far, a],
            _ => vec![far, c, a],
        }
    }))
    .await;
    let mut events = client(&server, &clock)
        .list_tasks()
        .feed()
        .timeout(Duration::from_secs(120))
        .stream();
    let first = events.next().await.expect("an event").expect("no error");
    assert_eq!(first.task.id, "a");
    clock.advance(Duration::from_secs(30));
    let mut seen = Vec::new();
    while let Some(event) = events.next().await {
        let event = event.expect("no error");
        seen.push(event.task.id.clone());
        if event.task.id == "c" {
            break;
        }
    }
    assert_eq!(seen, ["far", "c"], "c's end was lost");
}
