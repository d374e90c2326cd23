//! What every wait is told: when it ends ([`Until`]) and how it polls ([`WaitOptions`]);
//! public as `agent_tasks::wait::{Until, WaitOptions}`.

use std::time::Duration;

use crate::client::Client;
use crate::error::{Error, Result};
use crate::types::{StateClass, TaskState};

/// When a wait ends.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
#[non_exhaustive]
pub enum Until {
    /// When the task has ended: completed, failed, timed out or cancelled.
    Terminal,
    /// When the task has ended or waits on a person (`idle`, `waiting_for_user`). The default:
    /// a task that waits on a person would otherwise keep a wait going until its deadline.
    #[default]
    TerminalOrAttention,
}

impl Until {
    /// Whether a task in `state` ends the wait.
    pub fn is_met(self, state: &TaskState) -> bool {
        match (self, state.class()) {
            (_, None | Some(StateClass::Active)) => false,
            (Until::Terminal, Some(class)) => class.is_terminal(),
            (Until::TerminalOrAttention, Some(_)) => true,
        }
    }

    /// The known states that meet the condition, for the list's `state` filter.
    pub(crate) fn states(self) -> Vec<TaskState> {
        TaskState::KNOWN
            .iter()
            .filter(|s| self.is_met(s))
            .cloned()
            .collect()
    }
}

/// The shortest interval between polls against any host but loopback (1 s), for GitHub's
/// secondary rate limits (see the [module docs](crate::wait)). Loopback test servers may be
/// polled faster.
pub const MIN_INTERVAL: Duration = Duration::from_secs(1);

/// How a wait polls.
#[derive(Clone, Debug, PartialEq)]
#[non_exhaustive]
pub struct WaitOptions {
    /// When the wait ends.
    pub until: Until,
    /// The interval between polls while answers are 304s (free) or bring news (default 5 s;
    /// a many-task wait's default is 10 s; at least [`MIN_INTERVAL`] against any host but
    /// loopback).
    pub interval: Duration,
    /// The longest interval between polls (default 60 s).
    pub max_interval: Duration,
    /// Each poll whose answer costs against the rate limit but brings no news multiplies the
    /// interval by this (default 1.5). A 304 brings it back to `interval`.
    pub backoff: f64,
    /// Give up after this long (default: never; drop the future to cancel). A hard deadline:
    /// a request still in flight then is abandoned.
    pub timeout: Option<Duration>,
}

impl Default for WaitOptions {
    fn default() -> Self {
        WaitOptions {
            until: Until::default(),
            interval: Duration::from_secs(5),
            max_interval: Duration::from_secs(60),
            backoff: 1.5,
            timeout: None,
        }
    }
}

impl WaitOptions {
    /// The defaults with another first interval (a many-task wait's and a feed's is 10 s).
    pub(crate) fn every(interval: Duration) -> Self {
        WaitOptions {
            interval,
            ..WaitOptions::default()
        }
    }

    /// Checks the options as a wait of `client` does before it sends anything (the interval's
    /// floor depends on its base URL): for a caller that wants bad options refused before
    /// other requests, such as the one that starts the task to wait for.
    pub fn check(&self, client: &Client) -> Result<()> {
        if self.interval.is_zero() {
            return Err(Error::invalid("interval", "must be more than zero"));
        }
        if self.interval < MIN_INTERVAL && !client.is_loopback() {
            return Err(Error::invalid(
                "interval",
                format!(
                    "is {:?}; against {} it must be at least {MIN_INTERVAL:?} (GitHub's secondary rate limits); shorter intervals are for loopback test servers",
                    self.interval,
                    client.base_url()
                ),
            ));
        }
        if self.max_interval < self.interval {
            return Err(Error::invalid(
                "max_interval",
                "must not be shorter than the interval",
            ));
        }
        if !(self.backoff >= 1.0 && self.backoff.is_finite()) {
            return Err(Error::invalid(
                "backoff",
                "must be a finite factor of at least 1",
            ));
        }
        if self.timeout == Some(Duration::ZERO) {
            return Err(Error::invalid(
                "timeout",
                "must be more than zero (leave it unset to wait without one)",
            ));
        }
        Ok(())
    }
}

/// The setters every wait builder shares; each keeps its options in `self.options`.
macro_rules! wait_setters {
    ($default_interval:literal) => {
        /// When the wait ends (default: terminal or needing attention).
        pub fn until(mut self, until: $crate::wait_options::Until) -> Self {
            self.options.until = until;
            self
        }

        /// The interval between polls while nothing changes (answers are 304s, free) or
        /// states change
        #[doc = concat!("(default ", $default_interval, "; at least [`MIN_INTERVAL`](crate::wait::MIN_INTERVAL) against")]
        /// any host but loopback).
        pub fn interval(mut self, interval: std::time::Duration) -> Self {
            self.options.interval = interval;
            self
        }

        /// The longest interval between polls (default 60 s).
        pub fn max_interval(mut self, max: std::time::Duration) -> Self {
            self.options.max_interval = max;
            self
        }

        /// The factor by which a poll that costs against the rate limit but brings no news
        /// stretches the interval (default 1.5).
        pub fn backoff(mut self, factor: f64) -> Self {
            self.options.backoff = factor;
            self
        }

        /// Gives up after this long with a timeout error; a hard deadline, which also cuts
        /// short a request in flight.
        pub fn timeout(mut self, timeout: std::time::Duration) -> Self {
            self.options.timeout = Some(timeout);
            self
        }

        /// All the options at once.
        pub fn options(mut self, options: $crate::wait_options::WaitOptions) -> Self {
            self.options = options;
            self
        }
    };
}
pub(crate) use wait_setters;
