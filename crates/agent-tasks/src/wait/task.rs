//! Waiting for one task: a conditional get per poll ([`GetTask::wait`]).

use std::time::Duration;

use futures_core::Stream;

use crate::error::{Error, Result};
use crate::poll::{self, Policy, Polled};
use crate::tasks::get::{Conditional, GetTask};
use crate::types::TaskWithSessions;
use crate::wait_options::wait_setters;
use crate::wait_options::{Until, WaitOptions};

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
        let mut stream = self.stream();
        let mut last = None;
        while let Some(item) = stream.next().await {
            last = Some(item?);
        }
        last.ok_or_else(|| Error::Internal("a wait ended without a task".into()))
    }

    /// The task's first state, then each change of state, ending after the state that meets
    /// the condition; a timeout ends it with [`Error::WaitTimedOut`].
    ///
    /// ```no_run
    /// # async fn run(client: agent_tasks::Client) -> agent_tasks::Result<()> {
    /// use futures_util::TryStreamExt;
    /// let mut changes = client.task("a1b2c3d4").wait().stream();
    /// while let Some(task) = changes.try_next().await? {
    ///     println!("now {}", task.state);
    /// }
    /// # Ok(()) }
    /// ```
    pub fn stream(self) -> impl Stream<Item = Result<TaskWithSessions>> + Send + Unpin + 'static {
        let client = self.get.client();
        let check = self.options.check(client);
        let clock = client.clock();
        let policy = OneTask {
            until: self.options.until,
            get: self.get,
            etag: None,
            last: None,
            news: None,
            done: false,
        };
        poll::stream(clock, &self.options, check, policy)
    }
}

/// One task, polled with `If-None-Match`: each change of state is news.
struct OneTask {
    get: GetTask,
    until: Until,
    etag: Option<String>,
    /// The task as last seen.
    last: Option<TaskWithSessions>,
    /// A change to yield.
    news: Option<TaskWithSessions>,
    done: bool,
}

impl Policy for OneTask {
    type Item = TaskWithSessions;

    async fn poll(&mut self) -> Result<Polled> {
        let (value, etag) = match self.get.conditional(self.etag.as_deref()).await? {
            Conditional::NotModified => return Ok(Polled::NotModified),
            Conditional::Modified { value, etag } => (value, etag),
        };
        self.etag = etag;
        let changed = self.last.as_ref().is_none_or(|l| l.state != value.state);
        self.last = Some(value.clone());
        if !changed {
            return Ok(Polled::Nothing);
        }
        self.done = self.until.is_met(&value.state);
        self.news = Some(value);
        Ok(Polled::News)
    }

    fn next(&mut self) -> Option<Result<TaskWithSessions>> {
        self.news.take().map(Ok)
    }

    fn is_done(&self) -> bool {
        self.done
    }

    fn timed_out(&mut self, waited: Duration) -> Option<Error> {
        Some(Error::WaitTimedOut {
            waited,
            last: self.last.take().map(Box::new),
        })
    }
}
