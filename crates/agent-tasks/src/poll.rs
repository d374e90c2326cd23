//! The one polling loop. Waiting for one task, waiting for many and the change feed are three
//! [`Policy`]s over it: each says what one poll sends and what it yields; the loop owns time.
//!
//! - **Deadline**: a wait's timeout is hard: it bounds the nap and the request in flight.
//! - **Interval**: polls are one interval apart, the first at once. An answer of 304 costs
//!   nothing against GitHub's primary rate limit and an answer with news means more may come:
//!   both bring the interval back to the first one. An answer that costs and brings nothing new
//!   stretches it by the backoff factor, up to the longest interval. An answer that says
//!   nothing about how often to poll (the first answer of a new query, a baseline) leaves it.
//! - **Since**: what moves a listing's `since` ([`advance_since`]) is stated here once.
//!
//! Time comes from the client's [`Clock`], so tests run waits at once; the request in flight is
//! timed by tokio's timer, since a test clock may jump when asked to sleep.

use std::future::Future;
use std::sync::Arc;
use std::time::{Duration, Instant};

use chrono::{DateTime, Utc};
use futures_core::Stream;

use crate::clock::Clock;
use crate::error::{Error, Result, guarded};
use crate::wait_options::WaitOptions;

/// What one poll's answer says about how often to poll.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Polled {
    /// `304 Not Modified`: free; back to the first interval.
    NotModified,
    /// An answer that brought news: back to the first interval.
    News,
    /// An answer that cost and brought nothing new: stretch the interval.
    Nothing,
    /// An answer that says nothing about the pace (a baseline, the first answer of a new
    /// query): keep the interval.
    Neutral,
}

/// What a use of the loop does: one poll, and what the polls so far have to yield.
pub(crate) trait Policy: Send + 'static {
    /// What the stream yields.
    type Item: Send + 'static;

    /// Sends one poll and takes in its answer.
    fn poll(&mut self) -> impl Future<Output = Result<Polled>> + Send;

    /// The next thing to yield, if the polls so far have one; an error ends the stream.
    fn next(&mut self) -> Option<Result<Self::Item>>;

    /// Whether the stream ends once everything is yielded.
    fn is_done(&self) -> bool;

    /// What the stream ends with at the deadline, after `waited`: an error, or `None` to end
    /// quietly.
    fn timed_out(&mut self, waited: Duration) -> Option<Error>;
}

/// The stream of `policy`'s items, polled as `options` say, unless `check` failed (then that
/// error alone, and nothing is sent).
pub(crate) fn stream<P: Policy>(
    clock: Arc<dyn Clock>,
    options: &WaitOptions,
    check: Result<()>,
    policy: P,
) -> impl Stream<Item = Result<P::Item>> + Send + Unpin + use<P> {
    let state = Loop {
        pace: Pace::new(clock, options),
        policy,
        polls: 0,
        ended: false,
    };
    let items = futures_util::stream::unfold(state, |mut st| async move {
        let item = st.step().await?;
        Some((item, st))
    });
    Box::pin(guarded(check, items))
}

struct Loop<P> {
    pace: Pace,
    policy: P,
    polls: u64,
    ended: bool,
}

impl<P: Policy> Loop<P> {
    /// The next item, polling as often as it takes; `None` at the end.
    async fn step(&mut self) -> Option<Result<P::Item>> {
        loop {
            if let Some(item) = self.policy.next() {
                self.ended |= item.is_err();
                return Some(item);
            }
            if self.ended || self.policy.is_done() {
                return None;
            }
            if self.polls > 0 {
                if self.pace.left().is_some_and(|l| l.is_zero()) {
                    return self.time_out();
                }
                self.pace.nap().await;
            }
            self.polls = self.polls.saturating_add(1);
            let poll = self.policy.poll();
            match self.pace.within(poll).await {
                None => return self.time_out(),
                Some(Err(e)) => {
                    self.ended = true;
                    return Some(Err(e));
                }
                Some(Ok(polled)) => self.pace.after(polled),
            }
        }
    }

    fn time_out(&mut self) -> Option<Result<P::Item>> {
        self.ended = true;
        let waited = self.pace.waited();
        self.policy.timed_out(waited).map(Err)
    }
}

/// Interval, backoff and the deadline of one loop.
struct Pace {
    clock: Arc<dyn Clock>,
    first: Duration,
    max: Duration,
    backoff: f64,
    timeout: Option<Duration>,
    interval: Duration,
    started: Option<Instant>,
}

impl Pace {
    fn new(clock: Arc<dyn Clock>, options: &WaitOptions) -> Self {
        Pace {
            clock,
            first: options.interval,
            max: options.max_interval,
            backoff: options.backoff,
            timeout: options.timeout,
            interval: options.interval,
            started: None,
        }
    }

    /// How long the loop has run (it starts at the first poll).
    fn waited(&mut self) -> Duration {
        let now = self.clock.now();
        let started = *self.started.get_or_insert(now);
        now.saturating_duration_since(started)
    }

    /// Time left before the deadline; `None` without one.
    fn left(&mut self) -> Option<Duration> {
        let waited = self.waited();
        self.timeout.map(|t| t.saturating_sub(waited))
    }

    /// Sleeps one interval, or until the deadline if that comes first.
    async fn nap(&mut self) {
        let nap = self
            .left()
            .map_or(self.interval, |left| self.interval.min(left));
        if !nap.is_zero() {
            self.clock.sleep(nap).await;
        }
    }

    /// Runs `request`, abandoning it at the deadline (`None` then).
    async fn within<T>(&mut self, request: impl Future<Output = T>) -> Option<T> {
        let Some(left) = self.left() else {
            return Some(request.await);
        };
        if left.is_zero() {
            return None;
        }
        tokio::time::timeout(left, request).await.ok()
    }

    /// The interval after an answer.
    fn after(&mut self, polled: Polled) {
        match polled {
            Polled::NotModified | Polled::News => self.interval = self.first,
            Polled::Nothing => {
                // A stretch past what a `Duration` holds (a huge factor) is the maximum.
                let stretched =
                    Duration::try_from_secs_f64(self.interval.as_secs_f64() * self.backoff)
                        .unwrap_or(Duration::MAX);
                self.interval = stretched.min(self.max);
            }
            Polled::Neutral => {}
        }
    }
}

/// Moves a listing's `since` after a poll sent at `sent` (the client's clock, in whole seconds)
/// listed a task updated at `updated`: forward to the update, never back, and never past
/// `sent`. A task dated later than that (a server clock running ahead, a hostile answer) would
/// otherwise hide every change until its date.
pub(crate) fn advance_since(
    since: &mut Option<DateTime<Utc>>,
    updated: DateTime<Utc>,
    sent: DateTime<Utc>,
) {
    let updated = updated.min(sent);
    *since = Some(since.map_or(updated, |s| s.max(updated)));
}
