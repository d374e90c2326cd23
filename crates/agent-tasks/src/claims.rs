//! What a client knows about whose tasks are whose: the tasks its creations returned, the
//! creations under way (by fingerprint of what they ask), and the caller's user id once
//! learned. Reconciliation reads and takes claims here, under one lock, so that two
//! creations of one client never both claim a task.

use std::collections::{HashMap, HashSet, VecDeque};
use std::hash::{Hash, Hasher};
use std::sync::Mutex;

use agent_tasks_raw::types::CreateTaskRequest;

use crate::transport::lock;
use crate::types::Task;

/// Ids of tasks a client remembers having returned, at most.
const MAX_CLAIMS: usize = 10_000;

/// What this client knows about whose tasks are whose.
#[derive(Debug, Default)]
pub(crate) struct Claims {
    inner: Mutex<ClaimsInner>,
}

#[derive(Debug, Default)]
struct ClaimsInner {
    ids: HashSet<String>,
    order: VecDeque<String>,
    /// Creations under way, by fingerprint of what they ask.
    in_flight: HashMap<u64, usize>,
    /// The caller's user id, once known.
    me: Option<i64>,
}

impl ClaimsInner {
    fn insert(&mut self, id: &str) -> bool {
        if self.ids.contains(id) {
            return false;
        }
        if self.order.len() >= MAX_CLAIMS
            && let Some(old) = self.order.pop_front()
        {
            self.ids.remove(&old);
        }
        self.ids.insert(id.to_owned());
        self.order.push_back(id.to_owned());
        true
    }
}

/// A creation under way; dropping it ends it.
pub(crate) struct InFlight<'a> {
    claims: &'a Claims,
    fingerprint: u64,
}

impl Drop for InFlight<'_> {
    fn drop(&mut self) {
        let mut inner = lock(&self.claims.inner);
        if let Some(n) = inner.in_flight.get_mut(&self.fingerprint) {
            *n = n.saturating_sub(1);
            if *n == 0 {
                inner.in_flight.remove(&self.fingerprint);
            }
        }
    }
}

impl Claims {
    /// Marks a creation of `body` in `owner/repo` as under way until the guard drops.
    pub(crate) fn start(&self, owner: &str, repo: &str, body: &CreateTaskRequest) -> InFlight<'_> {
        let fingerprint = fingerprint(owner, repo, body);
        *lock(&self.inner).in_flight.entry(fingerprint).or_insert(0) += 1;
        InFlight {
            claims: self,
            fingerprint,
        }
    }

    /// Records a task a creation of this client was answered with: it is the caller's.
    pub(crate) fn created(&self, task: &Task) {
        let mut inner = lock(&self.inner);
        inner.insert(&task.id);
        if let Some(id) = task.creator_id() {
            inner.me.get_or_insert(id);
        }
    }

    pub(crate) fn me(&self) -> Option<i64> {
        lock(&self.inner).me
    }

    pub(crate) fn learn_me(&self, id: i64) {
        lock(&self.inner).me.get_or_insert(id);
    }

    pub(crate) fn is_claimed(&self, id: &str) -> bool {
        lock(&self.inner).ids.contains(id)
    }

    /// Claims `id` for the creation `mine`, unless another creation of the same task by this
    /// client is under way (it could be theirs) or another creation returned it already.
    pub(crate) fn claim_alone(
        &self,
        id: &str,
        mine: &InFlight<'_>,
    ) -> std::result::Result<(), &'static str> {
        let mut inner = lock(&self.inner);
        if inner.in_flight.get(&mine.fingerprint).copied().unwrap_or(0) > 1 {
            return Err("another creation of the same task by this client was under way");
        }
        if !inner.insert(id) {
            return Err("another creation of this client has returned it meanwhile");
        }
        Ok(())
    }
}

fn fingerprint(owner: &str, repo: &str, body: &CreateTaskRequest) -> u64 {
    let mut h = std::collections::hash_map::DefaultHasher::new();
    owner.to_ascii_lowercase().hash(&mut h);
    repo.to_ascii_lowercase().hash(&mut h);
    body.prompt.hash(&mut h);
    body.base_ref.hash(&mut h);
    body.head_ref.hash(&mut h);
    body.model.hash(&mut h);
    body.custom_agent.hash(&mut h);
    h.finish()
}
