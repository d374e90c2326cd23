//! A task id travels in a request's path as one segment, whatever it holds: any id the client
//! accepts (from a caller or from a server's answer) arrives as exactly one percent-encoded
//! segment that decodes back to the id, and no id can change which path is asked for.

#[path = "hostile/mod.rs"]
mod hostile;

use std::sync::OnceLock;

use agent_tasks::{Client, Error};
use chrono::Utc;
use hostile::{Hostile, Naps, client, json, runtime, task};
use proptest::prelude::*;

/// One server for every case, answering every get with a task and keeping the request log.
fn server() -> &'static (Hostile, Client) {
    static SERVER: OnceLock<(Hostile, Client)> = OnceLock::new();
    SERVER.get_or_init(|| {
        runtime().block_on(async {
            let server = Hostile::start(|_| json("200 OK", &[], &task("t", Utc::now(), 7))).await;
            let client = client(&server, &Naps::new());
            (server, client)
        })
    })
}

/// Percent-decodes a path segment to bytes.
fn decode(segment: &str) -> Vec<u8> {
    let bytes = segment.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'%'
            && let Some(hex) = segment.get(i + 1..i + 3)
            && let Ok(b) = u8::from_str_radix(hex, 16)
        {
            out.push(b);
            i += 3;
        } else {
            out.push(bytes[i]);
            i += 1;
        }
    }
    out
}

/// Ids a server might hand out: anything, weighted towards what changes paths.
fn id() -> impl Strategy<Value = String> {
    prop_oneof![
        "\\PC{0,40}",
        "[./%?#\\\\ a-z0-9]{0,12}",
        "[ -~]{0,20}",
        Just(".".to_owned()),
        Just("..".to_owned()),
        Just("%2e%2e".to_owned()),
        Just("a b".to_owned()),
    ]
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 256, ..ProptestConfig::default() })]

    #[test]
    fn no_id_leaves_its_path_segment(id in id()) {
        let (server, client) = server();
        let before = server.requests();
        let by_id = runtime().block_on(client.task(id.clone()).send());
        let by_repo = runtime().block_on(client.repo("o", "r").task(id.clone()).send());
        let log = server.log();
        let sent = &log[before..];
        match (&by_id, &by_repo) {
            (Err(Error::InvalidInput { field, .. }), Err(Error::InvalidInput { .. })) => {
                prop_assert_eq!(*field, "task_id");
                prop_assert!(sent.is_empty(), "refused ids send nothing: {:?}", sent);
                prop_assert!(
                    id.is_empty() || id == "." || id == ".." || id.contains('\\') || id.len() > 200,
                    "only ids that cannot stay one segment are refused: {:?}", id
                );
            }
            _ => {
                prop_assert_eq!(sent.len(), 2, "{:?} {:?}", by_id, by_repo);
                for (request, prefix) in sent.iter().zip(["/agents/tasks/", "/agents/repos/o/r/tasks/"]) {
                    let segment = request.path().strip_prefix(prefix);
                    prop_assert!(segment.is_some(), "{:?} left {}", request.path(), prefix);
                    let segment = segment.unwrap_or_default();
                    prop_assert!(!segment.contains('/'), "{:?}", request.path());
                    prop_assert_eq!(decode(segment), id.as_bytes().to_vec(), "{:?}", request.path());
                }
            }
        }
    }
}
