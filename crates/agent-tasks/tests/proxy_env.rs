//! A plain-http (loopback) base URL is never reached through a proxy from the environment, so
//! the token never travels in clear to one. One test, alone in its binary: it sets process-wide
//! environment variables.

#[path = "hostile/mod.rs"]
mod hostile;

use agent_tasks::Client;
use agent_tasks::retry::RetryPolicy;
use chrono::Utc;
use hostile::{Hostile, json, list, response, task, task_with_session};

const TOKEN: &str = "github_pat_11AAAAAAA0_PrOxYsHoUlDnEvErSeEtHiS";

#[tokio::test]
async fn proxies_from_the_environment_never_see_a_plain_http_request() {
    // The proxy would answer anything, and record it.
    let proxy = Hostile::always(|| response("200 OK", &[], "{}")).await;
    let server = Hostile::start(|r| {
        if r.method == "POST" {
            json("201 Created", &[], &task("t1", Utc::now(), 7))
        } else if r.path().ends_with("/tasks") {
            json("200 OK", &[], &list(vec![task("t1", Utc::now(), 7)]))
        } else {
            json(
                "200 OK",
                &[],
                &task_with_session("t1", Utc::now(), 7, "Fix it"),
            )
        }
    })
    .await;
    // SAFETY: this binary's only test sets them before any client exists; nothing else runs.
    unsafe {
        for var in [
            "HTTP_PROXY",
            "http_proxy",
            "HTTPS_PROXY",
            "https_proxy",
            "ALL_PROXY",
            "all_proxy",
        ] {
            std::env::set_var(var, proxy.url());
        }
        std::env::remove_var("NO_PROXY");
        std::env::remove_var("no_proxy");
    }

    let port = server.addr().port();
    for base in [server.url(), format!("http://localhost:{port}")] {
        let client = Client::builder()
            .token(TOKEN)
            .base_url(&base)
            .retry(RetryPolicy::none())
            .build()
            .unwrap();
        client.task("t1").send().await.unwrap();
        client.list_tasks().send().await.unwrap();
        client
            .repo("o", "r")
            .create_task("Fix it")
            .send()
            .await
            .unwrap();
    }
    assert_eq!(proxy.connections(), 0, "{:?}", proxy.log());
    assert_eq!(server.requests(), 6);

    // The variables are live: a reqwest client of the caller's own does use them (its proxy
    // settings are the caller's, as `ClientBuilder::http_client` says).
    let theirs = Client::builder()
        .token(TOKEN)
        .base_url(server.url())
        .http_client(reqwest::Client::new())
        .retry(RetryPolicy::none())
        .build()
        .unwrap();
    let _ = theirs.task("t1").send().await;
    assert_eq!(
        proxy.requests(),
        1,
        "the environment's proxy is live for other clients"
    );
}
