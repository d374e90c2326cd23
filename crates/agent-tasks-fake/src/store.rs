//! The fake's state behind one lock: repositories, users, tasks, the clock, the fault knobs
//! and their generator, the rate-limit window and the request counters.
//!
//! Handlers and the control endpoints change it only through these methods, which keep its
//! invariants (the id index matches the tasks, the text budget matches what is stored, knobs
//! stay in bounds). A panic elsewhere while the lock is held must not take the fake down, so
//! [`lock`] takes a poisoned lock as it is.

use std::collections::{BTreeMap, HashMap};
use std::sync::{Arc, Mutex, MutexGuard, PoisonError};

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use serde_json::{Value, json};

use crate::clock::Clock;
use crate::faults::{Drawn, Faults};
use crate::limits::{MAX_STORED_TASK_BYTES, MAX_TASKS};
use crate::model::{Outcome, Repo, Schedule, StoredTask, User};
use crate::rate_limit::Window;
use crate::rng::Rng;

/// The store as the server tasks and the [`Fake`](crate::Fake) handle share it.
pub(crate) type Shared = Arc<Mutex<Store>>;

/// Locks the store, taking it as it is if a panic poisoned the lock.
pub(crate) fn lock(shared: &Mutex<Store>) -> MutexGuard<'_, Store> {
    shared.lock().unwrap_or_else(PoisonError::into_inner)
}

/// Requests counted by operation and status.
pub type RequestCounts = BTreeMap<String, BTreeMap<u16, u64>>;

/// What `GET /_fake/state` returns, and [`crate::Fake::state`].
#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct StateSnapshot {
    /// The fake's clock.
    pub now: DateTime<Utc>,
    /// Every stored task, as the get operation renders it, plus its `prompt`.
    pub tasks: Vec<Value>,
    /// Requests by operation (`create_task_in_repo`, ..., `get_authenticated_user`,
    /// `unknown`) and status; a dropped connection counts under status 0.
    pub requests: RequestCounts,
    /// All API requests (not `/_fake/...`).
    pub requests_total: u64,
    /// The fault knobs in force.
    pub faults: Faults,
    /// Ids of tasks stored by creations whose connection was then dropped on purpose.
    pub dropped_after_store: Vec<String>,
}

impl StateSnapshot {
    /// Requests of one operation, any status.
    ///
    /// ```
    /// # async fn run() -> std::io::Result<()> {
    /// let fake = agent_tasks_fake::start().await?;
    /// assert_eq!(fake.state().requests_of("create_task_in_repo"), 0);
    /// # Ok(()) }
    /// ```
    pub fn requests_of(&self, operation: &str) -> u64 {
        self.requests.get(operation).map_or(0, |m| m.values().sum())
    }
}

/// Everything the fake knows.
#[derive(Debug)]
pub(crate) struct Store {
    repos: Vec<Repo>,
    users: Vec<User>,
    tasks: Vec<StoredTask>,
    by_id: HashMap<String, usize>,
    stored_bytes: usize,
    scripts: Vec<(String, Outcome)>,
    schedule: Schedule,
    faults: Faults,
    counts: RequestCounts,
    total: u64,
    next_request_id: u64,
    dropped_after_store: Vec<String>,
    /// The fake's clock.
    pub clock: Clock,
    /// The generator of fault draws.
    pub rng: Rng,
    /// The primary rate-limit window.
    pub rate: Window,
}

impl Store {
    /// An empty store: no repositories, users or tasks yet.
    pub(crate) fn new(clock: Clock, seed: u64, schedule: Schedule, faults: Faults) -> Store {
        Store {
            repos: Vec::new(),
            users: Vec::new(),
            tasks: Vec::new(),
            by_id: HashMap::new(),
            stored_bytes: 0,
            scripts: Vec::new(),
            schedule,
            faults: faults.clamped(),
            counts: RequestCounts::new(),
            total: 0,
            next_request_id: 0,
            dropped_after_store: Vec::new(),
            rate: Window::new(clock.now()),
            rng: Rng::new(seed),
            clock,
        }
    }

    /// Adds a repository unless it is known already (names compare without case).
    pub(crate) fn add_repo(&mut self, owner: &str, name: &str) {
        if self.find_repo(owner, name).is_some() {
            return;
        }
        let n = i64::try_from(self.repos.len()).unwrap_or(i64::MAX);
        self.repos.push(Repo {
            owner: owner.to_owned(),
            name: name.to_owned(),
            id: n.saturating_add(1_296_269),
            owner_id: n.saturating_add(583_231),
        });
    }

