//! Waiting for tasks: one task ([`GetTask::wait`], [`GetTask::watch`]) or many at once
//! ([`Client::wait_for_all`]).
//!
//! Every wait polls through one `Poller`, with `If-None-Match`, and pays only for news:
//!
//! - an answer of 304 (nothing changed) costs nothing against GitHub's primary rate limit, so
//!   the wait polls at its first interval while answers are 304s: a task that ends then is
//!   noticed within one interval (5 s by default) however long it ran;
//! - an answer that costs (a 200) and brings no news (the task changed but not its state, or
//!   the server sends no `ETag`) stretches the interval, up to `max_interval`: what changes at
//!   every poll is polled less often, and its end may be noticed up to that late;
//! - a change of state, or a 304, brings the interval back to the first one. Polling at the
//!   first interval while answers are 304s costs at most one counted answer per change.
//!
//! A single task is polled with a conditional get. Many tasks are polled with one list request
//! per interval, whatever their number; [`WaitAll::send`] and [`WaitAll::finished`] ask the
//! list only for tasks in the states that end the wait (`state=completed,failed,...`), so its
//! answer changes, and costs, only when one of them ends: waiting for N tasks that the list
//! shows at once costs at most N + 2 counted answers, plus stretched polls when other tasks
//! of the user change.
//!
//! **The floor.** GitHub's secondary rate limits allow 900 points a minute per REST endpoint
//! (a GET is one point, a 304 included) and refuse bursts. A wait sends one request at a time
//! and never polls more often than its interval, which must be at least [`MIN_INTERVAL`]
//! (1 s) against any host but loopback: one wait at 1 s is 60 points a minute, and 50 waits
//! at the default 5 s are 600. Many tasks are best waited for with one [`Client::wait_for_all`]
//! rather than a wait each.
//!
//! Each wait keeps a hard deadline that bounds the request in flight too. Time comes from the
//! client's [`Clock`], so tests can run waits instantly. Dropping the future or the stream
//! cancels the wait.

use std::collections::{HashMap, VecDeque};
use std::future::Future;
use std::sync::Arc;
use std::time::{Duration, Instant};

use chrono::{DateTime, Utc};
use futures_core::Stream;

use crate::client::Client;
use crate::clock::{Clock, whole_second};
use crate::error::{Error, Result};
use crate::get::GetTask;
use crate::list::{SortDirection, TaskSort, advance_since, guarded};
use crate::transport::Conditional;
use crate::types::{Task, TaskState, TaskWithSessions};

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
        match self {
            Until::Terminal => state.is_terminal(),
            Until::TerminalOrAttention => state.is_terminal() || state.needs_attention(),
        }
    }

    /// The states that meet the condition, for the list's `state` filter.
    fn states(self) -> Vec<TaskState> {
        TaskState::KNOWN
            .iter()
            .filter(|s| self.is_met(s))
            .cloned()
            .collect()
    }
}

/// The shortest interval between polls against any host but loopback (1 s), for GitHub's
/// secondary rate limits (see the [module docs](self)). Loopback test servers may be polled
/// faster.
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
        Ok(())
    }
}

/// The one poller of every wait: interval, backoff and a hard deadline.
pub(crate) struct Poller {
    clock: Arc<dyn Clock>,
    options: WaitOptions,
    interval: Duration,
    started: Option<Instant>,
}

impl Poller {
    pub(crate) fn new(clock: Arc<dyn Clock>, options: WaitOptions) -> Self {
        Poller {
            interval: options.interval,
            clock,
            options,
            started: None,
        }
    }

    /// How long the wait has lasted (it starts at the first poll).
    pub(crate) fn waited(&mut self) -> Duration {
        let now = self.clock.now();
        let started = *self.started.get_or_insert(now);
        now.saturating_duration_since(started)
    }

    /// Time left before the deadline; `None` without one.
    pub(crate) fn left(&mut self) -> Option<Duration> {
        let waited = self.waited();
        self.options.timeout.map(|t| t.saturating_sub(waited))
    }

    /// Sleeps one interval, or until the deadline if that comes first.
    pub(crate) async fn nap(&mut self) {
        let nap = self
            .left()
            .map_or(self.interval, |left| self.interval.min(left));
        if !nap.is_zero() {
            self.clock.sleep(nap).await;
        }
    }

