//! Pages of a list answer, their `Link` header, and the rules every walk across pages obeys.
//!
//! GitHub pages list answers with a `Link` header (`<url>; rel="next", ...`). A [`Page`] keeps
//! the items, the totals and the parsed links. [`PageWalk`] decides, after each page, whether
//! and where a walk goes on. It trusts nothing the server says:
//!
//! - only the `page` number of a `next` link is used: the walk asks for that page through the
//!   client's own base URL, never the link's URL (which could name another host);
//! - a `next` link without a readable page number (a cursor, a page of `-1`) is not guessed
//!   at: the walk ends with [`Error::Pagination`], naming the link;
//! - the next page must be one this walk has not fetched yet (the error names the link);
//! - a task already yielded by the last two pages is not yielded again: sorted by update, a
//!   task that changes while the walk goes on moves to the front, and the ones after it shift
//!   to later pages, where they would show up twice (the two pages bound what the walk holds,
//!   and a shift by more than a page between two requests is very unlikely); two pages in a row
//!   that hold nothing new end the walk with an error (a server that ignores `page`);
//! - an empty page ends the walk;
//! - a walk fetches at most the totals' page count plus [`PAGE_SLACK`], and never more than
//!   [`MAX_PAGES`] pages; past that it fails with [`Error::Pagination`] rather than loop.

use std::collections::HashSet;

use agent_tasks_raw::ResponseValue;
use agent_tasks_raw::types::TaskList;

use crate::error::{Error, Result, printable_snippet};
use crate::types::Task;

/// Pages a walk may fetch beyond what the answer's totals imply (tasks created while walking).
pub const PAGE_SLACK: u64 = 2;
/// The most pages one walk fetches, whatever the server says.
pub const MAX_PAGES: u64 = 10_000;

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
    /// When the server answered, by its own clock (the `Date` header): what "now" is for the
    /// tasks' timestamps, whatever the local clock says.
    pub date: Option<chrono::DateTime<chrono::Utc>>,
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

    /// The total number of tasks the answer says the listing has (active and archived), if
    /// it said.
    pub fn total_count(&self) -> Option<u64> {
        match (self.total_active_count, self.total_archived_count) {
            (None, None) => None,
            (a, b) => Some(a.unwrap_or(0).saturating_add(b.unwrap_or(0))),
        }
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
        let etag = etag_of(rv.headers());
        let date = crate::clock::date_of(rv.headers());
        let list = rv.into_inner();
        Page {
            items: list.tasks.into_iter().map(Task::from).collect(),
            total_active_count: list.total_active_count.and_then(|n| u64::try_from(n).ok()),
            total_archived_count: list
                .total_archived_count
                .and_then(|n| u64::try_from(n).ok()),
            links,
            etag,
            date,
        }
    }
}

/// The `ETag` of an answer, if it has a readable one.
pub(crate) fn etag_of(headers: &reqwest::header::HeaderMap) -> Option<String> {
    headers
        .get(reqwest::header::ETAG)
        .and_then(|v| v.to_str().ok())
        .map(str::to_owned)
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

    /// The `page` number of the `rel="last"` link.
    pub fn last_page(&self) -> Option<u32> {
        self.last.as_deref().and_then(page_number)
    }

    /// Parses a `Link` header value. URLs may contain commas (`state=queued,failed`), so the
    /// value is read as `<url>` followed by parameters, not split on commas. Unknown relations
    /// and malformed parts are skipped.
    ///
    /// ```
    /// let links = agent_tasks::list::Links::parse(
    ///     r#"<https://api.github.com/agents/tasks?page=2&state=queued,failed>; rel="next", <https://api.github.com/agents/tasks?page=1>; rel="first""#,
    /// );
    /// assert_eq!(links.next.as_deref(), Some("https://api.github.com/agents/tasks?page=2&state=queued,failed"));
    /// assert_eq!(links.next_page(), Some(2));
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
    page_param(url)?.parse().ok()
}

/// The `page` query parameter of a URL as written, readable as a number or not.
fn page_param(url: &str) -> Option<&str> {
    let query = url.split_once('?')?.1;
    let query = query.split('#').next().unwrap_or(query);
    query.split('&').find_map(|pair| {
        let (key, value) = pair.split_once('=')?;
        (key == "page").then_some(value)
    })
}