    /// The repository `owner/name`, in any case.
    pub(crate) fn find_repo(&self, owner: &str, name: &str) -> Option<&Repo> {
        self.repos.iter().find(|r| r.is(owner, name))
    }

    /// Adds a user with `token`; the n-th user is user id n, with login `login` or
    /// `fake-user-N`.
    pub(crate) fn add_user(&mut self, token: &str, login: Option<&str>) {
        let id = self.users.len() + 1;
        self.users.push(User {
            token: token.to_owned(),
            login: login.map_or_else(|| format!("fake-user-{id}"), str::to_owned),
            restricted: false,
        });
    }

    /// Marks the user of `token` as one whose token may not read pull requests (GraphQL
    /// answers FORBIDDEN) nor write to repositories (`permissions.push` is false).
    pub(crate) fn restrict(&mut self, token: &str) {
        if let Some(user) = self.users.iter_mut().find(|u| u.token == token) {
            user.restricted = true;
        }
    }

    /// Whether user `id` may not read pull requests.
    pub(crate) fn pulls_denied(&self, id: i64) -> bool {
        self.user(id).is_some_and(|u| u.restricted)
    }

    /// Whether user `id` may only read repositories.
    pub(crate) fn is_read_only(&self, id: i64) -> bool {
        self.user(id).is_some_and(|u| u.restricted)
    }

    fn user(&self, id: i64) -> Option<&User> {
        let index = usize::try_from(id.checked_sub(1)?).ok()?;
        self.users.get(index)
    }

    /// The user `token` authenticates as, with their id (the first user with it wins).
    pub(crate) fn user_by_token(&self, token: &str) -> Option<(i64, &User)> {
        let index = self.users.iter().position(|u| u.token == token)?;
        let id = i64::try_from(index).unwrap_or(i64::MAX).saturating_add(1);
        Some((id, &self.users[index]))
    }

    /// Scripts the outcome of future tasks whose prompt contains `pattern`.
    pub(crate) fn add_script(&mut self, pattern: &str, outcome: Outcome) {
        self.scripts.push((pattern.to_owned(), outcome));
    }

    /// How many outcome scripts there are.
    pub(crate) fn scripts(&self) -> usize {
        self.scripts.len()
    }

    /// The outcome a new task with `prompt` gets: the first script that matches, else
    /// `completed`.
    pub(crate) fn outcome_for(&self, prompt: &str) -> Outcome {
        self.scripts
            .iter()
            .find(|(pattern, _)| prompt.contains(pattern.as_str()))
            .map_or_else(Outcome::default, |(_, o)| o.clone())
    }

    /// The fault knobs in force.
    pub(crate) fn faults(&self) -> &Faults {
        &self.faults
    }

    /// Draws the faults of one API request.
    pub(crate) fn draw_faults(&mut self) -> Drawn {
        Drawn::draw(&self.faults, &mut self.rng)
    }

    /// Replaces the fault knobs, clamped into their bounds.
    pub(crate) fn set_faults(&mut self, faults: Faults) {
        self.faults = faults.clamped();
    }

    /// How long new tasks stay queued and running.
    pub(crate) fn schedule(&self) -> Schedule {
        self.schedule
    }

    /// Every stored task, oldest first.
    pub(crate) fn tasks(&self) -> &[StoredTask] {
        &self.tasks
    }

    /// The task with this id.
    pub(crate) fn task(&self, id: &str) -> Option<&StoredTask> {
        self.by_id.get(id).and_then(|&i| self.tasks.get(i))
    }

    /// The `number`-th stored task (from 1).
    pub(crate) fn task_by_number(&self, number: u64) -> Option<&StoredTask> {
        let index = usize::try_from(number.checked_sub(1)?).ok()?;
        self.tasks.get(index).filter(|t| t.number == number)
    }

    /// The task with this id, to change.
    pub(crate) fn task_mut(&mut self, id: &str) -> Option<&mut StoredTask> {
        self.by_id.get(id).and_then(|&i| self.tasks.get_mut(i))
    }

    /// The number the next stored task gets (from 1).
    pub(crate) fn next_task_number(&self) -> u64 {
        u64::try_from(self.tasks.len())
            .unwrap_or(u64::MAX)
            .saturating_add(1)
    }

    /// Whether a task keeping `text_bytes` of text fits; the message says which cap it hits.
    pub(crate) fn room_for(&self, text_bytes: usize) -> Result<(), String> {
        if self.tasks.len() >= MAX_TASKS {
            return Err(format!("the fake stores at most {MAX_TASKS} tasks"));
        }
        if self.stored_bytes.saturating_add(text_bytes) > MAX_STORED_TASK_BYTES {
            return Err(format!(
                "the fake stores at most {MAX_STORED_TASK_BYTES} bytes of task text"
            ));
        }
        Ok(())
    }

