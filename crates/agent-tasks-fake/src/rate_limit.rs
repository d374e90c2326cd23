//! The primary rate limit: a budget of requests per window of the fake's clock, and the
//! `x-ratelimit-*` headers that report it. Counted like GitHub: every answered request but a
//! 304 (which is refunded).

use chrono::{DateTime, TimeDelta, Utc};

use crate::clock::add;

/// Headers to add to an answer.
pub(crate) type Headers = Vec<(&'static str, String)>;

/// The current window: when it began and how much of it is used.
#[derive(Debug)]
pub(crate) struct Window {
    start: DateTime<Utc>,
    used: u64,
}

impl Window {
    pub(crate) fn new(now: DateTime<Utc>) -> Window {
        Window {
            start: now,
            used: 0,
        }
    }

    /// Charges one request to a budget of `limit` per `window_secs`: `Ok` with the headers
    /// to send if it fits, `Err` with the headers of a spent budget if not.
    pub(crate) fn charge(
        &mut self,
        limit: u64,
        window_secs: u64,
        now: DateTime<Utc>,
    ) -> Result<Headers, Headers> {
        let window = i64::try_from(window_secs)
            .ok()
            .and_then(TimeDelta::try_seconds)
            .unwrap_or(TimeDelta::MAX);
        if now >= add(self.start, window) || now < self.start {
            *self = Window::new(now);
        }
        let reset = add(self.start, window).timestamp();
        if self.used >= limit {
            return Err(headers(limit, 0, self.used, reset));
        }
        self.used = self.used.saturating_add(1);
        Ok(headers(
            limit,
            limit.saturating_sub(self.used),
            self.used,
            reset,
        ))
    }

    /// Gives back the charge of a request that turned out free (a 304).
    pub(crate) fn refund(&mut self) {
        self.used = self.used.saturating_sub(1);
    }
}

fn headers(limit: u64, remaining: u64, used: u64, reset: i64) -> Headers {
    vec![
        ("x-ratelimit-limit", limit.to_string()),
        ("x-ratelimit-remaining", remaining.to_string()),
        ("x-ratelimit-used", used.to_string()),
        ("x-ratelimit-reset", reset.to_string()),
        ("x-ratelimit-resource", "core".to_owned()),
    ]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn extreme_windows_and_clocks_do_not_overflow() {
        // At the end of time every window is over at once; what matters is that nothing panics.
        let mut w = Window::new(DateTime::<Utc>::MAX_UTC);
        for _ in 0..3 {
            assert!(w.charge(1, u64::MAX, DateTime::<Utc>::MAX_UTC).is_ok());
        }
        let mut w = Window::new(Utc::now());
        assert!(w.charge(0, 0, Utc::now()).is_err());
        assert!(w.charge(u64::MAX, 60, Utc::now()).is_ok());
        let mut w = Window::new(Utc::now());
        assert!(w.charge(5, i64::MAX as u64, Utc::now()).is_ok());
    }
}
