//! Waiting, against the fake on a stepped clock: the client's clock moves the fake's clock
//! when it "sleeps", so hour-long waits take milliseconds and every request is counted.

mod common;

use std::sync::Arc;
use std::time::Duration;

use agent_tasks::wait::Until;
use agent_tasks::{Client, Error, TaskState};
use agent_tasks_fake::{Fake, Outcome, Schedule};
use common::{Stepped, stepped_fake};
use futures_util::TryStreamExt;

async fn setup(builder: agent_tasks_fake::FakeBuilder) -> (Arc<Fake>, Arc<Stepped>, Client) {
    stepped_fake(
        builder.schedule(Schedule {
            queued: Duration::from_secs(10),
            running: Duration::from_secs(120),
        }),
        agent_tasks::retry::RetryPolicy::default(),
    )
    .await
}

/// Starts a task in octocat/hello-world.
async fn start(client: &Client, prompt: &str) -> agent_tasks::Task {
    client
        .repo("octocat", "hello-world")
        .create_task(prompt)
        .send()
        .await
        .unwrap()
}

#[tokio::test]
async fn a_wait_follows_the_task_to_its_end_with_conditional_requests() {
    let (fake, clock, client) = setup(Fake::builder()).await;
    let task = start(&client, "Fix it").await;
    let done = client
        .task(&task.id)
        .wait()
        .interval(Duration::from_secs(5))
        .max_interval(Duration::from_secs(20))
        .send()
        .await
        .unwrap();
    assert_eq!(done.state, TaskState::Completed);
    assert!(done.pull_request().is_some());

    // Every unchanged poll is a 304, free on the rate limit: the interval never stretches, so
    // the end is noticed within one interval of it.
    let naps = clock.naps();
    assert!(
        naps.iter().all(|d| *d == Duration::from_secs(5)),
        "{naps:?}"
    );
    let ended = done.updated_at.unwrap();
    let noticed = fake.now();
    assert!(
        noticed - ended <= chrono::Duration::seconds(5),
        "ended {ended}, noticed {noticed}"
    );
    let state = fake.state();
    let gets = &state.requests["get_task_by_id"];
    assert_eq!(
        state.requests_of("get_task_by_id") as usize,
        naps.len() + 1,
        "one request per interval"
    );
    assert_eq!(
        gets[&200], 3,
        "one full answer per state: queued, in_progress, completed"
    );
    assert!(gets[&304] >= 5, "unchanged polls are 304s: {gets:?}");
}

#[tokio::test]
async fn watch_yields_each_change_of_state() {
    let (_fake, _clock, client) = setup(Fake::builder()).await;
    let task = start(&client, "Fix it").await;
    let states: Vec<TaskState> = client
        .task(&task.id)
        .wait()
        .stream()
        .map_ok(|t| t.state.clone())
        .try_collect()
        .await
        .unwrap();
    assert_eq!(
        states,
        [
            TaskState::Queued,
            TaskState::InProgress,
            TaskState::Completed
        ]
    );
}

#[tokio::test]
async fn a_task_waiting_for_a_person_ends_an_attention_wait_but_not_a_terminal_one() {
    let (_fake, _clock, client) =
        setup(Fake::builder().outcome("[ask]", Outcome::new(TaskState::WaitingForUser))).await;
    let task = start(&client, "[ask] me").await;
    let seen = client
        .repo("octocat", "hello-world")
        .task(&task.id)
        .wait()
        .send()
        .await
        .unwrap();
    assert_eq!(seen.state, TaskState::WaitingForUser);

    let e = client
        .task(&task.id)
        .wait()
        .until(Until::Terminal)
        .timeout(Duration::from_secs(3600))
        .send()
        .await
        .unwrap_err();
    assert!(e.is_wait_timeout());
    let Error::WaitTimedOut { waited, last } = e else {
        unreachable!()
    };
    assert_eq!(
        last.expect("a task was seen").state,
        TaskState::WaitingForUser
    );
    assert_eq!(
        waited,
        Duration::from_secs(3600),
        "the deadline is kept exactly"
    );
}

