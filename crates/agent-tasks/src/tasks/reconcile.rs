//! Finding the task a creation made when its answer was lost, and never claiming one that is
//! not the caller's.
//!
//! A creation whose outcome is unknown (the request left; a timeout, a dropped connection or a
//! 5xx followed) is settled by a search, not by sending it again. A task is the answer only if
//! it is provably this creation's:
//!
//! - its creator is the caller (learned from a task this client created, or `GET /user`);
//! - it was created after the request left: the window starts at the `Date` of the search's
//!   own answer (or the client's clock, whichever is later) minus the time elapsed since
//!   sending (plus one second for the resolution of both), so neither a skewed client clock
//!   nor a `Date` from the past can widen it;
//! - its first session has the same prompt, and the same refs, model and agent where they were
//!   set;
//! - no other creation of this client returned it, and no other creation of the same task by
//!   this client was under way at the same time ([`Claims`], checked and taken under one lock);
//! - and it is the only one. Several candidates are reported, none is claimed.
//!
//! Every creation's prompt ends with a marker: its idempotency key's ([`marker`]), else one of
//! its own, random ([`creation_marker`]; unless `ClientBuilder::creation_markers(false)`). The
//! match is then exact: an identical task the same user started from another process just
//! before (GitHub's timestamps have whole seconds, so it can look created after this request
//! left) is never taken for this creation's. Without a marker such a match is reported as a
//! candidate, not claimed. A key also lets a creation retried with it find the first one
//! before sending ([`find_by_key`]).
//!
//! Searching costs one `GET /user` per client (unless a creation taught it the caller), one
//! list request per 100 of the caller's tasks in the window, and one `GET` per candidate.

use std::time::Instant;

use agent_tasks_raw::types::{CreateTaskRequest, SortDirection, TaskSort};
use chrono::{DateTime, TimeDelta, Utc};

use crate::claims::InFlight;
use crate::client::Client;
use crate::error::Result;
use crate::page::{Page, PageWalk};
use crate::types::{Task, TaskWithSessions};
use crate::validate;
/// Pages of the caller's newest tasks a search reads, at most.
const MAX_SEARCH_PAGES: u32 = 3;
/// Candidates a search reads in full (one `GET` each), at most.
const MAX_CANDIDATES: usize = 20;
/// The tasks a search asks for per page.
const SEARCH_PAGE_SIZE: u32 = 100;

/// How an idempotency key rides in a prompt: appended on a line of its own, as an HTML
/// comment (which renders as nothing in Markdown).
///
/// ```
/// assert_eq!(
///     agent_tasks::create::idempotency_marker("deploy-42"),
///     "<!-- agent-tasks idempotency-key: deploy-42 -->"
/// );
/// ```
pub fn marker(key: &str) -> String {
    format!("<!-- agent-tasks idempotency-key: {key} -->")
}

/// A creation's own marker: random, so that the search after a lost answer matches exactly
/// this creation's task (see [`ClientBuilder::creation_markers`](crate::ClientBuilder::creation_markers)).
pub(crate) fn creation_marker() -> String {
    use std::hash::{BuildHasher, Hasher};
    use std::sync::atomic::{AtomicU64, Ordering};
    // Randomly keyed per process (std's `RandomState`), over the time and a counter: two
    // creations never share one, in one process or across processes.
    static COUNT: AtomicU64 = AtomicU64::new(0);
    let mut h = std::collections::hash_map::RandomState::new().build_hasher();
    h.write_u64(COUNT.fetch_add(1, Ordering::Relaxed));
    h.write_u128(
        std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map_or(0, |d| d.as_nanos()),
    );
    h.write_u32(std::process::id());
    format!("<!-- agent-tasks creation: {:016x} -->", h.finish())
}

/// The prompt with a marker appended, on a line of its own.
pub(crate) fn with_marker(prompt: &str, marker: &str) -> String {
    format!("{}\n\n{marker}", prompt.trim_end())
}

/// What a search found.
#[derive(Debug)]
pub(crate) enum Found {
    /// Exactly one task is provably the creation's, and is now claimed.
    One(Box<Task>),
    /// None is; what was checked.
    None(String),
    /// Several could be (or one, which another creation may own); none was claimed.
    Ambiguous { checked: String, ids: Vec<String> },
}

/// Who the caller is: remembered, or asked once (`GET /user`, which teaches the client).
async fn who_am_i(client: &Client) -> Result<i64> {
    match client.claims().me() {
        Some(me) => Ok(me),
        None => Ok(client.current_user().await?.id),
    }
}

