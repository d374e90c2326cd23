//! Time as the client sees it. Waits, retries and rate-limit holds read and sleep through a
//! [`Clock`], so a test can supply one that does not really sleep (and a waiting test takes
//! milliseconds).

use std::future::Future;
use std::pin::Pin;
use std::time::{Duration, Instant};

use chrono::{DateTime, Utc};

/// Time as the client sees it: when "now" is, and how to sleep.
pub trait Clock: Send + Sync + std::fmt::Debug {
    /// The current instant.
    fn now(&self) -> Instant;
    /// Sleeps for `duration`.
    fn sleep(&self, duration: Duration) -> Pin<Box<dyn Future<Output = ()> + Send>>;
    /// The wall-clock time, to compare with GitHub's rate-limit resets.
    fn utc_now(&self) -> DateTime<Utc> {
        Utc::now()
    }
}

/// The real clock: `Instant::now` and `tokio::time::sleep`.
#[derive(Clone, Copy, Debug, Default)]
pub struct TokioClock;

impl Clock for TokioClock {
    fn now(&self) -> Instant {
        Instant::now()
    }

    fn sleep(&self, duration: Duration) -> Pin<Box<dyn Future<Output = ()> + Send>> {
        Box::pin(tokio::time::sleep(duration))
    }
}

/// `clock`'s wall time rounded down to the second. GitHub's times are whole seconds: a `since`
/// with a fraction would skip what changed earlier in that second.
pub(crate) fn whole_second(clock: &dyn Clock) -> DateTime<Utc> {
    use chrono::SubsecRound;
    clock.utc_now().trunc_subsecs(0)
}

/// An HTTP date (`Sun, 06 Dec 2026 02:15:20 GMT`, the `Date` and `Retry-After` headers), as
/// a time; `None` when it is not one.
pub(crate) fn http_date(value: &str) -> Option<DateTime<Utc>> {
    DateTime::parse_from_rfc2822(value.trim())
        .ok()
        .map(|d| d.with_timezone(&Utc))
}

/// When an answer was given, by the server's clock: its `Date` header, if it has a readable one.
pub(crate) fn date_of(headers: &reqwest::header::HeaderMap) -> Option<DateTime<Utc>> {
    headers
        .get(reqwest::header::DATE)
        .and_then(|v| v.to_str().ok())
        .and_then(http_date)
}

/// A duration as people write it, as this crate's errors say it: `250 ms`, `2 s`,
/// `1 min 30 s`, `2 h 5 min`, `3 d 4 h`.
///
/// ```
/// use std::time::Duration;
/// assert_eq!(agent_tasks::clock::human(Duration::from_secs(90)), "1 min 30 s");
/// ```
pub fn human(d: Duration) -> String {
    let secs = d.as_secs();
    match secs {
        0 if d.subsec_millis() > 0 => format!("{} ms", d.subsec_millis()),
        0..60 => format!("{secs} s"),
        60..3600 => pair(secs / 60, "min", secs % 60, "s"),
        3600..86400 => pair(secs / 3600, "h", secs % 3600 / 60, "min"),
        _ => pair(secs / 86400, "d", secs % 86400 / 3600, "h"),
    }
}

fn pair(big: u64, big_unit: &str, small: u64, small_unit: &str) -> String {
    if small == 0 {
        format!("{big} {big_unit}")
    } else {
        format!("{big} {big_unit} {small} {small_unit}")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn durations_read_as_people_write_them() {
        assert_eq!(human(Duration::from_millis(250)), "250 ms");
        assert_eq!(human(Duration::ZERO), "0 s");
        assert_eq!(human(Duration::from_secs(2)), "2 s");
        assert_eq!(human(Duration::from_secs(90)), "1 min 30 s");
        assert_eq!(human(Duration::from_secs(120)), "2 min");
        assert_eq!(human(Duration::from_secs(7500)), "2 h 5 min");
        assert_eq!(human(Duration::from_secs(3 * 86400 + 4 * 3600)), "3 d 4 h");
        assert_eq!(human(Duration::MAX), "213503982334601 d 7 h");
    }
}