    /// Stores a task (its room checked by [`Store::room_for`]).
    pub(crate) fn insert(&mut self, task: StoredTask) {
        self.stored_bytes = self.stored_bytes.saturating_add(task.text_bytes());
        self.by_id.insert(task.id.clone(), self.tasks.len());
        self.tasks.push(task);
    }

    /// Notes that the creation of `task_id` lost its connection on purpose.
    pub(crate) fn note_dropped_after_store(&mut self, task_id: &str) {
        self.dropped_after_store.push(task_id.to_owned());
    }

    /// Counts one API request under its operation and status (0: no answer).
    pub(crate) fn count(&mut self, operation: &str, status: u16) {
        let n = self
            .counts
            .entry(operation.to_owned())
            .or_default()
            .entry(status)
            .or_default();
        *n = n.saturating_add(1);
        self.total = self.total.saturating_add(1);
    }

    /// A fresh `x-github-request-id`.
    pub(crate) fn next_request_id(&mut self) -> String {
        self.next_request_id = self.next_request_id.wrapping_add(1);
        format!(
            "FAKE:{:04X}:{:06X}",
            std::process::id() % 0xFFFF,
            self.next_request_id
        )
    }

    /// Everything, as `GET /_fake/state` shows it.
    pub(crate) fn snapshot(&self) -> StateSnapshot {
        let now = self.clock.now();
        StateSnapshot {
            now,
            tasks: self
                .tasks
                .iter()
                .map(|t| {
                    let mut v = t.render_with_sessions(now, "");
                    v["prompt"] = json!(t.prompt);
                    v["create_pull_request"] = json!(t.create_pull_request);
                    v["owner_login"] = json!(t.repo.owner);
                    v["repo_name"] = json!(t.repo.name);
                    v
                })
                .collect(),
            requests: self.counts.clone(),
            requests_total: self.total,
            faults: self.faults.clone(),
            dropped_after_store: self.dropped_after_store.clone(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn store() -> Store {
        let mut store = Store::new(
            Clock::manual(Utc::now()),
            1,
            Schedule::default(),
            Faults::default(),
        );
        store.add_repo("octocat", "hello-world");
        store
    }

    fn task(store: &Store, prompt: &str) -> StoredTask {
        let number = store.next_task_number();
        StoredTask {
            number,
            id: StoredTask::id_for(number),
            repo: store.repos[0].clone(),
            creator_id: 1,
            prompt: prompt.to_owned(),
            model: None,
            custom_agent: None,
            base_ref: None,
            head_ref: None,
            create_pull_request: false,
            created_at: store.clock.now(),
            schedule: store.schedule(),
            outcome: Outcome::default(),
            archived_at: None,
        }
    }

    #[test]
    fn a_poisoned_lock_is_taken_as_it_is() {
        let shared: Shared = Arc::new(Mutex::new(store()));
        let poisoner = shared.clone();
        let _ = std::thread::spawn(move || {
            let _guard = poisoner.lock();
            panic!("poison the lock on purpose");
        })
        .join();
        assert!(shared.is_poisoned());
        lock(&shared).add_repo("octocat", "other");
        assert!(lock(&shared).find_repo("OCTOCAT", "Other").is_some());
    }

    #[test]
    fn the_store_refuses_tasks_beyond_its_caps() {
        let mut store = store();
        assert!(store.room_for(MAX_STORED_TASK_BYTES + 1).is_err());
        for _ in 0..MAX_TASKS {
            let t = task(&store, "x");
            store.insert(t);
        }
        let message = store.room_for(1).unwrap_err();
        assert!(message.contains(&MAX_TASKS.to_string()), "{message}");
        let last = StoredTask::id_for(u64::try_from(MAX_TASKS).unwrap());
        assert_eq!(store.task(&last).map(|t| t.number), Some(MAX_TASKS as u64));
    }

    #[test]
    fn users_are_numbered_from_one_and_named() {
        let mut store = store();
        store.add_user("a", None);
        store.add_user("b", Some("mona"));
        store.add_user("a", Some("shadowed"));
        let (id, user) = store.user_by_token("b").unwrap();
        assert_eq!((id, user.login.as_str()), (2, "mona"));
        let (id, user) = store.user_by_token("a").unwrap();
        assert_eq!((id, user.login.as_str()), (1, "fake-user-1"));
        assert!(store.user_by_token("").is_none());
    }
}
