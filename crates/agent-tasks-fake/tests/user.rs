//! `GET /user`: the token's user, checked exactly like the API and counted as
//! `get_authenticated_user`.

mod common;

use agent_tasks_fake::{DEFAULT_LOGIN, DEFAULT_TOKEN, Fake, Faults};
use reqwest::StatusCode;
use serde_json::{Value, json};

async fn me(fake: &Fake, token: &str) -> (StatusCode, Value) {
    let r = reqwest::Client::new()
        .get(format!("{}/user", fake.url()))
        .bearer_auth(token)
        .header("user-agent", "fake-tests")
        .header("x-github-api-version", "2022-11-28")
        .send()
        .await
        .unwrap();
    (r.status(), r.json().await.unwrap())
}

#[tokio::test]
async fn each_token_is_a_user_with_an_id_and_a_login() {
    let fake = Fake::builder()
        .token("second-token")
        .user("mona-token", "mona")
        .start()
        .await
        .unwrap();
    fake.add_token("fourth-token");
    fake.add_user("hubot-token", "hubot");
    for (token, login, id) in [
        (DEFAULT_TOKEN, DEFAULT_LOGIN, 1),
        ("second-token", "fake-user-2", 2),
        ("mona-token", "mona", 3),
        ("fourth-token", "fake-user-4", 4),
        ("hubot-token", "hubot", 5),
    ] {
        let (status, body) = me(&fake, token).await;
        assert_eq!(status, StatusCode::OK);
        assert_eq!(body, json!({"login": login, "id": id, "type": "User"}));
    }
    // The user is the creator of the tasks the token creates.
    let r = reqwest::Client::new()
        .post(format!(
            "{}/agents/repos/octocat/hello-world/tasks",
            fake.url()
        ))
        .bearer_auth("mona-token")
        .header("user-agent", "fake-tests")
        .json(&json!({"prompt": "x"}))
        .send()
        .await
        .unwrap();
    assert_eq!(r.json::<Value>().await.unwrap()["creator"]["id"], 3);
    let state = fake.state();
    assert_eq!(state.requests["get_authenticated_user"][&200], 5);
    assert_eq!(state.requests_of("unknown"), 0);
}

#[tokio::test]
async fn it_is_checked_like_the_api() {
    let fake = Fake::builder().start().await.unwrap();
    let http = reqwest::Client::new();
    let url = format!("{}/user", fake.url());
    for (request, status) in [
        (
            http.get(&url).bearer_auth(DEFAULT_TOKEN),
            StatusCode::FORBIDDEN,
        ),
        (
            http.get(&url).header("user-agent", "x"),
            StatusCode::UNAUTHORIZED,
        ),
        (
            http.get(&url)
                .header("user-agent", "x")
                .bearer_auth("wrong"),
            StatusCode::UNAUTHORIZED,
        ),
        (
            http.get(&url)
                .header("user-agent", "x")
                .bearer_auth("ghs_x"),
            StatusCode::FORBIDDEN,
        ),
        (
            http.get(&url)
                .header("user-agent", "x")
                .bearer_auth(DEFAULT_TOKEN)
                .header("x-github-api-version", "1999-01-01"),
            StatusCode::BAD_REQUEST,
        ),
        (
            http.post(&url)
                .header("user-agent", "x")
                .bearer_auth(DEFAULT_TOKEN),
            StatusCode::NOT_FOUND,
        ),
    ] {
        let r = request.send().await.unwrap();
        assert_eq!(r.status(), status);
        let body: Value = r.json().await.unwrap();
        assert!(body["message"].is_string() && body["documentation_url"].is_string());
    }
    assert_eq!(fake.state().requests["get_authenticated_user"][&401], 2);

    // Faults and the rate limit apply as to any API request; a repeat gets its 304.
    fake.set_faults(Faults {
        error_rate: 1.0,
        ..Faults::default()
    });
    assert!(me(&fake, DEFAULT_TOKEN).await.0.is_server_error());
    fake.set_faults(Faults::default());
    let first = http
        .get(&url)
        .header("user-agent", "x")
        .bearer_auth(DEFAULT_TOKEN)
        .send()
        .await
        .unwrap();
    let etag = first.headers()["etag"].clone();
    let again = http
        .get(&url)
        .header("user-agent", "x")
        .bearer_auth(DEFAULT_TOKEN)
        .header("if-none-match", etag)
        .send()
        .await
        .unwrap();
    assert_eq!(again.status(), StatusCode::NOT_MODIFIED);
}