/// Where a walk across pages is, and the rules for going on (see the module docs).
#[derive(Debug)]
pub(crate) struct PageWalk {
    per_page: u64,
    /// The page to fetch; `None` for the first page when none was asked for (sent without a
    /// `page` parameter, as GitHub's own links do).
    current: Option<u32>,
    seen: HashSet<u32>,
    /// The ids the last two pages listed: the page before the last, and the last.
    recent: [HashSet<String>; 2],
    /// Pages in a row that held only tasks let through before.
    stale_pages: u32,
    fetched: u64,
    bound: u64,
}

impl PageWalk {
    /// A walk that starts at `first` (page 1 unless given) with pages of `per_page` tasks
    /// (GitHub's default, 30, unless given).
    pub(crate) fn new(first: Option<u32>, per_page: Option<u32>) -> Self {
        PageWalk {
            per_page: u64::from(per_page.unwrap_or(30).max(1)),
            current: first,
            seen: HashSet::new(),
            recent: [HashSet::new(), HashSet::new()],
            stale_pages: 0,
            fetched: 0,
            bound: MAX_PAGES,
        }
    }

    /// The page to fetch now (`None`: the first, without a `page` parameter).
    pub(crate) fn current(&self) -> Option<u32> {
        self.current
    }

    /// Records the page just fetched, takes out of it the tasks this walk has let through
    /// before, and moves to the next page: `Ok(false)` when the walk is over, an error when the
    /// server's pagination cannot be followed safely.
    pub(crate) fn advance(&mut self, page: &mut Page<Task>) -> Result<bool> {
        let current = self.current.unwrap_or(1);
        self.seen.insert(current);
        self.fetched = self.fetched.saturating_add(1);
        if let Some(total) = page.total_count() {
            let pages = total.div_ceil(self.per_page).saturating_add(PAGE_SLACK);
            self.bound = self.bound.min(pages.max(1));
        }
        let listed = page.items.len();
        // This page's ids replace the older of the two pages remembered: a walk holds two
        // pages' ids, not all of them. (`here` takes every id of the page, repeats included,
        // before the older pages are asked.)
        let [before, last] = &mut self.recent;
        let mut here = HashSet::with_capacity(listed);
        page.items.retain(|t| {
            here.insert(t.id.clone()) && !before.contains(&t.id) && !last.contains(&t.id)
        });
        *before = std::mem::replace(last, here);
        let Some(link) = page.links.next.as_deref() else {
            return Ok(false);
        };
        if listed == 0 {
            return Ok(false);
        }
        let shown = || printable_snippet(link.as_bytes(), 200);
        self.stale_pages = if page.items.is_empty() {
            self.stale_pages.saturating_add(1)
        } else {
            0
        };
        if self.stale_pages >= 2 {
            return Err(Error::Pagination {
                reason: format!(
                    "two pages in a row, the last page {current}, held only tasks of earlier pages, yet the server links to `{}`: it does not move through its pages",
                    shown()
                ),
            });
        }
        let next = match (page_param(link), page.next_page()) {
            (_, Some(n)) => n,
            (Some(written), None) => {
                return Err(Error::Pagination {
                    reason: format!(
                        "the next link after page {current}, `{}`, names page `{}`, which is not a page number",
                        shown(),
                        printable_snippet(written.as_bytes(), 20)
                    ),
                });
            }
            (None, None) => {
                return Err(Error::Pagination {
                    reason: format!(
                        "the next link after page {current}, `{}`, has no page number: this client follows GitHub's numbered pages only, and guesses none",
                        shown()
                    ),
                });
            }
        };
        if next == 0 || self.seen.contains(&next) {
            return Err(Error::Pagination {
                reason: format!(
                    "the next link after page {current}, `{}`, points to page {next}, which this walk has already fetched (or cannot exist)",
                    shown()
                ),
            });
        }
        if self.fetched >= self.bound {
            return Err(Error::Pagination {
                reason: format!(
                    "the server offers page {next} after {} pages, more than its totals imply (or than {MAX_PAGES})",
                    self.fetched
                ),
            });
        }
        self.current = Some(next);
        Ok(true)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A page of tasks `first..first + items`, linking to `next`.
    fn page(first: usize, items: usize, next: Option<&str>, total: Option<u64>) -> Page<Task> {
        let task = |n: usize| -> Task {
            serde_json::from_value(serde_json::json!({
                "id": format!("t{n}"), "state": "queued", "created_at": "2026-01-01T00:00:00Z"
            }))
            .unwrap()
        };
        Page {
            items: (first..first + items).map(task).collect(),
            total_active_count: total,
            total_archived_count: None,
            links: Links {
                next: next.map(str::to_owned),
                ..Links::default()
            },
            etag: None,
            date: None,
        }
    }

    fn pagination_error(walk: &mut PageWalk, mut page: Page<Task>) -> String {
        match walk.advance(&mut page) {
            Err(Error::Pagination { reason }) => reason,
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn a_walk_follows_next_pages_it_has_not_seen() {
        let mut walk = PageWalk::new(None, Some(2));
        assert_eq!(walk.current(), None);
        assert!(
            walk.advance(&mut page(0, 2, Some("/t?page=2"), Some(5)))
                .unwrap()
        );
        assert_eq!(walk.current(), Some(2));
        assert!(
            walk.advance(&mut page(2, 2, Some("/t?page=3"), Some(5)))
                .unwrap()
        );
        assert!(!walk.advance(&mut page(4, 1, None, Some(5))).unwrap());
    }

    #[test]
    fn a_link_back_to_a_fetched_page_stops_the_walk_and_names_the_link() {
        let mut walk = PageWalk::new(None, None);
        assert!(
            walk.advance(&mut page(0, 1, Some("/t?page=2"), None))
                .unwrap()
        );
        let reason = pagination_error(&mut walk, page(1, 1, Some("/t?page=2&x=1"), None));
        assert!(reason.contains("/t?page=2&x=1"), "{reason}");
    }

    #[test]
    fn a_next_link_without_a_page_number_is_an_error_not_a_guess() {
        for next in [
            "/t?cursor=abc",
            "/t",
            "/t?page=4294967296",
            "/t?page=-1",
            "/t?page=",
            "/t?a=1&page=x",
        ] {
            let mut walk = PageWalk::new(Some(u32::MAX), None);
            let reason = pagination_error(&mut walk, page(0, 1, Some(next), None));
            assert!(reason.contains(next), "{next}: {reason}");
        }
    }

    #[test]
    fn a_task_is_let_through_once_and_a_server_that_repeats_itself_is_stopped() {
        let mut walk = PageWalk::new(None, Some(2));
        let mut first = page(0, 2, Some("/t?page=2"), None);
        assert!(walk.advance(&mut first).unwrap());
        assert_eq!(first.items.len(), 2);
        // t1 moved to page 2 (it changed while the walk went on): only t2 is new.
        let mut second = page(1, 2, Some("/t?page=3"), None);
        assert!(walk.advance(&mut second).unwrap());
        let ids: Vec<&str> = second.items.iter().map(|t| t.id.as_str()).collect();
        assert_eq!(ids, ["t2"]);
        // One page of nothing new is let pass; two in a row are a server ignoring `page`.
        let mut third = page(1, 2, Some("/t?page=4"), None);
        assert!(walk.advance(&mut third).unwrap());
        assert!(third.items.is_empty());
        let reason = pagination_error(&mut walk, page(1, 2, Some("/t?page=5"), None));
        assert!(reason.contains("/t?page=5"), "{reason}");
    }

    #[test]
    fn an_empty_page_ends_the_walk_and_totals_bound_it() {
        let mut walk = PageWalk::new(None, Some(10));
        assert!(
            !walk
                .advance(&mut page(0, 0, Some("/t?page=2"), None))
                .unwrap()
        );
        let mut walk = PageWalk::new(None, Some(10));
        // 10 tasks in all: one page, plus the slack.
        for n in 2..=3 {
            let next = format!("/t?page={n}");
            assert!(
                walk.advance(&mut page(n * 10, 10, Some(&next), Some(10)))
                    .unwrap()
            );
        }
        pagination_error(&mut walk, page(40, 10, Some("/t?page=4"), Some(10)));
    }
}
