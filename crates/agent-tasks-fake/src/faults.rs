//! The fault knobs, their bounds, and the draw of faults for one API request.
//!
//! Knobs arrive from tests (`Fake::set_faults`), from JSON (`PUT /_fake/faults`, a command
//! line) and are hostile like any input: JSON that breaks a bound is refused with a message
//! naming it, and values set from Rust are clamped into range, so the request path never meets
//! a NaN rate or a window that overflows the clock.

use hyper::StatusCode;
use serde::{Deserialize, Serialize};

use crate::limits::{MAX_LATENCY_MS, MAX_PRIMARY_WINDOW_SECS, MAX_RETRY_AFTER_SECS};
use crate::rng::Rng;

/// The primary window when [`Faults::primary_window_secs`] is 0.
const DEFAULT_PRIMARY_WINDOW_SECS: u64 = 3600;

/// Faults the fake injects into API answers (never into `/_fake/...`). Shares are 0.0 to 1.0,
/// drawn from a seeded generator, so a run is repeatable.
///
/// Bounds: shares are finite and within 0.0..=1.0, `latency_ms` is at most
/// [`MAX_LATENCY_MS`](crate::MAX_LATENCY_MS), `retry_after_secs` at most
/// [`MAX_RETRY_AFTER_SECS`](crate::MAX_RETRY_AFTER_SECS) and `primary_window_secs` at most
/// [`MAX_PRIMARY_WINDOW_SECS`](crate::MAX_PRIMARY_WINDOW_SECS). [`Faults::from_json`] and
/// `PUT /_fake/faults` refuse values out of bounds; [`Fake::set_faults`](crate::Fake::set_faults)
/// and [`FakeBuilder::faults`](crate::FakeBuilder::faults) clamp them.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct Faults {
    /// Added to every answer, in milliseconds.
    pub latency_ms: u64,
    /// Share of requests answered 500, 502 or 503 without being handled.
    pub error_rate: f64,
    /// Share of requests whose connection is dropped before they are handled: a proxy lost
    /// the request before it reached GitHub, so nothing was stored.
    pub drop_rate: f64,
    /// Share of task creations whose connection is dropped *after* the task was stored: the
    /// client cannot know whether its POST worked.
    pub drop_after_store_rate: f64,
    /// Share of requests refused with 429 and `Retry-After` (a secondary rate limit).
    pub secondary_429_rate: f64,
    /// Share of requests refused with 403 and `Retry-After` (a secondary rate limit).
    pub secondary_403_rate: f64,
    /// The `Retry-After` seconds of those refusals (0: no `Retry-After` header).
    pub retry_after_secs: u64,
    /// A primary rate limit: requests allowed per window. With it, every answer carries
    /// `x-ratelimit-*` headers and requests beyond it get 403 until the reset.
    pub primary_limit: Option<u64>,
    /// The primary window, in seconds of the fake's clock (0: the default, 3600).
    pub primary_window_secs: u64,
    /// Share of successful answers whose JSON body is cut short.
    pub malformed_rate: f64,
}

impl Faults {
    /// Every knob, as JSON names it, with what it does (for help texts; a test holds it to
    /// the struct's fields).
    pub const KNOBS: [(&'static str, &'static str); 10] = [
        ("latency_ms", "added to every answer (at most 60 000)"),
        (
            "error_rate",
            "share answered 500, 502 or 503 without being handled",
        ),
        (
            "drop_rate",
            "share whose connection drops before handling (nothing stored)",
        ),
        (
            "drop_after_store_rate",
            "share of creations whose connection drops after the task was stored",
        ),
        (
            "secondary_429_rate",
            "share refused 429 with Retry-After (a secondary rate limit)",
        ),
        (
            "secondary_403_rate",
            "share refused 403 with Retry-After (a secondary rate limit)",
        ),
        (
            "retry_after_secs",
            "the Retry-After of those (0: none; at most 86 400)",
        ),
        (
            "primary_limit",
            "requests per window; beyond it 403 with x-ratelimit-remaining: 0",
        ),
        (
            "primary_window_secs",
            "the primary window on the fake's clock (0: 3600; at most 86 400)",
        ),
        (
            "malformed_rate",
            "share of successful answers whose body is cut short",
        ),
    ];

    /// Parses knobs from JSON as `PUT /_fake/faults` takes them (unknown knobs and values out
    /// of bounds are refused; missing knobs are off).
    ///
    /// ```
    /// use agent_tasks_fake::Faults;
    /// let f = Faults::from_json(r#"{"error_rate": 0.2, "latency_ms": 50}"#).unwrap();
    /// assert_eq!(f.latency_ms, 50);
    /// assert!(Faults::from_json(r#"{"error_rate": 2}"#).is_err());
    /// assert!(Faults::from_json(r#"{"eror_rate": 0.2}"#).is_err());
    /// ```
    pub fn from_json(json: &str) -> Result<Faults, String> {
        Faults::from_slice(json.as_bytes())
    }

