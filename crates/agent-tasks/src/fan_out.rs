//! Fan-out: the same task started in many repositories, paced the way GitHub asks for writes,
//! every step journaled before the next, resumable without starting anything twice.
//!
//! Each repository's creation carries an idempotency key made from the run's id (kept in the
//! journal) and the repository, so that a rerun with the same journal skips what was created
//! and, for anything whose outcome is not known (the process died mid-request, or the answer
//! was lost), finds the task by its key before it would start another.

use std::path::PathBuf;
use std::time::Duration;

use serde::Serialize;

use crate::client::Client;
use crate::error::{Error, Result};
use crate::journal::{Journal, Step};
use crate::tasks::create::TaskOptions;

pub use crate::journal::Status;
use crate::types::{Task, TaskState};
use crate::validate;

/// The pause between two creations unless set otherwise: GitHub asks integrators to space
/// writes at least a second apart.
pub const DEFAULT_PACE: Duration = Duration::from_secs(1);

/// What became of one repository.
#[derive(Clone, Debug, PartialEq, Serialize, schemars::JsonSchema)]
#[non_exhaustive]
pub struct Outcome {
    /// `OWNER/REPO`.
    pub repo: String,
    /// Where it ended.
    pub status: Status,
    /// The task, when one exists (and, after [`FanOut::wait`], as it ended).
    pub task: Option<Task>,
    /// Why there is no task, or why it is not known.
    pub error: Option<String>,
    /// A plain hint at the cause and its fix, when the error has one (a repository that does
    /// not exist, a token without the permission).
    pub hint: Option<String>,
    /// Whether running the fan-out again with the same journal may finish this repository: its
    /// outcome is unknown, or its error may pass (the network, a 5xx, a rate limit). `false`
    /// for a refusal that needs a fix first (a repository that does not exist).
    pub rerun_may_help: bool,
    /// Whether this run found it already done in the journal (and did nothing).
    pub resumed: bool,
}

/// Starts one task in each of many repositories. Get one from [`Client::fan_out`].
#[derive(Clone, Debug)]
#[must_use = "a fan-out does nothing until it is run"]
pub struct FanOut {
    client: Client,
    prompt: String,
    repos: Vec<(String, String)>,
    journal: Option<PathBuf>,
    pace: Duration,
    concurrency: usize,
    options: TaskOptions,
    wait: Option<crate::wait_options::WaitOptions>,
}

impl Client {
    /// A fan-out of `prompt` over repositories.
    ///
    /// ```no_run
    /// # async fn run(client: agent_tasks::Client) -> agent_tasks::Result<()> {
    /// let outcomes = client
    ///     .fan_out("Bump the MSRV to 1.88")
    ///     .repos([("octocat", "hello-world"), ("octocat", "spoon-knife")])
    ///     .journal("msrv.journal")
    ///     .options(agent_tasks::create::TaskOptions::default().create_pull_request(true))
    ///     .run()
    ///     .await?;
    /// for o in outcomes {
    ///     println!("{} {:?} {:?}", o.repo, o.status, o.task.map(|t| t.id));
    /// }
    /// # Ok(()) }
    /// ```
    pub fn fan_out(&self, prompt: impl Into<String>) -> FanOut {
        FanOut {
            client: self.clone(),
            prompt: prompt.into(),
            repos: Vec::new(),
            journal: None,
            pace: DEFAULT_PACE,
            concurrency: 1,
            options: TaskOptions::default(),
            wait: None,
        }
    }
}

impl FanOut {
    /// The repositories, as `(owner, name)`.
    pub fn repos<O: Into<String>, R: Into<String>>(
        mut self,
        repos: impl IntoIterator<Item = (O, R)>,
    ) -> Self {
        self.repos
            .extend(repos.into_iter().map(|(o, r)| (o.into(), r.into())));
        self
    }

    /// The journal file: created if missing, resumed if it exists (it must be of the same
    /// prompt and options). Without one, a rerun cannot know what this run did (the
    /// idempotency keys still prevent duplicates within a run).
    pub fn journal(mut self, path: impl Into<PathBuf>) -> Self {
        self.journal = Some(path.into());
        self
    }

    /// The pause between two creations ([`DEFAULT_PACE`] unless set).
    pub fn pace(mut self, pace: Duration) -> Self {
        self.pace = pace;
        self
    }

