//! When a failed request is sent again, when one is held back, and the one classification of
//! a failure that both retrying and reconciling read.
//!
//! - `Delivery` says what a failure means for the request: it never left, it was refused, or
//!   it may have been applied. Reads are retried after any transient failure; a task creation
//!   (POST) only when it never left. A creation that may have been applied is reconciled by
//!   `create`, never resent.
//! - Rate limits: a spent primary budget holds requests until its reset (or fails at once if
//!   the reset is too far away; a reset beyond GitHub's one-hour window is believed for one
//!   hour at most); a secondary limit waits `Retry-After` (at least [`MIN_RETRY_AFTER`]), or a
//!   minute without a readable one. Every wait stays inside [`RetryPolicy::max_elapsed`].

use std::time::Duration;

use chrono::{DateTime, Utc};

use crate::error::{Error, RateLimit};

/// The shortest wait after a rate limit, even when `Retry-After` says 0: no burst of requests
/// back to back.
pub const MIN_RETRY_AFTER: Duration = Duration::from_secs(1);

/// GitHub's primary rate-limit window. A reset announced further ahead than this is not
/// believed for longer.
pub const PRIMARY_WINDOW: Duration = Duration::from_secs(3600);

/// What a failure says about the request that failed.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Delivery {
    /// The request never left the process (bad input, a held rate limit) or never reached a
    /// server (the connection could not be opened): nothing happened.
    NotSent,
    /// The server answered, refusing: nothing happened (4xx, including rate limits).
    Refused,
    /// The request left and no readable answer says what became of it (a timeout, a dropped
    /// connection, a 5xx, a body that did not decode): it may have been applied.
    MaybeApplied,
}

impl Error {
    /// The one classification of a failure, read by retrying and by reconciling.
    pub(crate) fn delivery(&self) -> Delivery {
        match self {
            Error::Transport { source, .. } if source.is_connect() => Delivery::NotSent,
            Error::InvalidInput { .. } | Error::Token(_) | Error::RateLimited { .. } => {
                Delivery::NotSent
            }
            Error::NotCreated { .. } => Delivery::NotSent,
            Error::Api(api) if !api.status.is_server_error() => Delivery::Refused,
            _ => Delivery::MaybeApplied,
        }
    }
}

/// How failed requests are retried. [`RetryPolicy::none`] turns retries off.
#[derive(Clone, Debug, PartialEq)]
#[non_exhaustive]
pub struct RetryPolicy {
    /// Retries after the first attempt (default 4).
    pub max_retries: u32,
    /// The first backoff (default 500 ms); each retry doubles it, with jitter.
    pub initial_backoff: Duration,
    /// The longest backoff (default 30 s).
    pub max_backoff: Duration,
    /// No retry starts once this long has passed since the first attempt (default 2 min).
    pub max_elapsed: Duration,
}

impl Default for RetryPolicy {
    fn default() -> Self {
        RetryPolicy {
            max_retries: 4,
            initial_backoff: Duration::from_millis(500),
            max_backoff: Duration::from_secs(30),
            max_elapsed: Duration::from_secs(120),
        }
    }
}

impl RetryPolicy {
    /// No retries at all.
    pub fn none() -> Self {
        RetryPolicy {
            max_retries: 0,
            ..RetryPolicy::default()
        }
    }

    /// Sets the number of retries after the first attempt.
    pub fn max_retries(mut self, n: u32) -> Self {
        self.max_retries = n;
        self
    }

    /// Sets the first backoff.
    pub fn initial_backoff(mut self, d: Duration) -> Self {
        self.initial_backoff = d;
        self
    }

    /// Sets the longest backoff.
    pub fn max_backoff(mut self, d: Duration) -> Self {
        self.max_backoff = d;
        self
    }

    /// Sets the total time after which no retry starts.
    pub fn max_elapsed(mut self, d: Duration) -> Self {
        self.max_elapsed = d;
        self
    }

    /// The backoff before retry number `retry` (1-based): exponential, with "equal jitter"
    /// (half fixed, half random) so that many clients do not retry in step.
    pub(crate) fn backoff(&self, retry: u32, random: f64) -> Duration {
        let exp = self
            .initial_backoff
            .saturating_mul(
                1u32.checked_shl(retry.saturating_sub(1))
                    .unwrap_or(u32::MAX),
            )
            .min(self.max_backoff);
        exp / 2 + (exp / 2).mul_f64(random.clamp(0.0, 1.0))
    }
}

/// How rate limits are handled.
#[derive(Clone, Debug, PartialEq)]
#[non_exhaustive]
pub struct RateLimitPolicy {
    /// The longest the client waits for a primary limit to reset, or for a `Retry-After`,
    /// before it gives up with a rate-limited error (default 60 s; zero: never wait).
    pub max_wait: Duration,
    /// The wait after a secondary limit that gives no `Retry-After` (default 60 s, as GitHub
    /// asks).
    pub secondary_wait: Duration,
}

impl Default for RateLimitPolicy {
    fn default() -> Self {
        RateLimitPolicy {
            max_wait: Duration::from_secs(60),
            secondary_wait: Duration::from_secs(60),
        }
    }
}