#[tokio::test]
async fn waiting_on_a_hundred_tasks_sends_one_list_request_per_interval() {
    let (fake, clock, client) =
        setup(Fake::builder().outcome("[fail]", Outcome::failed("no"))).await;
    let repo = client.repo("octocat", "hello-world");
    let mut tasks = Vec::new();
    for i in 0..100 {
        let prompt = if i % 10 == 0 {
            format!("[fail] task {i}")
        } else {
            format!("task {i}")
        };
        tasks.push(repo.create_task(prompt).send().await.unwrap());
        fake.advance(Duration::from_secs(1));
    }
    let done = client
        .wait_for_all(&tasks)
        .interval(Duration::from_secs(10))
        .max_interval(Duration::from_secs(30))
        .send()
        .await
        .unwrap();
    assert_eq!(done.len(), 100);
    assert!(
        done.iter().zip(&tasks).all(|(d, t)| d.id == t.id),
        "in the order given"
    );
    assert_eq!(
        done.iter().filter(|t| t.state == TaskState::Failed).count(),
        10
    );
    assert!(done.iter().all(|t| t.state.is_terminal()));

    let state = fake.state();
    let polls = clock.naps().len() + 1;
    assert_eq!(
        state.requests_of("list_tasks") as usize,
        polls,
        "one list request per interval"
    );
    assert_eq!(state.requests_of("get_task_by_id"), 0);
    assert!(polls < 30, "{polls} polls for 100 tasks");
}

#[tokio::test]
async fn bad_wait_options_are_refused_before_anything_is_sent() {
    let (fake, _clock, client) = setup(Fake::builder()).await;
    let e = client
        .task("t")
        .wait()
        .interval(Duration::ZERO)
        .send()
        .await
        .unwrap_err();
    assert!(
        matches!(
            e,
            Error::InvalidInput {
                field: "interval",
                ..
            }
        ),
        "{e:?}"
    );
    let e = client
        .task("t")
        .wait()
        .backoff(0.5)
        .send()
        .await
        .unwrap_err();
    assert!(
        matches!(
            e,
            Error::InvalidInput {
                field: "backoff",
                ..
            }
        ),
        "{e:?}"
    );
    assert_eq!(fake.state().requests_total, 0);
    // The streams check too: a zero interval would otherwise poll in a tight loop.
    let task = start(&client, "x").await;
    let before = fake.state().requests_total;
    let items: Vec<_> = futures_util::StreamExt::collect(
        client
            .wait_for_all([&task])
            .interval(Duration::ZERO)
            .stream(),
    )
    .await;
    assert!(
        matches!(
            items.as_slice(),
            [Err(Error::InvalidInput {
                field: "interval",
                ..
            })]
        ),
        "{items:?}"
    );
    let items: Vec<_> = futures_util::StreamExt::collect(
        client
            .task(&task.id)
            .wait()
            .interval(Duration::ZERO)
            .stream(),
    )
    .await;
    assert!(
        matches!(
            items.as_slice(),
            [Err(Error::InvalidInput {
                field: "interval",
                ..
            })]
        ),
        "{items:?}"
    );
    assert_eq!(fake.state().requests_total, before);
}

#[tokio::test]
async fn dropping_a_wait_cancels_it() {
    // A real clock: the wait really sleeps between polls, and is dropped while it does.
    let fake = Fake::builder()
        .schedule(Schedule {
            queued: Duration::from_secs(3600),
            running: Duration::from_secs(3600),
        })
        .start()
        .await
        .unwrap();
    let client = Client::builder()
        .token(agent_tasks_fake::DEFAULT_TOKEN)
        .base_url(fake.url())
        .build()
        .unwrap();
    let task = start(&client, "Slow").await;
    let wait = client
        .task(&task.id)
        .wait()
        .interval(Duration::from_millis(20))
        .send();
    assert!(
        tokio::time::timeout(Duration::from_millis(150), wait)
            .await
            .is_err(),
        "still waiting"
    );
    let polls = fake.state().requests_of("get_task_by_id");
    assert!(polls >= 2, "it was polling: {polls}");
    tokio::time::sleep(Duration::from_millis(200)).await;
    assert_eq!(
        fake.state().requests_of("get_task_by_id"),
        polls,
        "no poll after the drop"
    );
}

#[tokio::test]
async fn waiting_for_a_task_the_list_does_not_show_ends_with_a_clear_error() {
    let (fake, clock, client) = setup(Fake::builder().token("other-user")).await;
    let mine = start(&client, "Mine").await;
    let other = Client::builder()
        .token("other-user")
        .base_url(fake.url())
        .build()
        .unwrap();
    let theirs = start(&other, "Theirs").await;
    let e = client
        .wait_for_all([&mine, &theirs])
        .interval(Duration::from_secs(5))
        .send()
        .await
        .unwrap_err();
    assert!(
        matches!(&e, Error::TaskNotListed { task_id } if *task_id == theirs.id),
        "{e:?}"
    );
    assert!(e.to_string().contains("client.task(id).wait()"), "{e}");
    assert_eq!(clock.naps().len(), 2, "three polls, then the error");
}