/// One page of the caller's tasks of `owner/repo`, newest first, with the `Date` of the answer.
async fn my_tasks_page(
    client: &Client,
    owner: &str,
    repo: &str,
    me: i64,
    page: Option<u32>,
) -> Result<Page<Task>> {
    let mut list = client
        .repo(owner, repo)
        .list_tasks()
        .creator_id(me)
        .sort(TaskSort::CreatedAt)
        .direction(SortDirection::Desc)
        .per_page(SEARCH_PAGE_SIZE);
    if let Some(n) = page {
        list = list.page(n);
    }
    list.send().await
}

/// `elapsed` and one more second (the resolution of `Date` and of task timestamps) before
/// `at`; `None` past the beginning of the calendar.
fn earlier(at: DateTime<Utc>, elapsed: std::time::Duration) -> Option<DateTime<Utc>> {
    TimeDelta::from_std(elapsed)
        .ok()?
        .checked_add(&TimeDelta::seconds(1))
        .and_then(|d| at.checked_sub_signed(d))
}

/// Whether the task's first session asked for what `body` asks.
fn asks_the_same(task: &TaskWithSessions, body: &CreateTaskRequest, prompt: &str) -> bool {
    let Some(first) = task.sessions.iter().min_by_key(|s| s.created_at) else {
        return false;
    };
    first.prompt.as_deref().map(str::trim_end) == Some(prompt.trim_end())
        && (body.base_ref.is_none() || first.base_ref == body.base_ref)
        && (body.head_ref.is_none() || first.head_ref == body.head_ref)
        && (body.model.is_none() || first.model == body.model)
        && (body.custom_agent.is_none() || task.custom_agent_id() == body.custom_agent.as_deref())
}

