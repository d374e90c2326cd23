//! Listing tasks: the user's across repositories (`GET /agents/tasks`) or one repository's
//! (`GET /agents/repos/{owner}/{repo}/tasks`), one page with [`ListTasks::send`] or all of
//! them with [`ListTasks::stream`].
//!
//! Both operations share their filters; the scope ([`AllRepos`] or [`InRepo`]) is the only
//! difference, sealed so that nothing else can pose as one. Every walk across pages goes
//! through `PageWalk` (in `page.rs`), which bounds it and refuses a `next` link that does not
//! move forward.

use std::pin::Pin;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::task::{Context, Poll};

use chrono::{DateTime, Utc};
use futures_core::Stream;
use futures_util::stream::BoxStream;

pub use crate::page::{Links, MAX_PAGES, PAGE_SLACK, Page};
pub use agent_tasks_raw::types::{SortDirection, TaskSort};

use crate::client::Client;
use crate::error::{Error, Result, guarded};
use crate::page::PageWalk;
use crate::transport::Conditional;
use crate::types::{Task, TaskState};
use crate::validate;

use sealed::Filters;

/// Marks a listing of the user's tasks across repositories.
#[derive(Clone, Debug)]
pub struct AllRepos;

/// Marks a listing of one repository's tasks (which alone can filter by creator).
#[derive(Clone, Debug)]
pub struct InRepo {
    owner: String,
    repo: String,
    creator_ids: Vec<i64>,
}

/// Lists tasks, one page with [`send`](ListTasks::send) or all of them with
/// [`stream`](ListTasks::stream). Get one from [`Client::list_tasks`] or
/// [`Repo::list_tasks`](crate::Repo::list_tasks).
#[derive(Clone, Debug)]
#[must_use = "a request does nothing until it is sent"]
pub struct ListTasks<S> {
    client: Client,
    scope: S,
    filters: Filters,
}

impl Filters {
    fn check(&self) -> Result<()> {
        if let Some(n) = self.per_page {
            validate::per_page(n)?;
        }
        if let Some(n) = self.page {
            validate::page(n)?;
        }
        for state in &self.states {
            let s = state.as_str();
            if s.is_empty()
                || s.contains(',')
                || s.chars().any(|c| c.is_whitespace() || c.is_control())
            {
                return Err(Error::invalid(
                    "state",
                    format!("`{}` is not a task state", s.escape_debug()),
                ));
            }
        }
        if self.limit == Some(0) {
            return Err(Error::invalid("limit", "must be at least 1"));
        }
        Ok(())
    }

    fn state_param(&self) -> Option<String> {
        if self.states.is_empty() {
            return None;
        }
        let names: Vec<&str> = self.states.iter().map(TaskState::as_str).collect();
        Some(names.join(","))
    }
}

impl<S> ListTasks<S> {
    pub(crate) fn client(&self) -> &Client {
        &self.client
    }

    pub(crate) fn new(client: Client, scope: S) -> Self {
        ListTasks {
            client,
            scope,
            filters: Filters::default(),
        }
    }

    /// Tasks per page, 1 to 100 (GitHub's default: 30).
    pub fn per_page(mut self, n: u32) -> Self {
        self.filters.per_page = Some(n);
        self
    }

    /// The page to get, from 1. With [`stream`](Self::stream), the page to start from.
    pub fn page(mut self, n: u32) -> Self {
        self.filters.page = Some(n);
        self
    }

    /// The field to sort by (GitHub's default: `updated_at`).
    pub fn sort(mut self, sort: TaskSort) -> Self {
        self.filters.sort = Some(sort);
        self
    }

    /// The sort direction (GitHub's default: descending).
    pub fn direction(mut self, direction: SortDirection) -> Self {
        self.filters.direction = Some(direction);
        self
    }

    /// Only tasks in this state; call again, or use [`states`](Self::states), for several.
    pub fn state(mut self, state: TaskState) -> Self {
        self.filters.states.push(state);
        self
    }

    /// Only tasks in any of these states (sent as one comma-separated list).
    pub fn states(mut self, states: impl IntoIterator<Item = TaskState>) -> Self {
        self.filters.states.extend(states);
        self
    }

    /// `true`: only archived tasks; `false` (GitHub's default): only tasks not archived.
    pub fn archived(mut self, archived: bool) -> Self {
        self.filters.is_archived = Some(archived);
        self
    }

    /// Only tasks updated at or after this time.
    pub fn since(mut self, since: DateTime<Utc>) -> Self {
        self.filters.since = Some(since);
        self
    }

