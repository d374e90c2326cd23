//! A change feed: every change of the tasks of a repository, or of the user across
//! repositories, as a stream of [`Event`]s, from one list request per interval.
//!
//! Each poll lists the tasks updated since the last one (`since`, sorted by `updated_at`), with
//! `If-None-Match` on the first page, so a quiet interval costs a 304, free on GitHub's
//! primary rate limit. What each task looked like is kept in a [`Cursor`], which every event
//! carries: save it, and a feed started again from it ([`Feed::cursor`]) reports nothing twice
//! and misses nothing that changed in between.
//!
//! `since` never passes the client's own clock. A task dated in the future (a server clock
//! running ahead, a broken or hostile answer, a cursor saved under either) would otherwise hide
//! every change until that date; held at now, a poll lists a few tasks again instead, and
//! those make no event unless they changed. The price falls on a client whose clock runs
//! behind GitHub's by more than a second: after each change the next poll's `since` differs,
//! so its answer is a 200 rather than a free 304 (one or two more counted answers a change).

use std::collections::{BTreeMap, VecDeque};
use std::time::Duration;

use chrono::{DateTime, Utc};
use futures_core::Stream;
use serde::{Deserialize, Serialize};

use crate::clock::whole_second;
use crate::error::{Error, Result};
use crate::poll::{self, Policy, Polled, advance_since};
use crate::tasks::list::{ListScope, ListTasks};
use crate::types::{PullRequestRef, Task, TaskState};
use crate::wait_options::WaitOptions;

/// The most tasks a cursor remembers (it stays small: a cursor travels with every event).
pub const MAX_SEEN: usize = 10_000;

/// What happened to a task.
#[derive(Clone, Debug, PartialEq, Serialize, schemars::JsonSchema)]
#[serde(tag = "kind", rename_all = "snake_case")]
#[non_exhaustive]
pub enum Change {
    /// The task appeared, created after the feed (or its cursor) began.
    Created,
    /// The task's state changed; `from` is `None` for a task the feed had not seen before.
    StateChanged {
        /// The state before, when known.
        from: Option<TaskState>,
        /// The state now.
        to: TaskState,
    },
    /// The task opened a pull request.
    PullRequestOpened {
        /// The pull request's database id.
        id: i64,
        /// Its GraphQL node id.
        node_id: Option<String>,
    },
    /// The task gained a session (someone asked the agent for more).
    SessionAdded {
        /// How many sessions it has now.
        sessions: i32,
    },
}

/// What changed of one task since the feed last saw it (most often one change; a task that
/// completed and opened its pull request between two polls has two), with the cursor to
/// resume the feed after it.
#[derive(Clone, Debug, PartialEq, Serialize)]
#[non_exhaustive]
pub struct Event {
    /// What happened, in order.
    pub changes: Vec<Change>,
    /// The task as the list showed it.
    pub task: Task,
    /// Where the feed is after this event: keep it to resume from here.
    #[serde(skip)]
    pub cursor: Cursor,
}

/// Where a feed is: the newest `updated_at` it has seen (or, if that was later, the client's
/// clock when the poll that showed it was sent), and what each task updated since then looked
/// like. Save it as text (`to_string`, `parse`) to resume a feed in another process.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Cursor {
    since: Option<DateTime<Utc>>,
    seen: BTreeMap<String, Seen>,
    /// When the feed began, by the server's clock (else the client's) at its baseline: a task
    /// created since is `Created`, even when the baseline saw no task to set `since` by.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    began: Option<DateTime<Utc>>,
}

/// What the feed last saw of a task.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
struct Seen {
    state: TaskState,
    sessions: Option<i32>,
    pull_request: bool,
    updated_at: Option<DateTime<Utc>>,
}

impl std::fmt::Display for Cursor {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&serde_json::to_string(self).map_err(|_| std::fmt::Error)?)
    }
}

impl std::str::FromStr for Cursor {
    type Err = Error;

    fn from_str(text: &str) -> Result<Self> {
        serde_json::from_str(text)
            .map_err(|e| Error::invalid("cursor", format!("is not a feed cursor ({e})")))
    }
}

