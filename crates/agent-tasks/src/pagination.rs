//! Pages of tasks and a lazy stream across them.
//!
//! GitHub pages list answers with a `Link` header (`<url>; rel="next", ...`). A [`Page`] keeps
//! the items, the totals and the parsed links; [`ListTasks::stream`] follows `rel="next"` one
//! page at a time, fetching the next page only when the current one has been consumed.

use futures_core::Stream;

use agent_tasks_raw::ResponseValue;
use agent_tasks_raw::types::TaskList;

use crate::error::Result;
use crate::requests::{ListScope, ListTasks};
use crate::types::Task;

/// One page of a list answer.
#[derive(Clone, Debug, PartialEq)]
#[non_exhaustive]
pub struct Page<T> {
    /// The items of this page.
    pub items: Vec<T>,
    /// How many tasks are not archived, in all pages.
    pub total_active_count: Option<u64>,
    /// How many tasks are archived, in all pages.
    pub total_archived_count: Option<u64>,
    /// The pagination links from the `Link` header.
    pub links: Links,
    /// The answer's `ETag`, for a conditional request of the same page.
    pub etag: Option<String>,
}

impl<T> Page<T> {
    /// Whether a next page exists.
    pub fn has_next(&self) -> bool {
        self.links.next.is_some()
    }

    /// The number of the next page, read from the `rel="next"` link.
    pub fn next_page(&self) -> Option<u32> {
        self.links.next_page()
    }
}

impl<T> IntoIterator for Page<T> {
    type Item = T;
    type IntoIter = std::vec::IntoIter<T>;
    fn into_iter(self) -> Self::IntoIter {
        self.items.into_iter()
    }
}

impl Page<Task> {
    pub(crate) fn from_response(rv: ResponseValue<TaskList>) -> Self {
        let links = rv
            .headers()
            .get(reqwest::header::LINK)
            .and_then(|v| v.to_str().ok())
            .map(Links::parse)
            .unwrap_or_default();
        let etag = crate::requests::etag_of(rv.headers());
        let list = rv.into_inner();
        Page {
            items: list.tasks.into_iter().map(Task::from).collect(),
            total_active_count: list.total_active_count.and_then(|n| u64::try_from(n).ok()),
            total_archived_count: list
                .total_archived_count
                .and_then(|n| u64::try_from(n).ok()),
            links,
            etag,
        }
    }
}

/// The links of a `Link` header, by relation.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
#[non_exhaustive]
pub struct Links {
    /// `rel="next"`.
    pub next: Option<String>,
    /// `rel="prev"`.
    pub prev: Option<String>,
    /// `rel="first"`.
    pub first: Option<String>,
    /// `rel="last"`.
    pub last: Option<String>,
}

impl Links {
    /// The `page` number of the `rel="next"` link.
    pub fn next_page(&self) -> Option<u32> {
        self.next.as_deref().and_then(page_number)
    }

    /// Parses a `Link` header value. URLs may contain commas (`state=queued,failed`), so the
    /// value is read as `<url>` followed by parameters, not split on commas. Unknown relations
    /// and malformed parts are skipped.
    ///
    /// ```
    /// let links = agent_tasks::Links::parse(
    ///     r#"<https://api.github.com/agents/tasks?page=2&state=queued,failed>; rel="next", <https://api.github.com/agents/tasks?page=1>; rel="first""#,
    /// );
    /// assert_eq!(links.next.as_deref(), Some("https://api.github.com/agents/tasks?page=2&state=queued,failed"));
    /// assert!(links.prev.is_none());
    /// ```
    pub fn parse(header: &str) -> Links {
        let mut links = Links::default();
        let mut rest = header;
        while let Some(open) = rest.find('<') {
            let Some(close) = rest[open..].find('>').map(|i| open + i) else {
                break;
            };
            let url = &rest[open + 1..close];
            let after = &rest[close + 1..];
            let params_end = after.find('<').unwrap_or(after.len());
            for rel in rels(&after[..params_end]) {
                let slot = match rel {
                    "next" => &mut links.next,
                    "prev" | "previous" => &mut links.prev,
                    "first" => &mut links.first,
                    "last" => &mut links.last,
                    _ => continue,
                };
                slot.get_or_insert_with(|| url.to_owned());
            }
            rest = &after[params_end..];
        }
        links
    }
}