    /// Runs `request`, abandoning it at the deadline (`None` then). The request in flight is
    /// timed by tokio's timer: a clock of the caller's may jump when asked to sleep (tests
    /// do), which must not cut a request short.
    pub(crate) async fn within<T>(&mut self, request: impl Future<Output = T>) -> Option<T> {
        let Some(left) = self.left() else {
            return Some(request.await);
        };
        if left.is_zero() {
            return None;
        }
        tokio::time::timeout(left, request).await.ok()
    }

    /// Back to the first interval, after a poll that saw news (poll soon again) or that was
    /// answered 304 (it cost nothing against the rate limit, and what is polled changes less
    /// often than it is polled, so polling at the first interval costs at most one counted
    /// answer per change).
    pub(crate) fn reset(&mut self) {
        self.interval = self.options.interval;
    }

    /// A poll's answer cost against the rate limit but brought no news: back off.
    pub(crate) fn unchanged(&mut self) {
        // A stretch past what a `Duration` holds (a huge factor) is the maximum, not a panic.
        let stretched =
            Duration::try_from_secs_f64(self.interval.as_secs_f64() * self.options.backoff)
                .unwrap_or(Duration::MAX);
        self.interval = stretched.min(self.options.max_interval);
    }
}

macro_rules! wait_setters {
    ($default_interval:literal) => {
        /// When the wait ends (default: terminal or needing attention).
        pub fn until(mut self, until: Until) -> Self {
            self.options.until = until;
            self
        }

        /// The interval between polls while nothing changes (answers are 304s, free) or
        /// states change
        #[doc = concat!("(default ", $default_interval, "; at least [`MIN_INTERVAL`] against")]
        /// any host but loopback).
        pub fn interval(mut self, interval: Duration) -> Self {
            self.options.interval = interval;
            self
        }

        /// The longest interval between polls (default 60 s).
        pub fn max_interval(mut self, max: Duration) -> Self {
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
        pub fn timeout(mut self, timeout: Duration) -> Self {
            self.options.timeout = Some(timeout);
            self
        }

        /// All the options at once.
        pub fn options(mut self, options: WaitOptions) -> Self {
            self.options = options;
            self
        }
    };
}

impl GetTask {
    /// Waits until the task ends or needs attention (see [`WaitTask::until`]).
    ///
    /// ```no_run
    /// # async fn run(client: agent_tasks::Client) -> agent_tasks::Result<()> {
    /// use std::time::Duration;
    /// let task = client
    ///     .task("a1b2c3d4")
    ///     .wait()
    ///     .interval(Duration::from_secs(10))
    ///     .timeout(Duration::from_secs(3600))
    ///     .send()
    ///     .await?;
    /// println!("{} ended {}", task.id, task.state);
    /// # Ok(()) }
    /// ```
    pub fn wait(self) -> WaitTask {
        WaitTask {
            get: self,
            options: WaitOptions::default(),
        }
    }

    /// A stream of the task: its first state, then each change of state, ending after the
    /// state that meets the default condition (terminal or needing attention).
    pub fn watch(self) -> impl Stream<Item = Result<TaskWithSessions>> + Send + Unpin + 'static {
        self.wait().watch()
    }
}

/// Waits for one task. Get one from [`GetTask::wait`].
#[derive(Clone, Debug)]
#[must_use = "a wait does nothing until it is sent"]
pub struct WaitTask {
    get: GetTask,
    options: WaitOptions,
}

impl WaitTask {
    wait_setters!("5 s");

    /// Polls until the condition is met and returns the task then.
    pub async fn send(self) -> Result<TaskWithSessions> {
        use futures_util::StreamExt;
        let mut stream = self.watch();
        let mut last = None;
        while let Some(item) = stream.next().await {
            last = Some(item?);
        }
        last.ok_or_else(|| Error::Internal("a wait ended without a task".into()))
    }