impl Cursor {
    /// The changes `task` makes to what the cursor knows, recorded in it. `sent` is the
    /// client's clock when the poll that listed it was sent (see `advance_since`).
    fn apply(&mut self, task: &Task, sent: DateTime<Utc>) -> Vec<Change> {
        let seen = Seen {
            state: task.state.clone(),
            sessions: task.session_count,
            pull_request: task.pull_request().is_some(),
            updated_at: task.updated_at,
        };
        let mut changes = Vec::new();
        match self.seen.get(&task.id) {
            None => {
                if self
                    .since
                    .or(self.began)
                    .is_some_and(|s| task.created_at >= s)
                {
                    changes.push(Change::Created);
                } else {
                    changes.push(Change::StateChanged {
                        from: None,
                        to: task.state.clone(),
                    });
                }
            }
            Some(before) => {
                if before.state != seen.state {
                    changes.push(Change::StateChanged {
                        from: Some(before.state.clone()),
                        to: seen.state.clone(),
                    });
                }
                if let (Some(b), Some(n)) = (before.sessions, seen.sessions)
                    && n > b
                {
                    changes.push(Change::SessionAdded { sessions: n });
                }
            }
        }
        let had_pr = self.seen.get(&task.id).is_some_and(|s| s.pull_request);
        if !had_pr && let Some(PullRequestRef { id, node_id, .. }) = task.pull_request() {
            changes.push(Change::PullRequestOpened {
                id,
                node_id: node_id.map(str::to_owned),
            });
        }
        if let Some(updated) = task.updated_at {
            advance_since(&mut self.since, updated, sent);
        }
        self.seen.insert(task.id.clone(), seen);
        changes
    }

    /// Keeps `since` at or before `now`, the client's clock. A time later than that (a server
    /// whose clock runs ahead, a hostile or broken answer, a saved cursor) would make every
    /// later poll skip each change until then: a few tasks listed again, which make no event
    /// unless they changed, cost less than changes never seen. A feed holds its cursor so when
    /// it starts; afterwards `apply` bounds each move.
    fn hold_at(&mut self, now: DateTime<Utc>) {
        self.since = self.since.map(|s| s.min(now));
    }

    /// Whether `task` differs from what the cursor saw of it (so that it makes an event).
    fn is_news(&self, task: &Task) -> bool {
        self.seen.get(&task.id).is_none_or(|s| {
            s.state != task.state
                || s.sessions != task.session_count
                || s.pull_request != task.pull_request().is_some()
        })
    }

    /// Forgets ended tasks not updated since the cursor's `since` (the next poll cannot show
    /// them unless they change again, which ended tasks rarely do), so that the cursor holds
    /// about as many tasks as are under way.
    fn prune(&mut self) {
        if let Some(since) = self.since {
            self.seen
                .retain(|_, s| !s.state.is_terminal() || s.updated_at.is_none_or(|u| u >= since));
        }
    }
}

impl<S: ListScope> ListTasks<S> {
    /// A change feed of the tasks this listing names: see [`Feed`].
    ///
    /// ```no_run
    /// # async fn run(client: agent_tasks::Client) -> agent_tasks::Result<()> {
    /// use futures_util::TryStreamExt;
    /// let mut events = client.repo("octocat", "hello-world").list_tasks().feed().stream();
    /// while let Some(event) = events.try_next().await? {
    ///     println!("{} {:?}", event.task.id, event.changes);
    ///     // save event.cursor.to_string() to resume later with .cursor(saved.parse()?)
    /// }
    /// # Ok(()) }
    /// ```
    pub fn feed(self) -> Feed<S> {
        Feed {
            list: self,
            cursor: None,
            options: WaitOptions::every(Duration::from_secs(10)),
        }
    }
}

/// A change feed. Get one from [`ListTasks::feed`].
#[derive(Clone, Debug)]
#[must_use = "a feed does nothing until it is streamed"]
pub struct Feed<S> {
    list: ListTasks<S>,
    cursor: Option<Cursor>,
    options: WaitOptions,
}

impl<S: ListScope> Feed<S> {
    /// Resumes from a cursor an earlier event carried.
    pub fn cursor(mut self, cursor: Cursor) -> Self {
        self.cursor = Some(cursor);
        self
    }