    /// How many creations may be under way at once (default 1). GitHub asks integrators to
    /// make a user's requests one at a time; more than 1 goes against that guidance and risks
    /// secondary rate limits. Starts stay [`pace`](Self::pace) apart whatever this is.
    pub fn concurrency(mut self, n: usize) -> Self {
        self.concurrency = n;
        self
    }

    /// What every task is started with besides the prompt (base branch, model, agent, pull
    /// request).
    pub fn options(mut self, options: TaskOptions) -> Self {
        self.options = options;
        self
    }

    /// After the creations, waits for the created tasks (one list request per interval) and
    /// reports them as they ended.
    pub fn wait(mut self, options: crate::wait_options::WaitOptions) -> Self {
        self.wait = Some(options);
        self
    }

    /// A fingerprint of what is asked (prompt and options), which a journal must match.
    fn fingerprint(&self) -> String {
        let text = serde_json::json!({"prompt": self.prompt, "options": self.options}).to_string();
        format!("{:016x}", fnv1a(text.as_bytes()))
    }

    /// Starts what is not started yet, repository by repository, and returns every
    /// repository's outcome in the order given.
    pub async fn run(self) -> Result<Vec<Outcome>> {
        validate::prompt(&self.prompt)?;
        self.options.check()?;
        // The wait's options are checked now: refused after the tasks are started, they would
        // lose the outcomes.
        if let Some(options) = &self.wait {
            options.check(&self.client)?;
        }
        if self.repos.is_empty() {
            return Err(Error::invalid("repos", "must name at least one repository"));
        }
        for (owner, repo) in &self.repos {
            validate::owner(owner)?;
            validate::repo(repo)?;
        }
        let fingerprint = self.fingerprint();
        let clock = self.client.clock();
        let journal = match &self.journal {
            Some(path) => Some(Journal::open(path, &fingerprint, || run_id(&*clock))?),
            None => None,
        };
        let run = journal
            .as_ref()
            .map_or_else(|| run_id(&*clock), |j| j.header.run.clone());

        if self.concurrency == 0 {
            return Err(Error::invalid("concurrency", "must be at least 1"));
        }
        let journal = futures_util::lock::Mutex::new(journal);
        let gate = futures_util::lock::Mutex::new(None::<std::time::Instant>);
        // Boxed one by one (not through a closure), so that the run's future is `Send` for
        // any caller's lifetimes and can be spawned.
        type Step<'a> = std::pin::Pin<
            Box<dyn std::future::Future<Output = (usize, Result<Outcome>)> + Send + 'a>,
        >;
        let mut steps: Vec<Step<'_>> = Vec::with_capacity(self.repos.len());
        for (i, (owner, name)) in self.repos.iter().enumerate() {
            let (this, run, journal, gate) = (&self, &run, &journal, &gate);
            steps.push(Box::pin(async move {
                (i, this.one(owner, name, run, journal, gate).await)
            }));
        }
        let mut results: Vec<(usize, Result<Outcome>)> =
            futures_util::StreamExt::collect(futures_util::StreamExt::buffer_unordered(
                futures_util::stream::iter(steps),
                self.concurrency,
            ))
            .await;
        results.sort_by_key(|(i, _)| *i);
        let mut outcomes = results
            .into_iter()
            .map(|(_, r)| r)
            .collect::<Result<Vec<Outcome>>>()?;

        if let Some(options) = self.wait {
            let started: Vec<Task> = outcomes.iter().filter_map(|o| o.task.clone()).collect();
            if !started.is_empty() {
                let ended = self
                    .client
                    .wait_for_all(&started)
                    .options(options)
                    .send()
                    .await?;
                for o in &mut outcomes {
                    if let Some(t) = o
                        .task
                        .as_ref()
                        .and_then(|t| ended.iter().find(|e| e.id == t.id))
                    {
                        o.task = Some(t.clone());
                    }
                }
            }
        }
        Ok(outcomes)
    }
}