    /// The listing a poll sends (the feed's, a many-task wait's): the most recent change first,
    /// 100 to a page, only what changed at or after `since` when given (else the caller's own
    /// `since`, if any).
    pub(crate) fn changed_since(mut self, since: Option<DateTime<Utc>>) -> Self {
        self.filters.sort = Some(TaskSort::UpdatedAt);
        self.filters.direction = Some(SortDirection::Desc);
        self.filters.per_page = Some(100);
        if since.is_some() {
            self.filters.since = since;
        }
        self
    }

    /// With [`stream`](Self::stream): stop after this many tasks (and fetch no page beyond).
    pub fn limit(mut self, n: usize) -> Self {
        self.filters.limit = Some(n);
        self
    }
}

impl InRepo {
    pub(crate) fn new((owner, repo): (String, String)) -> Self {
        InRepo {
            owner,
            repo,
            creator_ids: Vec::new(),
        }
    }
}

impl ListTasks<InRepo> {
    /// Only tasks created by this user id; call again for several (sent as repeated keys).
    pub fn creator_id(mut self, id: i64) -> Self {
        self.scope.creator_ids.push(id);
        self
    }

    /// Only tasks created by any of these user ids.
    pub fn creator_ids(mut self, ids: impl IntoIterator<Item = i64>) -> Self {
        self.scope.creator_ids.extend(ids);
        self
    }
}

mod sealed {
    use chrono::{DateTime, Utc};

    use super::{Client, Conditional, Page, Result, SortDirection, Task, TaskSort, TaskState};

    /// The filters both list operations share.
    #[derive(Clone, Debug, Default)]
    pub struct Filters {
        pub per_page: Option<u32>,
        pub page: Option<u32>,
        pub sort: Option<TaskSort>,
        pub direction: Option<SortDirection>,
        pub states: Vec<TaskState>,
        pub is_archived: Option<bool>,
        pub since: Option<DateTime<Utc>>,
        pub limit: Option<usize>,
    }

    /// How one page of a scope is fetched. Private: only this module's scopes implement it.
    pub trait Scope {
        fn fetch(
            &self,
            client: &Client,
            filters: &Filters,
            page: Option<u32>,
            etag: Option<&str>,
        ) -> impl std::future::Future<Output = Result<Conditional<Page<Task>>>> + Send;
    }
}

/// What differs between the two list operations: [`AllRepos`] or [`InRepo`]. Sealed: no other
/// type can implement it.
pub trait ListScope: sealed::Scope + Clone + Send + Sync + 'static {}

impl ListScope for AllRepos {}
impl ListScope for InRepo {}

// Both raw list builders take the same filter setters; one macro sets them.
macro_rules! apply_filters {
    ($builder:expr, $filters:expr, $page:expr, $etag:expr) => {{
        let f = $filters;
        let mut b = $builder;
        if let Some(n) = f.per_page {
            b = b.per_page(u64::from(n));
        }
        if let Some(n) = $page {
            b = b.page(u64::from(n));
        }
        if let Some(s) = f.sort {
            b = b.sort(s);
        }
        if let Some(d) = f.direction {
            b = b.direction(d);
        }
        if let Some(s) = f.state_param() {
            b = b.state(s);
        }
        if let Some(a) = f.is_archived {
            b = b.is_archived(a);
        }
        if let Some(t) = f.since {
            b = b.since(t);
        }
        if let Some(e) = $etag {
            b = b.if_none_match(e);
        }
        b
    }};
}

/// Sends a list request, conditionally when an ETag is given.
macro_rules! send_list {
    ($client:expr, $operation:literal, $etag:expr, |$raw:ident| $call:expr) => {{
        let transport = $client.transport();
        // The page reads its own `ETag` (the transport's is not kept).
        let answer = transport
            .read($operation, $etag.is_some(), false, |$raw| $call)
            .await?;
        Ok(match answer {
            Conditional::Modified { value, .. } => Conditional::Modified {
                value: Page::from_response(*value),
                etag: None,
            },
            Conditional::NotModified => Conditional::NotModified,
        })
    }};
}

impl sealed::Scope for AllRepos {
    async fn fetch(
        &self,
        client: &Client,
        filters: &Filters,
        page: Option<u32>,
        etag: Option<&str>,
    ) -> Result<Conditional<Page<Task>>> {
        send_list!(client, "list_tasks", etag, |raw| {
            apply_filters!(raw.list_tasks(), filters, page, etag).send()
        })
    }
}

