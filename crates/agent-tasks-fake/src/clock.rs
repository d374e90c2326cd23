//! The fake's clock: real time sped up by a factor, or stepped by hand. Every time the fake
//! shows (task timestamps, rate-limit resets, the `Date` header) comes from here, so a test
//! that steps the clock sees one consistent world.
//!
//! The clock saturates at the end of chrono's range instead of overflowing: a caller may ask
//! for any step, and a huge scale must not make reading the time panic.

use std::time::{Duration, Instant};

use chrono::{DateTime, TimeDelta, Utc};

/// Real time scaled, or a manual clock.
#[derive(Debug)]
pub(crate) enum Clock {
    Scaled {
        origin: DateTime<Utc>,
        started: Instant,
        scale: f64,
    },
    Manual(DateTime<Utc>),
}

impl Clock {
    /// A clock that runs `scale` times faster than real time from now (a negative or NaN
    /// scale stops it).
    pub(crate) fn scaled(scale: f64) -> Clock {
        Clock::Scaled {
            origin: Utc::now(),
            started: Instant::now(),
            // `max` maps NaN to 0 too.
            scale: scale.max(0.0),
        }
    }

    /// A clock that moves only when told to.
    pub(crate) fn manual(now: DateTime<Utc>) -> Clock {
        Clock::Manual(now)
    }

    pub(crate) fn now(&self) -> DateTime<Utc> {
        match self {
            Clock::Scaled {
                origin,
                started,
                scale,
            } => {
                // `as` saturates, so a huge product becomes i64::MAX microseconds (about
                // 292,000 years), which the saturating add then caps.
                let micros = (started.elapsed().as_secs_f64() * scale * 1e6) as i64;
                add(*origin, TimeDelta::microseconds(micros))
            }
            Clock::Manual(now) => *now,
        }
    }

    pub(crate) fn advance(&mut self, by: Duration) {
        let by = TimeDelta::from_std(by).unwrap_or(TimeDelta::MAX);
        match self {
            Clock::Scaled { origin, .. } => *origin = add(*origin, by),
            Clock::Manual(now) => *now = add(*now, by),
        }
    }
}

/// `t + d`, saturating at the ends of chrono's range.
pub(crate) fn add(t: DateTime<Utc>, d: TimeDelta) -> DateTime<Utc> {
    t.checked_add_signed(d).unwrap_or(if d < TimeDelta::zero() {
        DateTime::<Utc>::MIN_UTC
    } else {
        DateTime::<Utc>::MAX_UTC
    })
}

/// A `std` duration as chrono's, saturating.
pub(crate) fn delta(d: Duration) -> TimeDelta {
    TimeDelta::from_std(d).unwrap_or(TimeDelta::MAX)
}

/// An HTTP-date (RFC 7231 IMF-fixdate), as the `Date` header carries it.
pub(crate) fn http_date(t: DateTime<Utc>) -> String {
    t.format("%a, %d %b %Y %H:%M:%S GMT").to_string()
}

/// A timestamp as the API renders it (`2026-11-24T08:00:00Z`).
pub(crate) fn timestamp(t: DateTime<Utc>) -> String {
    t.to_rfc3339_opts(chrono::SecondsFormat::Secs, true)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_clock_saturates_instead_of_overflowing() {
        let mut clock = Clock::manual(Utc::now());
        clock.advance(Duration::MAX);
        clock.advance(Duration::MAX);
        assert_eq!(clock.now(), DateTime::<Utc>::MAX_UTC);
        let huge = Clock::scaled(f64::MAX);
        std::thread::sleep(Duration::from_millis(2));
        assert_eq!(huge.now(), DateTime::<Utc>::MAX_UTC);
        assert!(!http_date(huge.now()).is_empty());
        assert!(!timestamp(huge.now()).is_empty());
    }

    #[test]
    fn http_dates_look_like_rfc_7231() {
        let t = DateTime::parse_from_rfc3339("2026-11-24T08:00:00Z")
            .unwrap()
            .with_timezone(&Utc);
        assert_eq!(http_date(t), "Tue, 24 Nov 2026 08:00:00 GMT");
    }
}
