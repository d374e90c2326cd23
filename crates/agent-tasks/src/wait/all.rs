//! Waiting for many tasks at once: one list request per interval, however many they are
//! ([`Client::wait_for_all`]).

use std::collections::{HashMap, VecDeque};
use std::time::Duration;

use chrono::{DateTime, Utc};
use futures_core::Stream;

use crate::client::Client;
use crate::clock::whole_second;
use crate::error::{Error, Result};
use crate::poll::{self, Policy, Polled, advance_since};
use crate::types::{Task, TaskState};
use crate::wait_options::wait_setters;
use crate::wait_options::{Until, WaitOptions};

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
        WaitAll {
            client: self.clone(),
            tasks: tasks
                .into_iter()
                .map(|t| (t.id.clone(), t.created_at))
                .collect(),
            options: WaitOptions::every(Duration::from_secs(10)),
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
        self.polled(Report::Met)
    }

    /// Each change of state of any of the tasks, as the list reports it, ending once every task
    /// meets the condition.
    pub fn stream(self) -> impl Stream<Item = Result<Task>> + Send + Unpin + 'static {
        self.polled(Report::EveryChange)
    }

    fn polled(self, report: Report) -> impl Stream<Item = Result<Task>> + Send + Unpin + 'static {
        let check = self.options.check(&self.client);
        let clock = self.client.clock();
        // `since` never passes the client's clock: a later time (a server clock running ahead,
        // a hostile answer) would hide the tasks until then, and the wait would give up on
        // them as never listed. A few tasks listed again cost less.
        let since = self
            .tasks
            .iter()
            .map(|(.., t)| *t)
            .min()
            .map(|t| t.min(whole_second(&*clock)));
        let known: HashMap<String, Option<TaskState>> = self
            .tasks
            .iter()
            .map(|(id, ..)| (id.clone(), None))
            .collect();
        let policy = ManyTasks {
            pending: known.len(),
            unseen: known.len(),
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
        };
        poll::stream(clock, &self.options, check, policy)
    }
}

/// Many tasks, polled with one conditional list request per interval.
struct ManyTasks {
    client: Client,
    until: Until,
    report: Report,
    /// Each task's state as last seen (`None`: not listed yet).
    known: HashMap<String, Option<TaskState>>,
    /// Tasks seen by no poll yet.
    unseen: usize,
    /// Tasks that do not meet the condition yet.
    pending: usize,
    since: Option<DateTime<Utc>>,
    /// Whether polls ask only for the states that meet the condition.
    filtered: bool,
    /// The server refused the `state` filter: polls list every state.
    filter_refused: bool,
    etag: Option<String>,
    queue: VecDeque<Result<Task>>,
    polls: u32,
}

impl Policy for ManyTasks {
    type Item = Task;

    async fn poll(&mut self) -> Result<Polled> {
        self.polls = self.polls.saturating_add(1);
        // Once every task has been seen, a wait that reports only the tasks that meet the
        // condition asks for those states only (a new query: no ETag yet).
        let switched = self.report == Report::Met
            && !self.filtered
            && !self.filter_refused
            && self.unseen == 0;
        if switched {
            self.filtered = true;
            self.etag = None;
        }
        let mut list = self.client.list_tasks().changed_since(self.since);
        if self.filtered {
            list = list.states(self.until.states());
        }
        // The client's clock as the poll leaves: `since` moves no further than this.
        let sent = whole_second(&*self.client.clock());
        // Only the tasks waited for are kept: a listing of many pages costs no more memory
        // than two pages' ids (the walk's).
        let known = &self.known;
        let collected = match list
            .collect_conditional(self.etag.as_deref(), |t| known.contains_key(&t.id))
            .await
        {
            Err(e) if self.filtered && refused_filter(&e) => {
                // A server that does not take the `state` filter: list every state, as a
                // wait that reports every change does, rather than fail the wait.
                self.filtered = false;
                self.filter_refused = true;
                self.etag = None;
                return Ok(Polled::Neutral);
            }
            Err(e) => return Err(e),
            Ok(None) => {
                self.give_up_on_unlisted();
                return Ok(Polled::NotModified);
            }
            Ok(Some(collected)) => collected,
        };
        self.etag = collected.etag;
        // `since` stays put while the answer fits one page, so that an unchanged listing is
        // answered 304 (moving it changes the answer: one more counted); past one page it
        // moves to the latest update of the tasks waited for (every later change is at or
        // after it, and `since` includes it).
        if collected.pages > 1
            && let Some(latest) = collected.tasks.iter().filter_map(|t| t.updated_at).max()
        {
            advance_since(&mut self.since, latest, sent);
        }
        let mut news = false;
        for task in collected.tasks {
            news |= self.take_in(task);
        }
        self.give_up_on_unlisted();
        Ok(match (news, switched) {
            (true, _) => Polled::News,
            // The first answer to the filtered query costs by design: not a reason to slow.
            (false, true) => Polled::Neutral,
            (false, false) => Polled::Nothing,
        })
    }

    fn next(&mut self) -> Option<Result<Task>> {
        self.queue.pop_front()
    }

    fn is_done(&self) -> bool {
        self.known.is_empty() || (self.polls > 0 && self.pending == 0)
    }

    fn timed_out(&mut self, waited: Duration) -> Option<Error> {
        Some(Error::WaitAllTimedOut {
            waited,
            pending: self.pending,
        })
    }
}

impl ManyTasks {
    /// Takes in a listed task; whether it is news (a change of state of a task waited for).
    fn take_in(&mut self, task: Task) -> bool {
        let Some(slot) = self.known.get_mut(&task.id) else {
            return false;
        };
        if slot.as_ref() == Some(&task.state) {
            return false;
        }
        if slot.is_none() {
            self.unseen = self.unseen.saturating_sub(1);
        }
        let was_met = slot.as_ref().is_some_and(|s| self.until.is_met(s));
        let is_met = self.until.is_met(&task.state);
        if self.report == Report::Met && was_met {
            // Reported once; what it does afterwards is not this wait's.
            return false;
        }
        match (was_met, is_met) {
            (false, true) => self.pending = self.pending.saturating_sub(1),
            (true, false) => self.pending = self.pending.saturating_add(1),
            _ => {}
        }
        *slot = Some(task.state.clone());
        if self.report == Report::EveryChange || is_met {
            self.queue.push_back(Ok(task));
        }
        true
    }

    /// A task the list never shows (another user's, or archived) would keep the wait going
    /// forever: after a few polls, the wait gives up on it and says why.
    fn give_up_on_unlisted(&mut self) {
        if self.polls < UNLISTED_POLLS || self.unseen == 0 {
            return;
        }
        if let Some(id) = self
            .known
            .iter()
            .find(|(_, s)| s.is_none())
            .map(|(id, _)| id.clone())
        {
            self.queue
                .push_back(Err(Error::TaskNotListed { task_id: id }));
        }
    }
}

/// Whether an error is a server's refusal of the list's `state` filter (400 or 422).
fn refused_filter(e: &Error) -> bool {
    e.status().is_some_and(|s| {
        s == reqwest::StatusCode::BAD_REQUEST || s == reqwest::StatusCode::UNPROCESSABLE_ENTITY
    })
}