impl sealed::Scope for InRepo {
    async fn fetch(
        &self,
        client: &Client,
        filters: &Filters,
        page: Option<u32>,
        etag: Option<&str>,
    ) -> Result<Conditional<Page<Task>>> {
        validate::owner(&self.owner)?;
        validate::repo(&self.repo)?;
        send_list!(client, "list_tasks_for_repo", etag, |raw| {
            let mut b = apply_filters!(
                raw.list_tasks_for_repo()
                    .owner(&self.owner)
                    .repo(&self.repo),
                filters,
                page,
                etag
            );
            if !self.creator_ids.is_empty() {
                b = b.creator_id(self.creator_ids.clone());
            }
            b.send()
        })
    }
}

/// All the pages of one conditional walk: the tasks, and the first page's `ETag`.
pub(crate) struct Collected {
    pub(crate) tasks: Vec<Task>,
    pub(crate) etag: Option<String>,
    /// The pages the answer took.
    pub(crate) pages: u32,
}

impl<S: ListScope> ListTasks<S> {
    /// Checks the arguments and gets one page.
    pub async fn send(self) -> Result<Page<Task>> {
        self.filters.check()?;
        self.fetch(self.filters.page).await
    }

    async fn fetch(&self, page: Option<u32>) -> Result<Page<Task>> {
        match self
            .scope
            .fetch(&self.client, &self.filters, page, None)
            .await?
        {
            Conditional::Modified { value, .. } => Ok(value),
            Conditional::NotModified => Err(Error::Internal(
                "a 304 was taken for an answer to a request that was not conditional".into(),
            )),
        }
    }

    /// The tasks of every page that `keep` wants, unless the first page is unchanged since
    /// `etag` (`None` then). Pages are walked by the same rules as [`stream`](Self::stream);
    /// what is kept is only what `keep` wants, however many pages the server offers.
    pub(crate) async fn collect_conditional(
        &self,
        etag: Option<&str>,
        keep: impl Fn(&Task) -> bool,
    ) -> Result<Option<Collected>> {
        self.filters.check()?;
        let mut walk = PageWalk::new(self.filters.page, self.filters.per_page);
        let mut tasks = Vec::new();
        let mut first_etag = None;
        let mut first = true;
        let mut pages: u32 = 0;
        loop {
            let tag = if first { etag } else { None };
            let mut page = match self
                .scope
                .fetch(&self.client, &self.filters, walk.current(), tag)
                .await?
            {
                Conditional::NotModified => return Ok(None),
                Conditional::Modified { value, .. } => value,
            };
            if first {
                first_etag = page.etag.clone();
                first = false;
            }
            let more = walk.advance(&mut page)?;
            pages = pages.saturating_add(1);
            tasks.extend(page.items.into_iter().filter(|t| keep(t)));
            if !more {
                return Ok(Some(Collected {
                    tasks,
                    etag: first_etag,
                    pages,
                }));
            }
        }
    }

    /// All matching tasks, page after page, as a lazy stream: a page is fetched only when the
    /// previous one has been consumed. The stream ends after the page without a `next` link,
    /// at an empty page, at the [`limit`](Self::limit), or after yielding an error (a `next`
    /// link without a page number or back to a page already fetched, pages that repeat the
    /// earlier ones, or more pages than the totals imply, is [`Error::Pagination`], naming
    /// the link). A task is yielded once, even when tasks that change while the walk goes on
    /// make the others shift to later pages (the listing is sorted by update), as long as
    /// the shift between two requests stays within a page: the walk remembers the last two
    /// pages' ids, not all of them.
    ///
    /// Without an explicit `per_page`, a limit under 100 asks for pages of that size. The
    /// stream is `Unpin`: no `pin!` is needed.
    ///
    /// ```no_run
    /// # async fn run(client: agent_tasks::Client) -> agent_tasks::Result<()> {
    /// use futures_util::TryStreamExt;
    /// let mut tasks = client.list_tasks().per_page(100).limit(250).stream();
    /// while let Some(task) = tasks.try_next().await? {
    ///     println!("{} {}", task.id, task.state);
    /// }
    /// # Ok(()) }
    /// ```
    pub fn stream(self) -> TaskStream {
        let check = self.filters.check();
        let mut list = self;
        if list.filters.per_page.is_none()
            && let Some(limit) = list.filters.limit
        {
            list.filters.per_page = u32::try_from(limit.clamp(1, 100)).ok();
        }
        let first = Arc::new(Mutex::new(None));
        let cut_short = Arc::new(AtomicBool::new(false));
        let state = StreamState {
            first: first.clone(),
            cut_short: cut_short.clone(),
            walk: PageWalk::new(list.filters.page, list.filters.per_page),
            remaining: list.filters.limit,
            list,
            buffer: Vec::new().into_iter(),
            more: true,
            error: None,
            failed: false,
        };
        let pages = futures_util::stream::unfold(state, |mut st| async move {
            loop {
                if st.failed || st.remaining == Some(0) {
                    return None;
                }
                if let Some(task) = st.buffer.next() {
                    if let Some(n) = st.remaining.as_mut() {
                        *n = n.saturating_sub(1);
                        if *n == 0 {
                            let left = st.buffer.len() > 0 || (st.more && st.error.is_none());
                            st.cut_short.store(left, Ordering::Relaxed);
                        }
                    }
                    return Some((Ok(task), st));
                }
                if let Some(e) = st.error.take() {
                    st.failed = true;
                    return Some((Err(e), st));
                }
                if !st.more {
                    return None;
                }
                // Free the consumed page before the next one arrives.
                st.buffer = Vec::new().into_iter();
                match st.list.fetch(st.walk.current()).await {
                    Ok(mut page) => {
                        let mut first = crate::transport::lock(&st.first);
                        if first.is_none() {
                            *first = Some(FirstPage {
                                total_active_count: page.total_active_count,
                                total_archived_count: page.total_archived_count,
                                date: page.date,
                            });
                        }
                        drop(first);
                        match st.walk.advance(&mut page) {
                            Ok(more) => st.more = more,
                            // The page's tasks come first; the error after them.
                            Err(e) => {
                                st.more = false;
                                st.error = Some(e);
                            }
                        }
                        st.buffer = page.items.into_iter();
                    }
                    Err(e) => {
                        st.failed = true;
                        return Some((Err(e), st));
                    }
                }
            }
        });
        TaskStream {
            inner: Box::pin(guarded(check, pages)),
            first,
            cut_short,
        }
    }
}