    /// The interval between polls (default 10 s). A quiet poll is answered 304, free on the
    /// rate limit, and keeps this interval; a poll that costs and brings nothing new stretches
    /// it, up to [`max_interval`](Self::max_interval). At least
    /// [`MIN_INTERVAL`](crate::wait::MIN_INTERVAL) against any host but loopback.
    pub fn interval(mut self, interval: Duration) -> Self {
        self.options.interval = interval;
        if self.options.max_interval < interval {
            self.options.max_interval = interval;
        }
        self
    }

    /// The longest interval between polls (default 60 s).
    pub fn max_interval(mut self, max: Duration) -> Self {
        self.options.max_interval = max;
        self
    }

    /// Ends the feed after this long, without an error.
    pub fn timeout(mut self, timeout: Duration) -> Self {
        self.options.timeout = Some(timeout);
        self
    }

    /// The events, as they are polled. Without a cursor the feed starts from now: the tasks
    /// updated most recently (one page) are its baseline and make no events. A timeout ends the
    /// stream; an error ends it after the error.
    pub fn stream(self) -> impl Stream<Item = Result<Event>> + Send + Unpin + 'static {
        let client = self.list.client();
        let check = self.options.check(client);
        let clock = client.clock();
        let baseline = self.cursor.is_none();
        let mut cursor = self.cursor.unwrap_or_default();
        cursor.hold_at(whole_second(&*clock));
        let policy = Changes {
            list: self.list,
            cursor,
            baseline,
            etag: None,
            pending: VecDeque::new(),
            sent: DateTime::<Utc>::MIN_UTC,
        };
        poll::stream(clock, &self.options, check, policy)
    }
}

/// The feed's polls: the listing since the cursor, conditionally; each task that changed is an
/// event.
struct Changes<S> {
    list: ListTasks<S>,
    cursor: Cursor,
    /// The next poll is the first of a feed without a cursor: what it lists is the baseline.
    baseline: bool,
    etag: Option<String>,
    /// Tasks of the last poll not yet applied to the cursor, oldest change first: each is
    /// applied when its event is taken, so the cursor an event carries covers exactly the
    /// events before it.
    pending: VecDeque<Task>,
    /// The client's clock, in whole seconds, when the last poll was sent: what it lists moves
    /// `since` no further.
    sent: DateTime<Utc>,
}

impl<S: ListScope> Policy for Changes<S> {
    type Item = Event;

    async fn poll(&mut self) -> Result<Polled> {
        let list = self.list.clone().changed_since(self.cursor.since);
        self.sent = whole_second(&*self.list.client().clock());
        let mut tasks = if self.baseline {
            // One page is enough to start from: older tasks are news if they change.
            let page = list.send().await?;
            self.cursor.began = Some(page.date.unwrap_or(self.sent));
            page.items
        } else {
            match list
                .collect_conditional(self.etag.as_deref(), |_| true)
                .await?
            {
                None => return Ok(Polled::NotModified),
                Some(collected) => {
                    self.etag = collected.etag;
                    collected.tasks
                }
            }
        };
        // Oldest change first, so the cursor only moves forward.
        tasks.reverse();
        if std::mem::take(&mut self.baseline) {
            // The baseline makes no events, and says nothing about how often to poll.
            for task in &tasks {
                self.cursor.apply(task, self.sent);
            }
            self.cursor.prune();
            return Ok(Polled::Neutral);
        }
        let news = tasks.iter().any(|t| self.cursor.is_news(t));
        self.pending.extend(tasks);
        Ok(if news { Polled::News } else { Polled::Nothing })
    }

    fn next(&mut self) -> Option<Result<Event>> {
        while let Some(task) = self.pending.pop_front() {
            let changes = self.cursor.apply(&task, self.sent);
            if self.pending.is_empty() {
                self.cursor.prune();
            }
            if !changes.is_empty() {
                return Some(Ok(Event {
                    changes,
                    task,
                    cursor: self.cursor.clone(),
                }));
            }
        }
        None
    }

    fn is_done(&self) -> bool {
        false
    }

    fn timed_out(&mut self, _waited: Duration) -> Option<Error> {
        None
    }
}