    pub(crate) fn from_slice(json: &[u8]) -> Result<Faults, String> {
        let bad = |e: serde_json::Error| format!("bad faults: {e}");
        // An object only: serde would also fill a struct from an array, by position.
        let value: serde_json::Value = serde_json::from_slice(json).map_err(bad)?;
        let serde_json::Value::Object(knobs) = value else {
            return Err("bad faults: expected a JSON object of knobs".to_owned());
        };
        // serde's message does not say which knob it choked on: try them one by one to name it.
        for (name, v) in &knobs {
            let one = serde_json::Value::Object([(name.clone(), v.clone())].into_iter().collect());
            if let Err(e) = serde_json::from_value::<Faults>(one) {
                return Err(format!("bad faults: {name}: {e}"));
            }
        }
        let faults: Faults =
            serde_json::from_value(serde_json::Value::Object(knobs)).map_err(bad)?;
        faults.validate()?;
        Ok(faults)
    }

    /// Checks every knob against its bound; the message names the first one broken.
    ///
    /// ```
    /// use agent_tasks_fake::Faults;
    /// assert!(Faults::default().validate().is_ok());
    /// let bad = Faults { primary_window_secs: u64::MAX, ..Faults::default() };
    /// assert!(bad.validate().unwrap_err().contains("primary_window_secs"));
    /// ```
    pub fn validate(&self) -> Result<(), String> {
        for (name, share) in self.shares() {
            if !(share.is_finite() && (0.0..=1.0).contains(&share)) {
                return Err(format!(
                    "bad faults: {name} must be a share from 0.0 to 1.0, got {share}"
                ));
            }
        }
        for (name, value, max) in [
            ("latency_ms", self.latency_ms, MAX_LATENCY_MS),
            (
                "retry_after_secs",
                self.retry_after_secs,
                MAX_RETRY_AFTER_SECS,
            ),
            (
                "primary_window_secs",
                self.primary_window_secs,
                MAX_PRIMARY_WINDOW_SECS,
            ),
        ] {
            if value > max {
                return Err(format!(
                    "bad faults: {name} must be at most {max}, got {value}"
                ));
            }
        }
        Ok(())
    }

    /// The knobs forced into their bounds (a NaN share becomes 0).
    pub(crate) fn clamped(mut self) -> Faults {
        let share = |v: f64| if v.is_nan() { 0.0 } else { v.clamp(0.0, 1.0) };
        self.error_rate = share(self.error_rate);
        self.drop_rate = share(self.drop_rate);
        self.drop_after_store_rate = share(self.drop_after_store_rate);
        self.secondary_429_rate = share(self.secondary_429_rate);
        self.secondary_403_rate = share(self.secondary_403_rate);
        self.malformed_rate = share(self.malformed_rate);
        self.latency_ms = self.latency_ms.min(MAX_LATENCY_MS);
        self.retry_after_secs = self.retry_after_secs.min(MAX_RETRY_AFTER_SECS);
        self.primary_window_secs = self.primary_window_secs.min(MAX_PRIMARY_WINDOW_SECS);
        self
    }

    fn shares(&self) -> [(&'static str, f64); 6] {
        [
            ("error_rate", self.error_rate),
            ("drop_rate", self.drop_rate),
            ("drop_after_store_rate", self.drop_after_store_rate),
            ("secondary_429_rate", self.secondary_429_rate),
            ("secondary_403_rate", self.secondary_403_rate),
            ("malformed_rate", self.malformed_rate),
        ]
    }

    /// The primary window in seconds, the default in place of 0.
    pub(crate) fn primary_window(&self) -> u64 {
        match self.primary_window_secs {
            0 => DEFAULT_PRIMARY_WINDOW_SECS,
            n => n.min(MAX_PRIMARY_WINDOW_SECS),
        }
    }
}

/// The faults drawn for one API request before it is handled.
#[derive(Debug)]
pub(crate) struct Drawn {
    /// The knobs in force when the draw was made.
    pub faults: Faults,
    /// Drop the connection without an answer.
    pub drop: bool,
    /// Refuse with this secondary rate limit status (429 or 403).
    pub secondary: Option<StatusCode>,
    /// Answer with this server error (500, 502 or 503).
    pub error: Option<StatusCode>,
}

impl Drawn {
    /// Draws in a fixed order (drop, 429, 403, error, its status), so a seed replays.
    pub(crate) fn draw(faults: &Faults, rng: &mut Rng) -> Drawn {
        let drop = rng.chance(faults.drop_rate);
        let secondary_429 = rng.chance(faults.secondary_429_rate);
        let secondary_403 = rng.chance(faults.secondary_403_rate);
        let error = rng.chance(faults.error_rate).then(|| {
            const ERRORS: [StatusCode; 3] = [
                StatusCode::INTERNAL_SERVER_ERROR,
                StatusCode::BAD_GATEWAY,
                StatusCode::SERVICE_UNAVAILABLE,
            ];
            ERRORS[(rng.next_f64() * 3.0) as usize % 3]
        });
        let secondary = if secondary_429 {
            Some(StatusCode::TOO_MANY_REQUESTS)
        } else if secondary_403 {
            Some(StatusCode::FORBIDDEN)
        } else {
            None
        };
        Drawn {
            faults: faults.clone(),
            drop,
            secondary,
            error,
        }
    }

