//! Arbitrary JSON, and arbitrary mutations of real answers, fed to every response decoder:
//! nothing panics; a body either decodes or is an error.

mod common;

use agent_tasks::list::Links;
use agent_tasks::raw::types::{BasicError, TaskList};
use agent_tasks::{Artifact, Task, TaskWithSessions};
use proptest::prelude::*;
use serde_json::Value;

fn json() -> impl Strategy<Value = Value> {
    let leaf = prop_oneof![
        Just(Value::Null),
        any::<bool>().prop_map(Value::Bool),
        any::<i64>().prop_map(Value::from),
        any::<f64>()
            .prop_filter("finite", |f| f.is_finite())
            .prop_map(Value::from),
        prop_oneof![
            Just("queued".to_owned()),
            Just("pull".to_owned()),
            Just("2025-01-01T00:00:00Z".to_owned()),
            "[a-z_]{0,12}",
            any::<String>(),
        ]
        .prop_map(Value::String),
    ];
    leaf.prop_recursive(4, 64, 8, |inner| {
        prop_oneof![
            prop::collection::vec(inner.clone(), 0..6).prop_map(Value::Array),
            prop::collection::btree_map(
                prop_oneof![
                    Just("id".to_owned()),
                    Just("state".to_owned()),
                    Just("created_at".to_owned()),
                    Just("tasks".to_owned()),
                    Just("sessions".to_owned()),
                    Just("artifacts".to_owned()),
                    Just("data".to_owned()),
                    Just("type".to_owned()),
                    Just("provider".to_owned()),
                    Just("usage".to_owned()),
                    Just("amount".to_owned()),
                    Just("errors".to_owned()),
                    Just("message".to_owned()),
                    "[a-z_]{1,10}",
                ],
                inner,
                0..8,
            )
            .prop_map(|m| Value::Object(m.into_iter().collect())),
        ]
    })
}

/// Every decoder the client uses on a response body, fed the same bytes.
fn decode_all(bytes: &[u8]) {
    let _ = serde_json::from_slice::<Task>(bytes);
    let _ = serde_json::from_slice::<TaskWithSessions>(bytes);
    let _ = serde_json::from_slice::<TaskList>(bytes);
    let _ = serde_json::from_slice::<BasicError>(bytes);
    let _ = serde_json::from_slice::<Artifact>(bytes);
    let _ = serde_json::from_slice::<agent_tasks::Session>(bytes);
}

/// Replaces the value at the `n`-th node (depth first) of `doc` with `new`.
fn replace_nth(doc: &mut Value, n: &mut usize, new: &Value) -> bool {
    if *n == 0 {
        *doc = new.clone();
        return true;
    }
    *n -= 1;
    match doc {
        Value::Array(items) => items.iter_mut().any(|v| replace_nth(v, n, new)),
        Value::Object(map) => map.values_mut().any(|v| replace_nth(v, n, new)),
        _ => false,
    }
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 512, ..ProptestConfig::default() })]

    #[test]
    fn arbitrary_json_never_panics_a_decoder(value in json()) {
        decode_all(&serde_json::to_vec(&value).unwrap());
    }

    #[test]
    fn arbitrary_bytes_never_panic_a_decoder(bytes in prop::collection::vec(any::<u8>(), 0..256)) {
        decode_all(&bytes);
    }

    #[test]
    fn mutated_real_answers_never_panic_a_decoder(
        which in 0usize..3,
        node in 0usize..200,
        new in json(),
        cut in 0usize..2000,
    ) {
        let mut doc = match which {
            0 => common::fixture("task_full.json"),
            1 => common::fixture("task_unusual.json"),
            _ => common::spec_example("task-list-for-repo"),
        };
        let mut n = node;
        replace_nth(&mut doc, &mut n, &new);
        let bytes = serde_json::to_vec(&doc).unwrap();
        decode_all(&bytes);
        decode_all(&bytes[..cut.min(bytes.len())]);
    }

    #[test]
    fn arbitrary_link_headers_never_panic(header in any::<String>(), url in "[<>;=,\" a-z0-9?&./:]{0,80}") {
        let _ = Links::parse(&header).next_page();
        let _ = Links::parse(&url).next_page();
    }
}