    /// The task's first state, then each change, ending after the state that meets the
    /// condition; a timeout ends it with [`Error::WaitTimedOut`].
    pub fn watch(self) -> impl Stream<Item = Result<TaskWithSessions>> + Send + Unpin + 'static {
        struct St {
            get: GetTask,
            poller: Poller,
            until: Until,
            etag: Option<String>,
            last: Option<TaskWithSessions>,
            done: bool,
        }
        let checked = self.options.check(self.get.client());
        let st = St {
            poller: Poller::new(self.get.client().clock(), self.options.clone()),
            until: self.options.until,
            get: self.get,
            etag: None,
            last: None,
            done: false,
        };
        let polls = futures_util::stream::unfold(st, |mut st| async move {
            if st.done {
                return None;
            }
            loop {
                // Every poll but the first comes after one interval of sleep.
                if st.last.is_some() {
                    st.poller.nap().await;
                }
                let fetched = st
                    .poller
                    .within(st.get.conditional(st.etag.as_deref()))
                    .await;
                let timed_out = |st: &mut St| Error::WaitTimedOut {
                    waited: st.poller.waited(),
                    last: st.last.take().map(Box::new),
                };
                match fetched {
                    None => {
                        st.done = true;
                        let e = timed_out(&mut st);
                        return Some((Err(e), st));
                    }
                    Some(Err(e)) => {
                        st.done = true;
                        return Some((Err(e), st));
                    }
                    Some(Ok(Conditional::NotModified)) => st.poller.reset(),
                    Some(Ok(Conditional::Modified { value, etag })) => {
                        st.etag = etag;
                        let first = st.last.is_none();
                        let changed = st.last.as_ref().is_none_or(|l| l.state != value.state);
                        st.last = Some(value.clone());
                        if changed {
                            if !first {
                                st.poller.reset();
                            }
                            st.done = st.until.is_met(&value.state);
                            return Some((Ok(value), st));
                        }
                        st.poller.unchanged();
                    }
                }
                if st.poller.left().is_some_and(|l| l.is_zero()) {
                    st.done = true;
                    let e = timed_out(&mut st);
                    return Some((Err(e), st));
                }
            }
        });
        Box::pin(guarded(checked, polls))
    }
}

impl Client {
    /// Waits for many tasks at once with one list request per interval, however many there
    /// are, instead of one request per task. The tasks must be the authenticated user's (those
    /// `list_tasks` returns). The result is in the order given.
    ///
    /// ```no_run
    /// # async fn run(client: agent_tasks::Client) -> agent_tasks::Result<()> {
    /// let repo = client.repo("octocat", "hello-world");
    /// let mut started = Vec::new();
    /// for prompt in ["Fix issue 1", "Fix issue 2"] {
    ///     started.push(repo.create_task(prompt).send().await?);
    /// }
    /// for task in client.wait_for_all(&started).send().await? {
    ///     println!("{} ended {}", task.id, task.state);
    /// }
    /// # Ok(()) }
    /// ```
    pub fn wait_for_all<'t>(&self, tasks: impl IntoIterator<Item = &'t Task>) -> WaitAll {
        let tasks: Vec<(String, DateTime<Utc>)> = tasks
            .into_iter()
            .map(|t| (t.id.clone(), t.created_at))
            .collect();
        WaitAll {
            client: self.clone(),
            tasks,
            options: WaitOptions {
                interval: Duration::from_secs(10),
                ..WaitOptions::default()
            },
        }
    }
}

/// Waits for many tasks. Get one from [`Client::wait_for_all`].
#[derive(Clone, Debug)]
#[must_use = "a wait does nothing until it is sent"]
pub struct WaitAll {
    client: Client,
    tasks: Vec<(String, DateTime<Utc>)>,
    options: WaitOptions,
}

/// Polls of the list after which a task that has not appeared in it is given up on.
const UNLISTED_POLLS: u32 = 3;

/// What a many-task wait reports.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Report {
    /// Each change of state of any task (polls list every state).
    EveryChange,
    /// Each task once, when it meets the condition (polls list only those states, once every
    /// task has been seen).
    Met,
}

impl WaitAll {
    wait_setters!("10 s");