impl FanOut {
    /// One repository: skipped if the journal says it is done, else paced, journaled, created
    /// (or found by its key), journaled.
    async fn one(
        &self,
        owner: &str,
        name: &str,
        run: &str,
        journal: &futures_util::lock::Mutex<Option<Journal>>,
        gate: &futures_util::lock::Mutex<Option<std::time::Instant>>,
    ) -> Result<Outcome> {
        let repo = format!("{owner}/{name}");
        let done = journal
            .lock()
            .await
            .as_ref()
            .and_then(|j| j.last.get(&repo))
            .filter(|s| s.status == Status::Created)
            .and_then(|s| s.task_id.clone());
        if let Some(id) = done {
            // Done in an earlier run: read it back (its state now), start nothing.
            let task = self.client.repo(owner, name).task(id).send().await;
            return Ok(Outcome {
                repo,
                status: Status::Created,
                error: task.as_ref().err().map(|e| e.to_string()),
                hint: task
                    .as_ref()
                    .err()
                    .and_then(|e| e.hint())
                    .map(str::to_owned),
                rerun_may_help: false,
                task: task.ok().map(|t| t.task),
                resumed: true,
            });
        }
        {
            // Starts stay `pace` apart: the gate is held through the pause.
            let clock = self.client.clock();
            let mut last = gate.lock().await;
            if let Some(at) = *last {
                let wait = self
                    .pace
                    .saturating_sub(clock.now().saturating_duration_since(at));
                if !wait.is_zero() {
                    clock.sleep(wait).await;
                }
            }
            *last = Some(clock.now());
        }
        if let Some(j) = journal.lock().await.as_mut() {
            j.record(Step {
                repo: repo.clone(),
                status: Status::Starting,
                task_id: None,
                error: None,
            })?;
        }
        let request = self
            .client
            .repo(owner, name)
            .create_task(&self.prompt)
            .options(self.options.clone())
            .idempotency_key(key(run, owner, name));
        let outcome = match request.send().await {
            Ok(task) => Outcome {
                repo,
                status: Status::Created,
                task: Some(task),
                error: None,
                hint: None,
                rerun_may_help: false,
                resumed: false,
            },
            Err(e) => {
                let status = if definitely_not_created(&e) {
                    Status::Failed
                } else {
                    Status::Unknown
                };
                Outcome {
                    rerun_may_help: status == Status::Unknown || e.is_retryable(),
                    repo,
                    status,
                    task: None,
                    error: Some(e.to_string()),
                    hint: e.hint().map(str::to_owned),
                    resumed: false,
                }
            }
        };
        if let Some(j) = journal.lock().await.as_mut() {
            j.record(Step {
                repo: outcome.repo.clone(),
                status: outcome.status.clone(),
                task_id: outcome.task.as_ref().map(|t| t.id.clone()),
                error: outcome.error.clone(),
            })?;
        }
        Ok(outcome)
    }
}

/// Whether a creation's error proves that no task was created: it never left, or GitHub
/// refused it. Anything else may have created one (a rerun finds it by its key).
fn definitely_not_created(e: &Error) -> bool {
    use crate::retry::Delivery;
    match e {
        Error::OutcomeUnknown { .. } => false,
        _ => matches!(e.delivery(), Delivery::NotSent | Delivery::Refused),
    }
}

impl Outcome {
    /// The state of the task, when there is one.
    pub fn state(&self) -> Option<&TaskState> {
        self.task.as_ref().map(|t| &t.state)
    }
}

/// The idempotency key of one repository of a run.
fn key(run: &str, owner: &str, repo: &str) -> String {
    let hash = fnv1a(
        format!(
            "{}/{}",
            owner.to_ascii_lowercase(),
            repo.to_ascii_lowercase()
        )
        .as_bytes(),
    );
    format!("fan-out:{run}:{hash:016x}")
}

/// A run id: the time the run began, and some entropy from the clock.
fn run_id(clock: &dyn crate::clock::Clock) -> String {
    let now = clock.utc_now();
    let nanos = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.subsec_nanos())
        .unwrap_or(0);
    format!(
        "{}-{:08x}",
        now.format("%Y%m%dT%H%M%S"),
        nanos ^ std::process::id()
    )
}

fn fnv1a(bytes: &[u8]) -> u64 {
    bytes.iter().fold(0xcbf2_9ce4_8422_2325u64, |h, b| {
        (h ^ u64::from(*b)).wrapping_mul(0x0100_0000_01b3)
    })
}