/// The relation names of one link's parameters (`rel="next prev"` names two).
fn rels(params: &str) -> impl Iterator<Item = &str> {
    params
        .split(';')
        .filter_map(|p| {
            let (key, value) = p.split_once('=')?;
            key.trim()
                .eq_ignore_ascii_case("rel")
                .then(|| value.trim().trim_end_matches(',').trim().trim_matches('"'))
        })
        .flat_map(str::split_whitespace)
}

/// The `page` query parameter of a URL.
fn page_number(url: &str) -> Option<u32> {
    let query = url.split_once('?')?.1;
    let query = query.split('#').next().unwrap_or(query);
    query.split('&').find_map(|pair| {
        let (key, value) = pair.split_once('=')?;
        (key == "page").then(|| value.parse().ok()).flatten()
    })
}

struct StreamState<S> {
    list: ListTasks<S>,
    // The current page's items, consumed in place: no copy of a page into another buffer.
    buffer: std::vec::IntoIter<Task>,
    next_page: Option<u32>,
    started: bool,
    remaining: Option<usize>,
    failed: bool,
}

impl<S: ListScope> ListTasks<S> {
    /// All matching tasks, page after page, as a lazy stream: a page is fetched only when the
    /// previous one has been consumed, and the stream ends after the page without a `next`
    /// link, at the [`limit`](Self::limit), or after yielding an error.
    ///
    /// Without an explicit `per_page`, a limit under 100 asks for pages of that size.
    ///
    /// ```no_run
    /// # async fn run(client: agent_tasks::Client) -> agent_tasks::Result<()> {
    /// use futures_util::TryStreamExt;
    /// let tasks: Vec<_> = client.list_tasks().per_page(100).limit(250).stream().try_collect().await?;
    /// # Ok(()) }
    /// ```
    pub fn stream(self) -> impl Stream<Item = Result<Task>> + Send + 'static {
        let check = self.filters.check();
        let mut list = self;
        if list.filters.per_page.is_none()
            && let Some(limit) = list.filters.limit
        {
            list.filters.per_page = Some(limit.clamp(1, 100) as u32);
        }
        let state = StreamState {
            next_page: list.filters.page,
            remaining: list.filters.limit,
            list,
            buffer: Vec::new().into_iter(),
            started: false,
            failed: false,
        };
        let pages = futures_util::stream::unfold(state, |mut st| async move {
            loop {
                if st.failed || st.remaining == Some(0) {
                    return None;
                }
                if let Some(task) = st.buffer.next() {
                    if let Some(n) = st.remaining.as_mut() {
                        *n -= 1;
                    }
                    return Some((Ok(task), st));
                }
                if st.started && st.next_page.is_none() {
                    return None;
                }
                // Free the consumed page before the next one arrives.
                st.buffer = Vec::new().into_iter();
                let fetched = st
                    .list
                    .scope
                    .fetch(&st.list.client, &st.list.filters, st.next_page, None)
                    .await
                    .map(|page| page.expect("no If-None-Match was sent"));
                st.started = true;
                match fetched {
                    Ok(page) => {
                        st.next_page = match (&page.links.next, page.next_page()) {
                            (None, _) => None,
                            (Some(_), Some(n)) => Some(n),
                            // A next link without a page number: count on from the current page.
                            (Some(_), None) => Some(st.next_page.unwrap_or(1) + 1),
                        };
                        if page.items.is_empty() {
                            st.next_page = None;
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
        guarded(check, pages)
    }
}

/// `stream`, unless `check` failed: then a stream of that one error, and `stream` is never
/// polled (so nothing is sent). Arguments are checked when the stream is made, but the error
/// arrives where the caller reads the items.
pub(crate) fn guarded<T, S>(check: Result<()>, stream: S) -> impl Stream<Item = Result<T>>
where
    S: Stream<Item = Result<T>>,
{
    match check {
        Ok(()) => futures_util::future::Either::Left(stream),
        Err(e) => futures_util::future::Either::Right(futures_util::stream::once(
            std::future::ready(Err(e)),
        )),
    }
}