    /// Polls until every task meets the condition and returns them, in the order given, as
    /// the list showed them when they met it (state, artifacts such as the pull request). The
    /// list carries no sessions: why a task failed or what it asks is one call away, for those
    /// tasks only:
    ///
    /// ```no_run
    /// # async fn run(client: agent_tasks::Client, started: Vec<agent_tasks::Task>) -> agent_tasks::Result<()> {
    /// for task in client.wait_for_all(&started).send().await? {
    ///     if !task.state.is_success() {
    ///         let full = client.task(&task.id).send().await?;
    ///         let why = full.latest_session().and_then(|s| s.error.as_ref()).and_then(|e| e.message.clone());
    ///         println!("{} ended {}: {}", task.id, task.state, why.unwrap_or_default());
    ///     }
    /// }
    /// # Ok(()) }
    /// ```
    pub async fn send(self) -> Result<Vec<Task>> {
        use futures_util::StreamExt;
        let order: Vec<String> = self.tasks.iter().map(|(id, ..)| id.clone()).collect();
        let mut latest: HashMap<String, Task> = HashMap::new();
        let mut stream = self.finished();
        while let Some(task) = stream.next().await {
            let task = task?;
            latest.insert(task.id.clone(), task);
        }
        order
            .into_iter()
            .map(|id| {
                latest
                    .remove(&id)
                    .ok_or(Error::TaskNotListed { task_id: id })
            })
            .collect()
    }