/// Looks for the task the creation `mine` of `body` made, sent at `sent_at` (the client's
/// monotonic clock, read just before sending).
///
/// `asked`: the prompt as the caller wrote it, when the one sent carries a marker no other
/// creation has; a match of the marker is this creation's. Without one (no marker, or none that
/// matches: GitHub could drop an HTML comment), a match created in the second the request left
/// could be an identical task started just before from elsewhere, whose timestamp looks the
/// same: it is reported, not claimed.
pub(crate) async fn search(
    client: &Client,
    mine: &InFlight<'_>,
    owner: &str,
    repo: &str,
    body: &CreateTaskRequest,
    sent_at: Instant,
    asked: Option<&str>,
) -> Result<Found> {
    let (clock, claims) = (client.clock(), client.claims());
    let me = who_am_i(client).await?;
    let mut walk = PageWalk::new(None, Some(SEARCH_PAGE_SIZE));
    let mut window_start: Option<DateTime<Utc>> = None;
    let mut candidates: Vec<Task> = Vec::new();
    let mut listed = 0usize;
    let mut complete = false;
    for _ in 0..MAX_SEARCH_PAGES {
        let mut page = my_tasks_page(client, owner, repo, me, walk.current()).await?;
        let start = *window_start.get_or_insert_with(|| {
            let elapsed = clock.now().saturating_duration_since(sent_at);
            // When the answer left the server: the later of its `Date` and the client's clock,
            // so that neither a client clock running slow nor a `Date` from the past (a
            // broken proxy, a hostile answer) can widen the window. A clock running fast only
            // narrows it: the task is then not found, and the outcome stays unknown.
            let local = clock.utc_now();
            let answered = page.date.map_or(local, |d| d.max(local));
            earlier(answered, elapsed).unwrap_or(DateTime::<Utc>::MIN_UTC)
        });
        // The walk first takes out tasks of earlier pages (one shifted across a page boundary
        // must not count twice). Its verdict on the next link waits: a page that reaches back
        // past the window ends the search whatever the link says.
        let more = walk.advance(&mut page);
        listed += page.items.len();
        let older_seen = page.items.iter().any(|t| t.created_at < start);
        candidates.extend(
            page.items
                .iter()
                .filter(|t| {
                    t.created_at >= start && t.creator_id() == Some(me) && !claims.is_claimed(&t.id)
                })
                .cloned(),
        );
        if older_seen || !more? {
            complete = true;
            break;
        }
    }
    let Some(start) = window_start else {
        return Ok(Found::None("nothing could be listed".into()));
    };
    let scope = format!(
        "{listed} of your tasks in {owner}/{repo} listed, newest first, back to {} (by GitHub's clock)",
        start.to_rfc3339()
    );
    if !complete {
        return Ok(Found::None(format!(
            "{scope}: more than {} pages of tasks were created since, so the search stopped",
            MAX_SEARCH_PAGES
        )));
    }
    let mut unusable = 0;
    let mut matches: Vec<Task> = Vec::new();
    // Tasks that ask for it without the marker: GitHub may have dropped it.
    let mut unmarked: Vec<Task> = Vec::new();
    for candidate in candidates.iter().take(MAX_CANDIDATES) {
        if validate::task_id_problem(&candidate.id).is_some() {
            unusable += 1;
            continue;
        }
        let full = client.repo(owner, repo).task(&candidate.id).send().await?;
        if asks_the_same(&full, body, &body.prompt) {
            matches.push(candidate.clone());
        } else if asked.is_some_and(|asked| asks_the_same(&full, body, asked)) {
            unmarked.push(candidate.clone());
        }
    }
    let exact = asked.is_some() && !matches.is_empty();
    if asked.is_some() && matches.is_empty() {
        matches = unmarked;
    }
    let examined = candidates.len().min(MAX_CANDIDATES);
    let checked = format!(
        "{scope}; {examined} created since the request left{}{}",
        if candidates.len() > MAX_CANDIDATES {
            format!(" were read (of {})", candidates.len())
        } else {
            " were read".to_owned()
        },
        if unusable > 0 {
            format!(", {unusable} with an id that cannot be used in a request")
        } else {
            String::new()
        }
    );
    match matches.as_slice() {
        [] => Ok(Found::None(format!("{checked}: none asks for this task"))),
        [one]
            if !exact
                && start
                    .checked_add_signed(TimeDelta::seconds(2))
                    .is_none_or(|end| one.created_at < end) =>
        {
            Ok(Found::Ambiguous {
                checked: format!(
                    "{checked}: task {} asks for it, but it was created in the second the request left, and an identical task started just before would look the same (without its creation marker, which is on by default unless GitHub dropped it, they cannot be told apart)",
                    one.id
                ),
                ids: vec![one.id.clone()],
            })
        }
        [one] => match claims.claim_alone(&one.id, mine) {
            Ok(()) => Ok(Found::One(Box::new(one.clone()))),
            Err(why) => Ok(Found::Ambiguous {
                checked: format!("{checked}: task {} asks for it, but {why}", one.id),
                ids: vec![one.id.clone()],
            }),
        },
        several => Ok(Found::Ambiguous {
            checked: format!(
                "{checked}: {} tasks ask for exactly this, and none can be told to be this creation's",
                several.len()
            ),
            ids: several.iter().map(|t| t.id.clone()).collect(),
        }),
    }
}

/// Before a creation with an idempotency key: the caller's task of `owner/repo` created within
/// `window` whose prompt carries the key's marker, if there is one.
pub(crate) async fn find_by_key(
    client: &Client,
    owner: &str,
    repo: &str,
    key: &str,
    window: std::time::Duration,
) -> Result<Option<TaskWithSessions>> {
    let me = who_am_i(client).await?;
    // A window longer than the calendar reaches back to its beginning.
    let since = TimeDelta::from_std(window)
        .ok()
        .and_then(|w| client.clock().utc_now().checked_sub_signed(w))
        .unwrap_or(DateTime::<Utc>::MIN_UTC);
    let wanted = marker(key);
    let mut walk = PageWalk::new(None, Some(SEARCH_PAGE_SIZE));
    let mut read = 0usize;
    for _ in 0..MAX_SEARCH_PAGES {
        let mut page = my_tasks_page(client, owner, repo, me, walk.current()).await?;
        for task in page.items.iter().filter(|t| t.creator_id() == Some(me)) {
            if task.created_at < since {
                return Ok(None);
            }
            if validate::task_id_problem(&task.id).is_some() || read >= MAX_KEY_READS {
                continue;
            }
            read += 1;
            let full = client.repo(owner, repo).task(&task.id).send().await?;
            let first = full.sessions.iter().min_by_key(|s| s.created_at);
            if first
                .and_then(|s| s.prompt.as_deref())
                .is_some_and(|p| p.trim_end().ends_with(&wanted))
            {
                return Ok(Some(full));
            }
        }
        if !walk.advance(&mut page)? {
            return Ok(None);
        }
    }
    Ok(None)
}

/// Tasks a lookup by key reads in full (one `GET` each), at most.
pub const MAX_KEY_READS: usize = 100;
