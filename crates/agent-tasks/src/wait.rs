//! Waiting for tasks: one task ([`GetTask::wait`], [`GetTask::watch`]) or many at once
//! ([`Client::wait_for_all`]).
//!
//! Polling backs off from an initial interval up to a maximum, starting again from the initial
//! interval when the state changes. A single task is polled with `If-None-Match`, so an
//! unchanged task costs a 304, which GitHub does not charge to the rate limit. Many tasks are
//! polled with one list request per interval (sorted by `updated_at`, with `since`), whatever
//! their number. Time comes from the client's [`Clock`], so tests can run waits instantly.
//! Dropping the future or the stream cancels the wait.

use std::collections::HashMap;
use std::future::Future;
use std::pin::Pin;
use std::time::{Duration, Instant};

use chrono::{DateTime, Utc};
use futures_core::Stream;

use crate::client::Client;
use crate::error::{Error, Result};
use crate::pagination::guarded;
use crate::requests::{Conditional, GetTask, SortDirection, TaskSort};
use crate::types::{Task, TaskState, TaskWithSessions};

/// Time as the client sees it: when "now" is, and how to sleep. Waits and retries use it, so a
/// test can supply one that returns at once.
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
}

/// How a wait polls.
#[derive(Clone, Debug, PartialEq)]
#[non_exhaustive]
pub struct WaitOptions {
    /// When the wait ends.
    pub until: Until,
    /// The first interval between polls (default 5 s).
    pub interval: Duration,
    /// The longest interval between polls (default 60 s).
    pub max_interval: Duration,
    /// Each unchanged poll multiplies the interval by this (default 1.5).
    pub backoff: f64,
    /// Give up after this long (default: never; drop the future to cancel).
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
    fn check(&self) -> Result<()> {
        if self.interval.is_zero() {
            return Err(Error::invalid("interval", "must be more than zero"));
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

    fn next(&self, current: Duration) -> Duration {
        current.mul_f64(self.backoff).min(self.max_interval)
    }
}

macro_rules! wait_setters {
    () => {
        /// When the wait ends (default: terminal or needing attention).
        pub fn until(mut self, until: Until) -> Self {
            self.options.until = until;
            self
        }

        /// The first interval between polls (default 5 s).
        pub fn interval(mut self, interval: Duration) -> Self {
            self.options.interval = interval;
            self
        }

        /// The longest interval between polls (default 60 s).
        pub fn max_interval(mut self, max: Duration) -> Self {
            self.options.max_interval = max;
            self
        }

        /// The factor by which an unchanged poll stretches the interval (default 1.5).
        pub fn backoff(mut self, factor: f64) -> Self {
            self.options.backoff = factor;
            self
        }

        /// Gives up after this long with [`Error::WaitTimedOut`].
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
    pub fn watch(self) -> impl Stream<Item = Result<TaskWithSessions>> + Send + 'static {
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
    wait_setters!();

    /// Polls until the condition is met and returns the task then.
    pub async fn send(self) -> Result<TaskWithSessions> {
        use futures_util::StreamExt;
        let mut stream = std::pin::pin!(self.watch());
        let mut last = None;
        while let Some(item) = stream.next().await {
            last = Some(item?);
        }
        last.ok_or_else(|| Error::invalid("wait", "ended without a task"))
    }

    /// The task's first state, then each change, ending after the state that meets the
    /// condition; a timeout ends it with [`Error::WaitTimedOut`].
    pub fn watch(self) -> impl Stream<Item = Result<TaskWithSessions>> + Send + 'static {
        struct St {
            get: GetTask,
            options: WaitOptions,
            etag: Option<String>,
            last: Option<TaskWithSessions>,
            interval: Duration,
            started: Option<Instant>,
            done: bool,
        }
        let checked = self.options.check();
        let st = St {
            interval: self.options.interval,
            get: self.get,
            options: self.options,
            etag: None,
            last: None,
            started: None,
            done: false,
        };
        let polls = futures_util::stream::unfold(st, |mut st| async move {
            if st.done {
                return None;
            }
            let clock = st.get.client().clock();
            let started = *st.started.get_or_insert_with(|| clock.now());
            loop {
                // Every poll but the first comes after one interval of sleep.
                if st.last.is_some() {
                    let waited = clock.now().saturating_duration_since(started);
                    if let Some(limit) = st.options.timeout {
                        if waited >= limit {
                            st.done = true;
                            let last = st.last.clone().expect("polled at least once");
                            return Some((
                                Err(Error::WaitTimedOut {
                                    waited,
                                    last: Box::new(last),
                                }),
                                st,
                            ));
                        }
                        clock.sleep(st.interval.min(limit - waited)).await;
                    } else {
                        clock.sleep(st.interval).await;
                    }
                }
                match st.get.send_conditional(st.etag.as_deref()).await {
                    Err(e) => {
                        st.done = true;
                        return Some((Err(e), st));
                    }
                    Ok(Conditional::NotModified) => {}
                    Ok(Conditional::Modified { value, etag }) => {
                        st.etag = etag;
                        let changed = st.last.as_ref().is_none_or(|l| l.state != value.state);
                        let first = st.last.is_none();
                        st.last = Some(value.clone());
                        if changed {
                            if !first {
                                st.interval = st.options.interval;
                            }
                            st.done = st.options.until.is_met(&value.state);
                            return Some((Ok(value), st));
                        }
                    }
                }
                st.interval = st.options.next(st.interval);
            }
        });
        guarded(checked, polls)
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
            options: WaitOptions::default(),
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

impl WaitAll {
    wait_setters!();

    /// Polls until every task meets the condition and returns them, in the order given.
    pub async fn send(self) -> Result<Vec<Task>> {
        use futures_util::StreamExt;
        let order: Vec<String> = self.tasks.iter().map(|(id, ..)| id.clone()).collect();
        let mut latest: HashMap<String, Task> = HashMap::new();
        let mut stream = std::pin::pin!(self.watch());
        while let Some(task) = stream.next().await {
            let task = task?;
            latest.insert(task.id.clone(), task);
        }
        order
            .into_iter()
            .map(|id| {
                latest.remove(&id).ok_or_else(|| {
                    Error::invalid(
                        "tasks",
                        format!("task {id} never appeared in the list of the token's tasks"),
                    )
                })
            })
            .collect()
    }

    /// Each change of state of any of the tasks, as the list reports it, ending once every task
    /// meets the condition.
    pub fn watch(self) -> impl Stream<Item = Result<Task>> + Send + 'static {
        struct St {
            client: Client,
            options: WaitOptions,
            known: HashMap<String, Option<TaskState>>,
            pending: usize,
            since: Option<DateTime<Utc>>,
            etag: Option<String>,
            queue: std::collections::VecDeque<Task>,
            interval: Duration,
            started: Option<Instant>,
            polled: bool,
            polls: u32,
            done: bool,
        }
        let checked = self.options.check();
        let since = self.tasks.iter().map(|(.., t)| *t).min();
        let known: HashMap<String, Option<TaskState>> = self
            .tasks
            .iter()
            .map(|(id, ..)| (id.clone(), None))
            .collect();
        let st = St {
            pending: known.len(),
            interval: self.options.interval,
            client: self.client,
            options: self.options,
            known,
            since,
            etag: None,
            queue: Default::default(),
            started: None,
            polled: false,
            polls: 0,
            done: false,
        };
        let polls = futures_util::stream::unfold(st, |mut st| async move {
            loop {
                if let Some(task) = st.queue.pop_front() {
                    return Some((Ok(task), st));
                }
                if st.done || (st.polled && st.pending == 0) || st.known.is_empty() {
                    return None;
                }
                let clock = st.client.clock();
                let started = *st.started.get_or_insert_with(|| clock.now());
                if st.polled {
                    let waited = clock.now().saturating_duration_since(started);
                    if let Some(limit) = st.options.timeout
                        && waited >= limit
                    {
                        st.done = true;
                        return Some((
                            Err(Error::WaitAllTimedOut {
                                waited,
                                pending: st.pending,
                            }),
                            st,
                        ));
                    }
                    let nap = st
                        .options
                        .timeout
                        .map_or(st.interval, |l| st.interval.min(l - waited));
                    clock.sleep(nap).await;
                    st.interval = st.options.next(st.interval);
                }
                st.polled = true;
                match poll_changes(&st.client, st.since, st.etag.as_deref()).await {
                    Err(e) => {
                        st.done = true;
                        return Some((Err(e), st));
                    }
                    Ok(None) => {}
                    Ok(Some((tasks, etag))) => {
                        st.etag = etag;
                        let mut changed = false;
                        for task in tasks {
                            let Some(slot) = st.known.get_mut(&task.id) else {
                                continue;
                            };
                            if slot.as_ref() == Some(&task.state) {
                                continue;
                            }
                            let was_met = slot.as_ref().is_some_and(|s| st.options.until.is_met(s));
                            let is_met = st.options.until.is_met(&task.state);
                            match (was_met, is_met) {
                                (false, true) => st.pending -= 1,
                                (true, false) => st.pending += 1,
                                _ => {}
                            }
                            *slot = Some(task.state.clone());
                            if let Some(updated) = task.updated_at {
                                st.since = Some(st.since.map_or(updated, |s| s.max(updated)));
                            }
                            changed = true;
                            st.queue.push_back(task);
                        }
                        if changed {
                            st.interval = st.options.interval;
                        }
                    }
                }
                // A task the list never shows (another user's, or archived) would keep the
                // wait going forever: give up on it after a few polls, and say why.
                st.polls += 1;
                if st.polls >= UNLISTED_POLLS
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
        guarded(checked, polls)
    }
}

/// Polls of the list after which a task that has not appeared in it is given up on.
const UNLISTED_POLLS: u32 = 3;

/// One poll of the user's tasks updated since `since`, newest first, all pages; `None` when
/// the first page is unchanged since `etag`.
async fn poll_changes(
    client: &Client,
    since: Option<DateTime<Utc>>,
    etag: Option<&str>,
) -> Result<Option<(Vec<Task>, Option<String>)>> {
    use crate::requests::ListScope;
    let mut list = client
        .list_tasks()
        .sort(TaskSort::UpdatedAt)
        .direction(SortDirection::Desc)
        .per_page(100);
    if let Some(since) = since {
        list = list.since(since);
    }
    let mut tasks = Vec::new();
    let mut page_number = None;
    let mut first_etag = None;
    loop {
        let tag = if page_number.is_none() { etag } else { None };
        let Some(page) = list
            .scope
            .fetch(&list.client, &list.filters, page_number, tag)
            .await?
        else {
            return Ok(None);
        };
        if page_number.is_none() {
            first_etag = page.etag.clone();
        }
        let next = page.next_page();
        tasks.extend(page.items);
        match next {
            Some(n) if page_number.is_none_or(|p| n > p) => page_number = Some(n),
            _ => break,
        }
    }
    Ok(Some((tasks, first_etag)))
}