#[tokio::test]
async fn many_tasks_are_each_noticed_within_an_interval_of_their_end_and_only_news_costs() {
    let (fake, clock, client) = setup(Fake::builder()).await;
    let repo = client.repo("octocat", "hello-world");
    // 20 tasks started 3 s apart: their ends (130 s after each start) are spread over a minute.
    let mut tasks = Vec::new();
    for i in 0..20 {
        tasks.push(repo.create_task(format!("task {i}")).send().await.unwrap());
        fake.advance(Duration::from_secs(3));
    }
    let before = fake.state();
    // The default options: a 10 s interval.
    let mut ended = client.wait_for_all(&tasks).finished();
    let mut seen = std::collections::HashSet::new();
    while let Some(task) = ended.try_next().await.unwrap() {
        assert!(task.state.is_terminal(), "{task:?}");
        assert!(seen.insert(task.id.clone()), "{} reported twice", task.id);
        // Timestamps are whole seconds: a task that ended at 12.7 s says 12 s.
        let delay = fake.now() - task.updated_at.unwrap();
        assert!(
            delay <= chrono::Duration::seconds(11),
            "{} noticed {delay} after its end",
            task.id
        );
    }
    assert_eq!(seen.len(), 20);

    // Every nap is the interval: unchanged answers are 304s, which do not stretch it.
    assert!(
        clock.naps().iter().all(|d| *d == Duration::from_secs(10)),
        "{:?}",
        clock.naps()
    );
    let state = fake.state();
    let lists = |s: &agent_tasks_fake::StateSnapshot, status: u16| {
        s.requests
            .get("list_tasks")
            .and_then(|m| m.get(&status))
            .copied()
            .unwrap_or(0)
    };
    let counted = lists(&state, 200) - lists(&before, 200);
    let free = lists(&state, 304) - lists(&before, 304);
    // One poll that sees every task, the first poll of the filtered list, and one per interval
    // in which some task ended: ends span 57 s, at most 7 intervals of 10 s.
    assert!(counted <= 9, "{counted} counted answers");
    assert!(free >= 5, "the quiet polls are 304s: {free}");
    assert_eq!(
        (counted + free) as usize,
        clock.naps().len() + 1,
        "one request per poll"
    );
}

#[tokio::test]
async fn an_interval_under_a_second_is_refused_against_github_and_taken_against_loopback() {
    // Nothing is sent: the host does not even resolve.
    let github = Client::builder()
        .token("ghp_aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa")
        .base_url("https://api.github.invalid")
        .build()
        .unwrap();
    let refused = |e: &Error| match e {
        Error::InvalidInput { field, reason } => {
            *field == "interval" && reason.contains("at least 1s") && reason.contains("loopback")
        }
        _ => false,
    };
    let half = Duration::from_millis(500);
    let e = github
        .task("t1")
        .wait()
        .interval(half)
        .send()
        .await
        .unwrap_err();
    assert!(refused(&e), "{e:?}");
    let task: agent_tasks::Task = serde_json::from_value(serde_json::json!({
        "id": "t1", "state": "queued", "created_at": "2026-01-01T00:00:00Z",
        "creator": {"id": 1}, "artifacts": [], "archived_at": null,
    }))
    .unwrap();
    let e = github
        .wait_for_all([&task])
        .interval(half)
        .send()
        .await
        .unwrap_err();
    assert!(refused(&e), "{e:?}");
    // A fan-out that would wait refuses before it starts anything (the host does not resolve:
    // a creation would fail to connect instead).
    let mut options = agent_tasks::wait::WaitOptions::default();
    options.interval = half;
    let e = github
        .fan_out("Fix it")
        .repos([("octocat", "hello-world")])
        .wait(options)
        .run()
        .await
        .unwrap_err();
    assert!(refused(&e), "{e:?}");
    let events: Vec<_> =
        futures_util::StreamExt::collect(github.list_tasks().feed().interval(half).stream()).await;
    assert!(
        matches!(events.as_slice(), [Err(e)] if refused(e)),
        "{events:?}"
    );

    // A loopback test server may be polled as fast as a test likes.
    let (fake, _clock, client) = setup(Fake::builder()).await;
    let task = start(&client, "x").await;
    let done = client
        .task(&task.id)
        .wait()
        .interval(half)
        .send()
        .await
        .unwrap();
    assert!(done.state.is_terminal());
    assert!(fake.state().requests_of("get_task_by_id") > 1);
}
