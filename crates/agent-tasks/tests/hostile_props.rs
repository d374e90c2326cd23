//! Arbitrary header values where the client reads numbers, dates and links (`Retry-After`,
//! `Date`, `x-ratelimit-*`, `Link`, `ETag`, the request id), on answers of every kind from the
//! hostile server: nothing panics, every call ends after a bounded number of requests, and the
//! waits it takes stay bounded.

#[path = "hostile/mod.rs"]
mod hostile;

use std::sync::{Arc, Mutex, OnceLock};
use std::time::Duration;

use agent_tasks::Client;
use agent_tasks::error::RateLimit;
use agent_tasks::list::Links;
use agent_tasks::retry::RetryPolicy;
use chrono::Utc;
use futures_util::StreamExt;
use hostile::{Hostile, Naps, Reply, github_error, http_date, list, raw_response, runtime, task};
use proptest::prelude::*;
use reqwest::header::{HeaderMap, HeaderName, HeaderValue};

/// A header value: something close to what the client parses, or arbitrary bytes that HTTP
/// allows in a value (visible ASCII, space, tab, obs-text).
fn value() -> impl Strategy<Value = Vec<u8>> {
    let now = Utc::now().timestamp();
    prop_oneof![
        any::<i64>().prop_map(|n| n.to_string().into_bytes()),
        any::<u64>().prop_map(|n| n.to_string().into_bytes()),
        (now - 100_000..now + 100_000).prop_map(|n| n.to_string().into_bytes()),
        Just(b"0".to_vec()),
        Just(b"-1".to_vec()),
        Just(b"99999999999999999999999999".to_vec()),
        (-40_000i64..40_000)
            .prop_map(|days| http_date(Utc::now() + chrono::TimeDelta::days(days)).into_bytes()),
        "[<>;=,\" a-z0-9?&./:]{0,60}".prop_map(String::into_bytes),
        "<[a-z:/.?=&0-9]{0,30}page=[-+0-9a-z]{0,12}>; rel=\"(next|last|prev)\""
            .prop_map(String::into_bytes),
        prop::collection::vec(
            prop_oneof![Just(b'\t'), 0x20u8..=0x7e, 0x80u8..=0xff],
            0..40
        ),
    ]
}

const HEADERS: [&str; 9] = [
    "retry-after",
    "date",
    "x-ratelimit-limit",
    "x-ratelimit-remaining",
    "x-ratelimit-used",
    "x-ratelimit-reset",
    "link",
    "etag",
    "x-github-request-id",
];

/// One server for every case: it answers with whatever the case put in `REPLY`.
fn server() -> &'static (Hostile, Arc<Mutex<Vec<u8>>>) {
    static SERVER: OnceLock<(Hostile, Arc<Mutex<Vec<u8>>>)> = OnceLock::new();
    SERVER.get_or_init(|| {
        let reply = Arc::new(Mutex::new(Vec::new()));
        let current = reply.clone();
        let server = runtime().block_on(Hostile::start(move |_| {
            Reply::Bytes(current.lock().unwrap().clone())
        }));
        (server, reply)
    })
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 256, ..ProptestConfig::default() })]

    #[test]
    fn rate_limit_figures_from_any_headers_never_panic(
        values in prop::collection::vec(value(), HEADERS.len()),
    ) {
        let mut headers = HeaderMap::new();
        for (name, v) in HEADERS.iter().zip(&values) {
            if let Ok(v) = HeaderValue::from_bytes(v) {
                headers.insert(HeaderName::from_static(name), v);
            }
        }
        if let Some(limit) = RateLimit::from_headers(&headers) {
            prop_assert!(limit.reset.timestamp() >= 0);
        }
        if let Some(link) = headers.get("link").and_then(|v| v.to_str().ok()) {
            let links = Links::parse(link);
            let _ = (links.next_page(), links.last_page());
        }
    }
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 96, ..ProptestConfig::default() })]

    #[test]
    fn any_header_values_on_any_answer_end_in_bounded_requests_and_waits(
        status in prop::sample::select(vec![
            "200 OK", "201 Created", "304 Not Modified", "403 Forbidden",
            "429 Too Many Requests", "500 Internal Server Error", "503 Service Unavailable",
        ]),
        values in prop::collection::vec(prop::option::of(value()), HEADERS.len()),
    ) {
        let (server, reply) = server();
        let headers: Vec<(&str, &[u8])> = HEADERS
            .iter()
            .zip(&values)
            .filter_map(|(n, v)| v.as_deref().map(|v| (*n, v)))
            .chain([("content-type", &b"application/json"[..])])
            .collect();
        let body = if status.starts_with('2') {
            serde_json::to_vec(&list(vec![task("t1", Utc::now(), 7)])).unwrap()
        } else {
            serde_json::to_vec(&github_error("You have exceeded a secondary rate limit")).unwrap()
        };
        let Reply::Bytes(bytes) = raw_response(status, &headers, body) else { unreachable!() };
        *reply.lock().unwrap() = bytes;

        let clock = Naps::new();
        let client = Client::builder()
            .token("github_pat_props")
            .base_url(server.url())
            .clock(clock.clone())
            .retry(RetryPolicy::default())
            .build()
            .unwrap();
        let before = server.requests();
        runtime().block_on(async {
            let calls = [
                client.list_tasks().send().await.map(drop),
                client.task("t1").send().await.map(drop),
            ];
            for e in calls.into_iter().filter_map(Result::err) {
                let _ = (e.to_string(), e.hint(), e.is_retryable(), e.is_rate_limited());
                let _ = (e.request_id(), e.status(), format!("{e:?}"));
            }
            let items: Vec<_> = client.list_tasks().stream().take(5).collect().await;
            prop_assert!(items.len() <= 5);
            Ok(())
        })?;
        // Two calls and at most five pages, each at most five attempts.
        let sent = server.requests() - before;
        prop_assert!(sent <= 35, "{} requests", sent);
        // Each call's retries stay inside two minutes; a spent budget holds each attempt
        // for at most a minute.
        let bound = Duration::from_secs(7 * (120 + 5 * 60));
        prop_assert!(clock.slept() <= bound, "{:?}", clock.naps());
    }
}
