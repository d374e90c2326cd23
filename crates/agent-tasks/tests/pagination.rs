//! Pages through `Link`: in order, stopping at the last page, honouring a limit, lazily.

mod common;

use agent_tasks::TaskState;
use agent_tasks::list::Links;
use common::*;
use futures_util::{StreamExt, TryStreamExt};
use httpmock::prelude::*;
use serde_json::json;

fn tasks(from: usize, n: usize) -> serde_json::Value {
    let tasks: Vec<_> = (from..from + n)
        .map(|i| json!({"id": format!("t{i}"), "state": "completed", "created_at": "2025-01-01T00:00:00Z"}))
        .collect();
    json!({"tasks": tasks, "total_active_count": 7, "total_archived_count": 1})
}

/// Three pages of 3, 3 and 1 tasks, with GitHub-style Link headers (state filter kept in the
/// URLs, commas and all).
async fn three_pages(server: &MockServer) -> Vec<httpmock::Mock<'_>> {
    let base = server.base_url();
    let link =
        |page: u32| format!("<{base}/agents/tasks?page={page}&per_page=3&state=completed,failed>");
    let mut mocks = Vec::new();
    for (page, from, n, header) in [
        (
            1,
            0,
            3,
            format!(
                "{}; rel=\"next\", {}; rel=\"last\", {}; rel=\"first\"",
                link(2),
                link(3),
                link(1)
            ),
        ),
        (
            2,
            3,
            3,
            format!(
                "{}; rel=\"prev\", {}; rel=\"next\", {}; rel=\"last\", {}; rel=\"first\"",
                link(1),
                link(3),
                link(3),
                link(1)
            ),
        ),
        (
            3,
            6,
            1,
            format!("{}; rel=\"prev\", {}; rel=\"first\"", link(2), link(1)),
        ),
    ] {
        let mock = server
            .mock_async(|when, then| {
                let when = when
                    .method(GET)
                    .path("/agents/tasks")
                    .query_param("per_page", "3")
                    .query_param("state", "completed,failed");
                if page == 1 {
                    when.query_param_missing("page");
                } else {
                    when.query_param("page", page.to_string());
                }
                then.status(200)
                    .header("link", header.clone())
                    .json_body(tasks(from, n));
            })
            .await;
        mocks.push(mock);
    }
    mocks
}

fn list(server: &MockServer) -> agent_tasks::list::ListTasks<agent_tasks::list::AllRepos> {
    client(server)
        .list_tasks()
        .per_page(3)
        .states([TaskState::Completed, TaskState::Failed])
}

#[tokio::test]
async fn a_page_carries_links_and_totals() {
    let server = server().await;
    let _mocks = three_pages(&server).await;
    let page = list(&server).send().await.unwrap();
    assert_eq!(page.items.len(), 3);
    assert_eq!(
        (page.total_active_count, page.total_archived_count),
        (Some(7), Some(1))
    );
    assert!(page.has_next());
    assert_eq!(page.next_page(), Some(2));
    assert!(page.links.last.as_deref().unwrap().contains("page=3"));
    assert!(page.links.prev.is_none());
}

#[tokio::test]
async fn the_stream_walks_all_pages_in_order_and_stops_at_the_last() {
    let server = server().await;
    let mocks = three_pages(&server).await;
    let unexpected = catch_all(&server).await;
    let ids: Vec<String> = list(&server)
        .stream()
        .map_ok(|t| t.id)
        .try_collect()
        .await
        .unwrap();
    assert_eq!(ids, ["t0", "t1", "t2", "t3", "t4", "t5", "t6"]);
    for mock in &mocks {
        mock.assert_calls_async(1).await;
    }
    unexpected.assert_calls_async(0).await;
}

#[tokio::test]
async fn the_stream_honours_a_limit_without_fetching_further_pages() {
    let server = server().await;
    let mocks = three_pages(&server).await;
    let ids: Vec<String> = list(&server)
        .limit(4)
        .stream()
        .map_ok(|t| t.id)
        .try_collect()
        .await
        .unwrap();
    assert_eq!(ids, ["t0", "t1", "t2", "t3"]);
    mocks[0].assert_calls_async(1).await;
    mocks[1].assert_calls_async(1).await;
    mocks[2].assert_calls_async(0).await;
}

#[tokio::test]
async fn the_stream_is_lazy() {
    let server = server().await;
    let mocks = three_pages(&server).await;
    let stream = list(&server).stream();
    tokio::task::yield_now().await;
    mocks[0].assert_calls_async(0).await;
    let first: Vec<_> = stream.take(2).collect().await;
    assert_eq!(first.len(), 2);
    mocks[0].assert_calls_async(1).await;
    mocks[1].assert_calls_async(0).await;
}

#[tokio::test]
async fn a_limit_under_100_sets_the_page_size() {
    let server = server().await;
    let mock = server
        .mock_async(|when, then| {
            when.method(GET)
                .path("/agents/tasks")
                .query_param("per_page", "5");
            then.status(200).json_body(tasks(0, 5));
        })
        .await;
    let n = client(&server).list_tasks().limit(5).stream().count().await;
    assert_eq!(n, 5);
    mock.assert_calls_async(1).await;
}

#[tokio::test]
async fn the_stream_ends_after_an_error() {
    let server = server().await;
    server
        .mock_async(|when, then| {
            when.method(GET).path("/agents/tasks");
            then.status(502).body("bad gateway");
        })
        .await;
    let items: Vec<_> = client(&server).list_tasks().stream().collect().await;
    assert_eq!(items.len(), 1);
    assert_eq!(
        items[0].as_ref().unwrap_err().status().unwrap().as_u16(),
        502
    );
}

#[test]
fn link_headers_parse_robustly() {
    let links =
        Links::parse(r#"<https://x/a?page=2>; rel="next prev", <https://x/a?page=9>;rel=last"#);
    assert_eq!(links.next.as_deref(), Some("https://x/a?page=2"));
    assert_eq!(links.prev.as_deref(), Some("https://x/a?page=2"));
    assert_eq!(links.last.as_deref(), Some("https://x/a?page=9"));
    assert_eq!(Links::parse(""), Links::default());
    assert_eq!(Links::parse("garbage <unclosed"), Links::default());
}

// Uses `agent_tasks::testing`, which the `fake` feature brings.
#[cfg(feature = "fake")]
#[tokio::test]
async fn a_stream_says_whether_its_limit_left_tasks_out() {
    let (_fake, client) = agent_tasks::testing::start(agent_tasks_fake::Fake::builder())
        .await
        .unwrap();
    for i in 0..4 {
        client
            .repo("octocat", "hello-world")
            .create_task(format!("Task {i}"))
            .send()
            .await
            .unwrap();
    }
    // (per_page, limit): whether tasks were left out.
    for (per_page, limit, cut) in [
        (Some(2), Some(4), false),
        (Some(2), Some(3), true),
        (Some(2), Some(2), true),
        (None, Some(4), false),
        (None, Some(5), false),
        (Some(3), None, false),
    ] {
        let mut list = client.list_tasks();
        if let Some(n) = per_page {
            list = list.per_page(n);
        }
        if let Some(n) = limit {
            list = list.limit(n);
        }
        let mut stream = list.stream();
        assert!(!stream.cut_short(), "nothing yielded yet");
        let mut n = 0;
        while stream.try_next().await.unwrap().is_some() {
            n += 1;
        }
        assert_eq!(n, limit.unwrap_or(4).min(4), "{per_page:?} {limit:?}");
        assert_eq!(stream.cut_short(), cut, "{per_page:?} {limit:?}");
    }
}