    /// Whether a stored creation loses its connection (drawn only for a 201).
    pub(crate) fn drop_after_store(&self, rng: &mut Rng) -> bool {
        rng.chance(self.faults.drop_after_store_rate)
    }

    /// Whether a successful answer is cut short (drawn only for a 2xx with a body).
    pub(crate) fn malformed(&self, rng: &mut Rng) -> bool {
        rng.chance(self.faults.malformed_rate)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_knobs_help_names_every_knob_and_no_other() {
        let json = serde_json::to_value(Faults::default()).unwrap();
        let mut fields: Vec<&str> = json
            .as_object()
            .unwrap()
            .keys()
            .map(String::as_str)
            .collect();
        let mut knobs: Vec<&str> = Faults::KNOBS.iter().map(|(k, _)| *k).collect();
        fields.sort_unstable();
        knobs.sort_unstable();
        assert_eq!(knobs, fields);
    }

    #[test]
    fn the_knobs_help_states_the_limits_the_fake_enforces() {
        // "60 000": the number as the help writes it.
        let written = |n: u64| {
            let digits = n.to_string();
            let mut out = String::new();
            for (i, c) in digits.chars().enumerate() {
                if i > 0 && (digits.len() - i).is_multiple_of(3) {
                    out.push(' ');
                }
                out.push(c);
            }
            out
        };
        let help = |knob: &str| {
            Faults::KNOBS
                .iter()
                .find(|(k, _)| *k == knob)
                .map(|(_, h)| *h)
                .unwrap_or_default()
        };
        for (knob, figures) in [
            ("latency_ms", vec![MAX_LATENCY_MS]),
            ("retry_after_secs", vec![MAX_RETRY_AFTER_SECS]),
            (
                "primary_window_secs",
                vec![DEFAULT_PRIMARY_WINDOW_SECS, MAX_PRIMARY_WINDOW_SECS],
            ),
        ] {
            for figure in figures {
                let shown = if figure < 10_000 {
                    figure.to_string()
                } else {
                    written(figure)
                };
                assert!(
                    help(knob).contains(&shown),
                    "{knob}: {shown} in {:?}",
                    help(knob)
                );
            }
        }
    }

    #[test]
    fn out_of_range_knobs_are_refused_from_json_and_clamped_from_rust() {
        for json in [
            r#"{"primary_window_secs": 18446744073709551615}"#,
            r#"{"primary_window_secs": 9223372036854775807}"#,
            r#"{"primary_window_secs": 86401}"#,
            r#"{"error_rate": 1.5}"#,
            r#"{"drop_rate": -0.1}"#,
            r#"{"malformed_rate": 1e400}"#,
            r#"{"latency_ms": 60001}"#,
            r#"{"latency_ms": -1}"#,
            r#"{"retry_after_secs": 86401}"#,
            r#"{"primary_limit": -1}"#,
            r#"{"error_rate": "NaN"}"#,
            r#"{"error_rate": NaN}"#,
            r#"[]"#,
            "",
        ] {
            assert!(Faults::from_json(json).is_err(), "{json} was accepted");
        }
        assert!(Faults::from_json(r#"{"primary_window_secs": 86400}"#).is_ok());
        let wild = Faults {
            error_rate: f64::NAN,
            drop_rate: f64::INFINITY,
            malformed_rate: -3.0,
            latency_ms: u64::MAX,
            primary_window_secs: u64::MAX,
            retry_after_secs: u64::MAX,
            ..Faults::default()
        }
        .clamped();
        assert!(wild.validate().is_ok(), "{wild:?}");
        assert_eq!(wild.drop_rate, 1.0);
        assert_eq!(wild.primary_window(), MAX_PRIMARY_WINDOW_SECS);
    }
}