    /// Each task once, as soon as a poll sees it meet the condition, ending when every task
    /// has: the cheapest way to act on each task as it ends.
    ///
    /// Once the list has shown every task, polls ask it only for tasks in the states that meet
    /// the condition, so its answer changes (and costs against the rate limit) only when one
    /// of them ends; unchanged answers are 304s, free, and the wait polls at its interval.
    ///
    /// ```no_run
    /// # async fn run(client: agent_tasks::Client, started: Vec<agent_tasks::Task>) -> agent_tasks::Result<()> {
    /// use futures_util::TryStreamExt;
    /// let mut ended = client.wait_for_all(&started).finished();
    /// while let Some(task) = ended.try_next().await? {
    ///     println!("{} ended {}", task.id, task.state);
    /// }
    /// # Ok(()) }
    /// ```
    pub fn finished(self) -> impl Stream<Item = Result<Task>> + Send + Unpin + 'static {
        self.poll(Report::Met)
    }

    /// Each change of state of any of the tasks, as the list reports it, ending once every task
    /// meets the condition.
    pub fn watch(self) -> impl Stream<Item = Result<Task>> + Send + Unpin + 'static {
        self.poll(Report::EveryChange)
    }

    fn poll(self, report: Report) -> impl Stream<Item = Result<Task>> + Send + Unpin + 'static {
        struct St {
            client: Client,
            poller: Poller,
            until: Until,
            report: Report,
            known: HashMap<String, Option<TaskState>>,
            /// Tasks seen by no poll yet.
            unseen: usize,
            pending: usize,
            since: Option<DateTime<Utc>>,
            /// Whether polls ask only for the states that meet the condition.
            filtered: bool,
            /// The server refused the `state` filter: polls list every state.
            filter_refused: bool,
            etag: Option<String>,
            queue: VecDeque<Task>,
            polls: u32,
            done: bool,
        }
        let checked = self.options.check(&self.client);
        // `since` never passes the client's clock: a later time (a server clock running ahead,
        // a hostile answer) would hide the tasks until then, and the wait would give up on
        // them as never listed. A few tasks listed again cost less.
        let since = self
            .tasks
            .iter()
            .map(|(.., t)| *t)
            .min()
            .map(|t| t.min(whole_second(&*self.client.clock())));
        let known: HashMap<String, Option<TaskState>> = self
            .tasks
            .iter()
            .map(|(id, ..)| (id.clone(), None))
            .collect();
        let st = St {
            pending: known.len(),
            unseen: known.len(),
            poller: Poller::new(self.client.clock(), self.options.clone()),
            until: self.options.until,
            report,
            client: self.client,
            known,
            since,
            filtered: false,
            filter_refused: false,
            etag: None,
            queue: VecDeque::new(),
            polls: 0,
            done: false,
        };
        let polls = futures_util::stream::unfold(st, |mut st| async move {
            loop {
                if let Some(task) = st.queue.pop_front() {
                    return Some((Ok(task), st));
                }
                if st.done || (st.polls > 0 && st.pending == 0) || st.known.is_empty() {
                    return None;
                }
                let timed_out = |st: &mut St| Error::WaitAllTimedOut {
                    waited: st.poller.waited(),
                    pending: st.pending,
                };
                if st.polls > 0 {
                    if st.poller.left().is_some_and(|l| l.is_zero()) {
                        st.done = true;
                        let e = timed_out(&mut st);
                        return Some((Err(e), st));
                    }
                    st.poller.nap().await;
                }
                st.polls = st.polls.saturating_add(1);
                // Once every task has been seen, a wait that reports only the tasks that meet
                // the condition asks for those states only (a new query: no ETag yet).
                let switched = st.report == Report::Met
                    && !st.filtered
                    && !st.filter_refused
                    && st.unseen == 0;
                if switched {
                    st.filtered = true;
                    st.etag = None;
                }
                let mut list = st
                    .client
                    .list_tasks()
                    .sort(TaskSort::UpdatedAt)
                    .direction(SortDirection::Desc)
                    .per_page(100);
                if st.filtered {
                    list = list.states(st.until.states());
                }
                if let Some(since) = st.since {
                    list = list.since(since);
                }
                // The client's clock as the poll leaves: `since` moves no further than this.
                let sent = whole_second(&*st.client.clock());
                // Only the tasks waited for are kept: a listing of many pages costs no memory.
                let known = &st.known;
                let collect =
                    list.collect_conditional(st.etag.as_deref(), |t| known.contains_key(&t.id));
                let collected = match st.poller.within(collect).await {
                    None => {
                        st.done = true;
                        let e = timed_out(&mut st);
                        return Some((Err(e), st));
                    }
                    Some(Err(e)) if st.filtered && refused_filter(&e) => {
                        // A server that does not take the `state` filter: list every state,
                        // as `watch` does, rather than fail the wait.
                        st.filtered = false;
                        st.filter_refused = true;
                        st.etag = None;
                        continue;
                    }
                    Some(Err(e)) => {
                        st.done = true;
                        return Some((Err(e), st));
                    }
                    Some(Ok(None)) => {
                        st.poller.reset();
                        None
                    }
                    Some(Ok(Some(collected))) => Some(collected),
                };
                if let Some(collected) = collected {
                    st.etag = collected.etag;
                    // `since` stays put while the answer fits one page, so that an unchanged
                    // listing is answered 304 (moving it changes the answer: one more counted);
                    // past one page it moves to the latest update of the tasks waited for
                    // (every later change is at or after it, and `since` includes it).
                    if collected.pages > 1
                        && let Some(latest) =
                            collected.tasks.iter().filter_map(|t| t.updated_at).max()
                    {
                        advance_since(&mut st.since, latest, sent);
                    }
                    let mut news = false;
                    for task in collected.tasks {
                        let Some(slot) = st.known.get_mut(&task.id) else {
                            continue;
                        };
                        if slot.as_ref() == Some(&task.state) {
                            continue;
                        }
                        if slot.is_none() {
                            st.unseen = st.unseen.saturating_sub(1);
                        }
                        let was_met = slot.as_ref().is_some_and(|s| st.until.is_met(s));
                        let is_met = st.until.is_met(&task.state);
                        if st.report == Report::Met && was_met {
                            // Reported once; what it does afterwards is not this wait's.
                            continue;
                        }
                        match (was_met, is_met) {
                            (false, true) => st.pending = st.pending.saturating_sub(1),
                            (true, false) => st.pending = st.pending.saturating_add(1),
                            _ => {}
                        }
                        *slot = Some(task.state.clone());
                        news = true;
                        if st.report == Report::EveryChange || is_met {
                            st.queue.push_back(task);
                        }
                    }
                    if news {
                        st.poller.reset();
                    } else if !switched {
                        // (The first answer to the filtered query costs by design: it is not
                        // a reason to poll less often.)
                        st.poller.unchanged();
                    }
                }
                // A task the list never shows (another user's, or archived) would keep the
                // wait going forever: give up on it after a few polls, and say why.
                if st.polls >= UNLISTED_POLLS
                    && st.unseen > 0
                    && let Some(id) = st
                        .known
                        .iter()
                        .find(|(_, s)| s.is_none())
                        .map(|(id, _)| id.clone())
                {
                    st.done = true;
                    return Some((Err(Error::TaskNotListed { task_id: id }), st));
                }
            }
        });
        Box::pin(guarded(checked, polls))
    }
}

/// Whether an error is a server's refusal of the list's `state` filter (400 or 422).
fn refused_filter(e: &Error) -> bool {
    e.status().is_some_and(|s| {
        s == reqwest::StatusCode::BAD_REQUEST || s == reqwest::StatusCode::UNPROCESSABLE_ENTITY
    })
}