struct StreamState<S> {
    list: ListTasks<S>,
    first: Arc<Mutex<Option<FirstPage>>>,
    cut_short: Arc<AtomicBool>,
    walk: PageWalk,
    // The current page's items, consumed in place: no copy of a page into another buffer.
    buffer: std::vec::IntoIter<Task>,
    more: bool,
    remaining: Option<usize>,
    error: Option<Error>,
    failed: bool,
}

/// A stream of tasks across pages, from [`ListTasks::stream`]. `Unpin`, `Send` and `'static`.
#[must_use = "a stream does nothing until polled"]
pub struct TaskStream {
    inner: BoxStream<'static, Result<Task>>,
    first: Arc<Mutex<Option<FirstPage>>>,
    cut_short: Arc<AtomicBool>,
}

/// What the first page of a [`TaskStream`] said about the whole listing.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub struct FirstPage {
    /// How many tasks are not archived, in all pages, if the answer said.
    pub total_active_count: Option<u64>,
    /// How many tasks are archived, in all pages, if the answer said.
    pub total_archived_count: Option<u64>,
    /// When the server answered, by its own clock (the `Date` header).
    pub date: Option<chrono::DateTime<chrono::Utc>>,
}

impl std::fmt::Debug for TaskStream {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("TaskStream").finish_non_exhaustive()
    }
}

impl TaskStream {
    /// What the first page said about the listing (its totals, the server's clock), once it
    /// has been fetched.
    ///
    /// ```no_run
    /// # async fn run(client: agent_tasks::Client) -> agent_tasks::Result<()> {
    /// let mut tasks = client.list_tasks().limit(20).stream();
    /// while let Some(task) = tasks.try_next().await? {
    ///     println!("{}", task.id);
    /// }
    /// if let Some(total) = tasks.first_page().and_then(|p| p.total_active_count) {
    ///     println!("of {total}");
    /// }
    /// # Ok(()) }
    /// ```
    pub fn first_page(&self) -> Option<FirstPage> {
        *crate::transport::lock(&self.first)
    }

    /// Whether the stream has yielded its [`limit`](ListTasks::limit) with tasks left to list:
    /// on the page it had, or behind the listing's next link. `false` before the limit is
    /// reached, and when the limit took the last task.
    pub fn cut_short(&self) -> bool {
        self.cut_short.load(Ordering::Relaxed)
    }

    /// The next task, `None` at the end: the stream's `try_next` without importing a
    /// futures trait.
    ///
    /// ```no_run
    /// # async fn run(client: agent_tasks::Client) -> agent_tasks::Result<()> {
    /// let mut tasks = client.list_tasks().stream();
    /// while let Some(task) = tasks.try_next().await? {
    ///     println!("{}", task.id);
    /// }
    /// # Ok(()) }
    /// ```
    pub async fn try_next(&mut self) -> Result<Option<Task>> {
        futures_util::StreamExt::next(&mut self.inner)
            .await
            .transpose()
    }
}

impl Stream for TaskStream {
    type Item = Result<Task>;

    fn poll_next(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<Self::Item>> {
        self.inner.as_mut().poll_next(cx)
    }
}