impl RateLimitPolicy {
    /// Sets the longest wait for a reset or a `Retry-After`.
    pub fn max_wait(mut self, d: Duration) -> Self {
        self.max_wait = d;
        self
    }

    /// Sets the wait after a secondary limit without `Retry-After`.
    pub fn secondary_wait(mut self, d: Duration) -> Self {
        self.secondary_wait = d;
        self
    }
}

/// What to do after a failed attempt.
pub(crate) enum Next {
    /// Give the error to the caller.
    Fail,
    /// Wait this long, then send again.
    Retry(Duration),
}

/// Decides whether a failed attempt is sent again, and after how long. `idempotent`: the
/// request may be applied twice without harm (reads).
pub(crate) fn next_step(
    error: &Error,
    idempotent: bool,
    retry: u32,
    policy: &RetryPolicy,
    limits: &RateLimitPolicy,
    now: DateTime<Utc>,
    random: f64,
) -> Next {
    if retry > policy.max_retries {
        return Next::Fail;
    }
    let backoff = || Next::Retry(policy.backoff(retry, random));
    match (error.delivery(), error) {
        // A request that never reached a server can always be sent again, whatever its method.
        (Delivery::NotSent, Error::Transport { .. }) => backoff(),
        (Delivery::NotSent, _) => Next::Fail,
        (_, Error::Api(api)) if api.is_rate_limited() => {
            // Nothing was applied: a rate-limited request is resent whatever its method.
            let wait = rate_limit_wait(api.retry_after, api.rate_limit.as_ref(), limits, now);
            if wait > limits.max_wait {
                Next::Fail
            } else {
                Next::Retry(wait)
            }
        }
        (Delivery::Refused, _) => Next::Fail,
        (Delivery::MaybeApplied, _) if !idempotent => Next::Fail,
        (Delivery::MaybeApplied, Error::Api(api))
            if matches!(api.status.as_u16(), 500 | 502 | 503 | 504) =>
        {
            backoff()
        }
        (Delivery::MaybeApplied, Error::Api(_)) => Next::Fail,
        (Delivery::MaybeApplied, Error::Decode(d)) if !d.truncated => Next::Fail,
        (Delivery::MaybeApplied, Error::BodyTooLarge { .. } | Error::Internal(_)) => Next::Fail,
        (Delivery::MaybeApplied, _) => backoff(),
    }
}

/// How long a rate-limit answer asks to wait: `Retry-After` (at least [`MIN_RETRY_AFTER`]),
/// else until a spent primary budget resets, else the secondary default.
pub(crate) fn rate_limit_wait(
    retry_after: Option<Duration>,
    limit: Option<&RateLimit>,
    limits: &RateLimitPolicy,
    now: DateTime<Utc>,
) -> Duration {
    if let Some(wait) = retry_after {
        return wait.max(MIN_RETRY_AFTER);
    }
    match limit {
        Some(l) if l.remaining == 0 => until(l.reset, now).max(MIN_RETRY_AFTER),
        _ => limits.secondary_wait,
    }
}

/// Time from `now` to `reset`, plus a second (GitHub's reset is whole seconds), and never more
/// than [`PRIMARY_WINDOW`]: a reset further ahead is a broken or hostile answer.
pub(crate) fn until(reset: DateTime<Utc>, now: DateTime<Utc>) -> Duration {
    (reset - now)
        .to_std()
        .unwrap_or_default()
        .saturating_add(Duration::from_secs(1))
        .min(PRIMARY_WINDOW)
}

/// A fast, lock-free source of jitter.
#[derive(Debug)]
pub(crate) struct Jitter(std::sync::atomic::AtomicU64);

impl Jitter {
    pub(crate) fn new() -> Self {
        let seed = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map(|d| d.as_nanos() as u64)
            .unwrap_or(0x9E37_79B9_7F4A_7C15);
        Jitter(std::sync::atomic::AtomicU64::new(seed | 1))
    }

    /// A draw in [0, 1).
    pub(crate) fn next(&self) -> f64 {
        use std::sync::atomic::Ordering;
        let mut x = self.0.fetch_add(0x9E37_79B9_7F4A_7C15, Ordering::Relaxed);
        x = (x ^ (x >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        x = (x ^ (x >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        x ^= x >> 31;
        (x >> 11) as f64 / (1u64 << 53) as f64
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn backoff_doubles_up_to_the_maximum_with_jitter() {
        let p = RetryPolicy::default();
        assert_eq!(p.backoff(1, 0.0), Duration::from_millis(250));
        assert_eq!(p.backoff(1, 1.0), Duration::from_millis(500));
        assert_eq!(p.backoff(2, 1.0), Duration::from_secs(1));
        assert_eq!(p.backoff(3, 1.0), Duration::from_secs(2));
        assert_eq!(p.backoff(40, 1.0), Duration::from_secs(30));
        let j = Jitter::new();
        let draws: Vec<f64> = (0..1000).map(|_| j.next()).collect();
        assert!(draws.iter().all(|d| (0.0..1.0).contains(d)));
        let mean = draws.iter().sum::<f64>() / 1000.0;
        assert!((0.4..0.6).contains(&mean), "{mean}");
    }
}
