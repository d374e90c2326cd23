//! Bad input is refused before anything is sent, with an error naming the field.

mod common;

use agent_tasks::{Client, Error, TaskState};
use common::*;

fn field(e: Error) -> &'static str {
    match e {
        Error::InvalidInput { field, .. } => field,
        Error::Token(_) => "token",
        other => panic!("expected invalid input, got {other:?}"),
    }
}

#[tokio::test]
async fn bad_arguments_are_refused_and_nothing_is_sent() {
    let server = server().await;
    let any = catch_all(&server).await;
    let c = client(&server);

    let long = "a".repeat(101);
    for (owner, repo) in [
        ("", "r"),
        ("o", ""),
        ("octo cat", "r"),
        ("octo/cat", "r"),
        ("-octo", "r"),
        ("o", "."),
        ("o", ".."),
        ("o", "r?x"),
        ("o", "r#x"),
        ("o", "r/x"),
        (long.as_str(), "r"),
        ("o", long.as_str()),
    ] {
        let e = c
            .repo(owner, repo)
            .create_task("p")
            .send()
            .await
            .unwrap_err();
        assert!(matches!(field(e), "owner" | "repo"), "{owner:?}/{repo:?}");
        let e = c.repo(owner, repo).list_tasks().send().await.unwrap_err();
        assert!(matches!(field(e), "owner" | "repo"));
        let e = c.repo(owner, repo).task("t").send().await.unwrap_err();
        assert!(matches!(field(e), "owner" | "repo"));
    }

    // Blank, invisible (zero-width characters, a lone NUL), or carrying control characters.
    for prompt in [
        "",
        "   ",
        "\n\t",
        "\u{0}",
        "\u{200B}\u{200D}\u{FEFF}",
        "\u{2060} \u{00AD}",
        "Fix it\u{0}",
        "Fix \u{1b}[31mit",
    ] {
        let e = c
            .repo("o", "r")
            .create_task(prompt)
            .send()
            .await
            .unwrap_err();
        assert_eq!(field(e), "prompt", "{prompt:?}");
    }
    let e = c
        .repo("o", "r")
        .create_task("p")
        .idempotency_key("has space")
        .send()
        .await
        .unwrap_err();
    assert_eq!(field(e), "idempotency_key");
    let e = c
        .repo("o", "r")
        .create_task("p")
        .idempotency_key("k".repeat(65))
        .send()
        .await
        .unwrap_err();
    assert_eq!(field(e), "idempotency_key");
    let e = c
        .task("t")
        .send_conditional(Some("\"a\nb\""))
        .await
        .unwrap_err();
    assert_eq!(field(e), "etag");
    let e = c
        .repo("o", "r")
        .create_task("p")
        .base_ref(" ")
        .send()
        .await
        .unwrap_err();
    assert_eq!(field(e), "base_ref");
    let e = c
        .repo("o", "r")
        .create_task("p")
        .model("a\u{7}")
        .send()
        .await
        .unwrap_err();
    assert_eq!(field(e), "model");

    // `.` and `..` would change the path (`/agents/tasks/..` is `/agents/`), and so would `\`
    // (read as `/`); anything else is percent-encoded as one segment (tests/task_id_paths.rs).
    for id in ["", ".", "..", "a\\b"] {
        let e = c.task(id).send().await.unwrap_err();
        assert_eq!(field(e), "task_id", "{id:?}");
        let e = c.repo("o", "r").task(id).send().await.unwrap_err();
        assert_eq!(field(e), "task_id");
    }

    for n in [0, 101, 1000] {
        assert_eq!(
            field(c.list_tasks().per_page(n).send().await.unwrap_err()),
            "per_page"
        );
    }
    assert_eq!(
        field(c.list_tasks().page(0).send().await.unwrap_err()),
        "page"
    );
    let e = c
        .list_tasks()
        .state(TaskState::Unknown("a,b".into()))
        .send()
        .await
        .unwrap_err();
    assert_eq!(field(e), "state");
    let first =
        futures_util::StreamExt::collect::<Vec<_>>(c.list_tasks().per_page(0).stream()).await;
    assert_eq!(first.len(), 1);
    assert!(matches!(
        first[0],
        Err(Error::InvalidInput {
            field: "per_page",
            ..
        })
    ));

    any.assert_calls_async(0).await;
}

#[test]
fn bad_settings_are_refused() {
    let build = |b: agent_tasks::ClientBuilder| field(b.build().unwrap_err());
    assert_eq!(build(Client::builder()), "token");
    assert_eq!(build(Client::builder().token("")), "token");
    assert_eq!(build(Client::builder().token("ghp_abc def")), "token");
    assert_eq!(build(Client::builder().token("ghp_abc\n")), "token");
    assert_eq!(build(Client::builder().token("ghp_é")), "token");
    let t = || Client::builder().token("ghp_x");
    for url in [
        "api.github.com",
        "ftp://api.github.com",
        "http://api.github.com",
        "http://10.0.0.1:8080",
        "https://user:pass@api.github.com",
        "https://api.github.com/?x=1",
        "https://api.github.com/#f",
        "not a url",
    ] {
        assert_eq!(build(t().base_url(url)), "base_url", "{url}");
    }
    for v in ["", "2022-13-01", "latest", "2022-11-28x"] {
        assert_eq!(build(t().api_version(v)), "api_version", "{v}");
    }
    assert_eq!(build(t().user_agent(" ")), "user_agent");
    assert_eq!(build(t().user_agent("a\nb")), "user_agent");
    assert_eq!(build(t().timeout(std::time::Duration::ZERO)), "timeout");
    assert_eq!(build(t().max_response_bytes(0)), "max_response_bytes");
}

#[test]
fn an_installation_token_is_refused_locally_with_the_hint() {
    let e = Client::builder()
        .token("ghs_16C7e42F292c6912E7710c838347Ae178B4a")
        .build()
        .unwrap_err();
    assert!(e.is_auth());
    assert!(
        e.hint().unwrap().contains("user-to-server"),
        "{:?}",
        e.hint()
    );
    assert!(!e.to_string().contains("16C7e42F"), "{e}");
}

#[test]
fn good_settings_are_accepted() {
    for (url, expected) in [
        ("https://api.github.com/", "https://api.github.com"),
        (
            "https://ghe.example.com/api/v3",
            "https://ghe.example.com/api/v3",
        ),
        (
            "https://ghe.example.com/api/v3/",
            "https://ghe.example.com/api/v3",
        ),
        ("https://api.acme.ghe.com", "https://api.acme.ghe.com"),
        ("http://127.0.0.1:8080", "http://127.0.0.1:8080"),
        ("http://localhost:1", "http://localhost:1"),
        ("http://[::1]:9", "http://[::1]:9"),
    ] {
        let c = Client::builder()
            .token("ghp_x")
            .base_url(url)
            .build()
            .unwrap();
        assert_eq!(c.base_url(), expected);
    }
    let c = Client::builder().token("github_pat_x").build().unwrap();
    assert_eq!(c.base_url(), agent_tasks::client::DEFAULT_BASE_URL);
    assert_eq!(c.api_version(), agent_tasks::client::DEFAULT_API_VERSION);
}
