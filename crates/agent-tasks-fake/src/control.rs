//! `/_fake/...`: inspection and control of the fake over HTTP, without faults, auth or
//! counting. Bodies are hostile like any other: garbage JSON, negative or huge numbers get a
//! 400 that names what was wrong.

use std::time::Duration;

use hyper::{Method, StatusCode};
use serde_json::{Value, json};

use crate::answer::Answer;
use crate::faults::Faults;
use crate::limits::{MAX_ADVANCE_SECS, MAX_SCRIPTS};
use crate::model::Outcome;
use crate::store::Store;

/// The prefix of every control path.
pub(crate) const PREFIX: &str = "/_fake/";

/// The control endpoints: method, path and what each does (for help texts and the 404).
pub const CONTROL_ENDPOINTS: [(&str, &str, &str); 4] = [
    (
        "GET",
        "/_fake/state",
        "every stored task, request counts by operation and status, the faults",
    ),
    (
        "PUT",
        "/_fake/faults",
        "replaces the fault knobs (JSON, e.g. {\"error_rate\": 0.2, \"latency_ms\": 50})",
    ),
    (
        "POST",
        "/_fake/clock/advance",
        "{\"seconds\": N} moves the clock forward, N from 0 to 100 years",
    ),
    (
        "POST",
        "/_fake/outcomes",
        "{\"prompt_contains\": \"..\", \"outcome\": {\"state\": \"failed\", \"message\": \"..\"}} scripts how tasks end",
    ),
];

/// Runs the control request `method path` with `body`.
pub(crate) fn answer(store: &mut Store, method: &Method, path: &str, body: &[u8]) -> Answer {
    let [state_, faults, clock, outcomes] = CONTROL_ENDPOINTS;
    let is = |endpoint: (&str, &str, &str)| method.as_str() == endpoint.0 && path == endpoint.1;
    if is(state_) {
        state(store)
    } else if is(faults) {
        put_faults(store, body)
    } else if is(clock) {
        advance(store, body)
    } else if is(outcomes) {
        add_outcome(store, body)
    } else {
        let known: Vec<String> = CONTROL_ENDPOINTS
            .iter()
            .map(|(m, p, _)| format!("{m} {p}"))
            .collect();
        Answer::error(
            StatusCode::NOT_FOUND,
            &format!("unknown control endpoint: {}", known.join(", ")),
        )
    }
}

fn state(store: &Store) -> Answer {
    match serde_json::to_value(store.snapshot()) {
        Ok(v) => Answer::json(StatusCode::OK, &v),
        Err(e) => Answer::error(
            StatusCode::INTERNAL_SERVER_ERROR,
            &format!("cannot render the state: {e}"),
        ),
    }
}

fn put_faults(store: &mut Store, body: &[u8]) -> Answer {
    match Faults::from_slice(body) {
        Ok(faults) => {
            store.set_faults(faults);
            match serde_json::to_value(store.faults()) {
                Ok(v) => Answer::json(StatusCode::OK, &v),
                Err(e) => Answer::error(StatusCode::INTERNAL_SERVER_ERROR, &e.to_string()),
            }
        }
        Err(message) => Answer::error(StatusCode::BAD_REQUEST, &message),
    }
}

fn advance(store: &mut Store, body: &[u8]) -> Answer {
    let seconds = serde_json::from_slice::<Value>(body)
        .ok()
        .and_then(|v| v.get("seconds").and_then(Value::as_f64));
    match seconds {
        Some(s) if (0.0..=MAX_ADVANCE_SECS).contains(&s) => {
            store.clock.advance(Duration::from_secs_f64(s));
            Answer::json(StatusCode::OK, &json!({"now": store.clock.now()}))
        }
        Some(s) => Answer::error(
            StatusCode::BAD_REQUEST,
            &format!("seconds must be from 0 to {MAX_ADVANCE_SECS} (100 years), got {s}"),
        ),
        None => Answer::error(
            StatusCode::BAD_REQUEST,
            "expected {\"seconds\": N}, N from 0 to 100 years in seconds",
        ),
    }
}

fn add_outcome(store: &mut Store, body: &[u8]) -> Answer {
    #[derive(serde::Deserialize)]
    struct Script {
        prompt_contains: String,
        outcome: Outcome,
    }
    if store.scripts() >= MAX_SCRIPTS {
        return Answer::error(
            StatusCode::BAD_REQUEST,
            &format!("the fake keeps at most {MAX_SCRIPTS} outcome scripts"),
        );
    }
    match serde_json::from_slice::<Script>(body) {
        // A state the client does not know is welcome (it tests the client); one that is not a
        // word of up to 64 letters, digits and `_`/`-` is not a state at all.
        Ok(s) if !is_state_word(s.outcome.state.as_str()) => Answer::error(
            StatusCode::BAD_REQUEST,
            "bad script: the outcome's state must be 1 to 64 ASCII letters, digits, `_` or `-`",
        ),
        Ok(s) => {
            store.add_script(&s.prompt_contains, s.outcome);
            Answer::json(StatusCode::OK, &json!({"scripts": store.scripts()}))
        }
        Err(e) => Answer::error(StatusCode::BAD_REQUEST, &format!("bad script: {e}")),
    }
}

fn is_state_word(state: &str) -> bool {
    (1..=64).contains(&state.len())
        && state
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'_' || b == b'-')
}
