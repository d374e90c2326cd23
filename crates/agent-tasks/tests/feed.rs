//! The change feed against the fake: creations, changes of state, pull requests opened; one
//! list request per poll (304s when nothing changed); and a feed resumed from a cursor reports
//! nothing twice.

use std::future::Future;
use std::pin::Pin;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use agent_tasks::Client;
use agent_tasks::feed::{Change, Event};
use agent_tasks_fake::{DEFAULT_TOKEN, Fake, Schedule};
use futures_util::TryStreamExt;

/// A clock that moves the fake's clock on every nap, and on the first nap also starts a task
/// (so that the feed sees one created after it began).
#[derive(Debug)]
struct Scripted {
    fake: Arc<Fake>,
    now: Mutex<Instant>,
    create_on_first_nap: Mutex<Option<String>>,
}

impl agent_tasks::clock::Clock for Scripted {
    fn now(&self) -> Instant {
        *self.now.lock().unwrap()
    }

    fn sleep(&self, d: Duration) -> Pin<Box<dyn Future<Output = ()> + Send>> {
        *self.now.lock().unwrap() += d;
        self.fake.advance(d);
        let create = self.create_on_first_nap.lock().unwrap().take();
        let url = self.fake.url().to_owned();
        Box::pin(async move {
            if let Some(prompt) = create {
                let r = reqwest::Client::new()
                    .post(format!("{url}/agents/repos/octocat/hello-world/tasks"))
                    .bearer_auth(DEFAULT_TOKEN)
                    .header("user-agent", "feed-test")
                    .json(&serde_json::json!({"prompt": prompt}))
                    .send()
                    .await
                    .unwrap();
                assert_eq!(r.status().as_u16(), 201);
            }
        })
    }

    fn utc_now(&self) -> chrono::DateTime<chrono::Utc> {
        self.fake.now()
    }
}

async fn setup() -> (Arc<Fake>, Arc<Scripted>, Client) {
    let fake = Arc::new(
        Fake::builder()
            .manual_clock()
            .schedule(Schedule {
                queued: Duration::from_secs(10),
                running: Duration::from_secs(60),
            })
            .start()
            .await
            .unwrap(),
    );
    let clock = Arc::new(Scripted {
        fake: fake.clone(),
        now: Mutex::new(Instant::now()),
        create_on_first_nap: Mutex::new(None),
    });
    let client = Client::builder()
        .token(DEFAULT_TOKEN)
        .base_url(fake.url())
        .clock(clock.clone())
        .build()
        .unwrap();
    (fake, clock, client)
}

fn summary(events: &[Event]) -> Vec<(String, String)> {
    events
        .iter()
        .flat_map(|e| e.changes.iter().map(move |c| (e, c)))
        .map(|(e, change)| {
            let what = match change {
                Change::Created => "created".to_owned(),
                Change::StateChanged { from, to } => format!(
                    "{} -> {to}",
                    from.as_ref().map_or("?".to_owned(), |f| f.to_string())
                ),
                Change::PullRequestOpened { .. } => "pull request".to_owned(),
                Change::SessionAdded { sessions } => format!("{sessions} sessions"),
                _ => "other".to_owned(),
            };
            (e.task.name.clone().unwrap_or_default(), what)
        })
        .collect()
}

#[tokio::test]
async fn a_feed_notices_a_new_task_within_one_interval_from_the_start_as_created() {
    // Seen: `agent-tasks watch` with the default 10 s interval, for 14 s, printed nothing for a
    // task created 2 s after it started: the baseline poll had stretched the interval to 15 s.
    // And with no task at the start, the new task's first event was a change of state.
    let (_fake, clock, client) = setup().await;
    *clock.create_on_first_nap.lock().unwrap() = Some("Brand new".into());
    let events: Vec<Event> = client
        .repo("octocat", "hello-world")
        .list_tasks()
        .feed()
        .timeout(Duration::from_secs(14))
        .stream()
        .try_collect()
        .await
        .unwrap();
    let seen = summary(&events);
    assert_eq!(
        seen.first(),
        Some(&("Brand new".to_owned(), "created".to_owned())),
        "{seen:?}"
    );
}

#[tokio::test]
async fn the_feed_reports_each_change_once_and_resumes_from_its_cursor() {
    let (fake, clock, client) = setup().await;
    let repo = client.repo("octocat", "hello-world");
    repo.create_task("Old one").send().await.unwrap();
    *clock.create_on_first_nap.lock().unwrap() = Some("New one".into());

    let events: Vec<Event> = repo
        .list_tasks()
        .feed()
        .interval(Duration::from_secs(5))
        .max_interval(Duration::from_secs(20))
        .timeout(Duration::from_secs(200))
        .stream()
        .try_collect()
        .await
        .unwrap();
    let seen = summary(&events);
    let expect = |name: &str, what: &str| {
        assert!(
            seen.contains(&(name.to_owned(), what.to_owned())),
            "{name}: {what} in {seen:?}"
        );
    };
    expect("Old one", "queued -> in_progress");
    expect("Old one", "in_progress -> completed");
    expect("Old one", "pull request");
    expect("New one", "created");
    expect("New one", "in_progress -> completed");
    expect("New one", "pull request");
    // Each change once: no event repeats.
    let mut unique = seen.clone();
    unique.dedup();
    assert_eq!(unique.len(), seen.len(), "{seen:?}");
    // Quiet polls cost 304s.
    let state = fake.state();
    let not_modified = state.requests["list_tasks_for_repo"]
        .get(&304)
        .copied()
        .unwrap_or(0);
    assert!(not_modified > 0, "{:?}", state.requests);

    // A feed resumed from the cursor of the last event sees nothing new until a change.
    let cursor = events.last().unwrap().cursor.clone();
    let resumed: Vec<Event> = repo
        .list_tasks()
        .feed()
        .cursor(cursor.to_string().parse().unwrap())
        .interval(Duration::from_secs(5))
        .timeout(Duration::from_secs(30))
        .stream()
        .try_collect()
        .await
        .unwrap();
    assert!(resumed.is_empty(), "{:?}", summary(&resumed));

    // Resumed from an earlier cursor, it reports exactly what came after it.
    let middle = events
        .iter()
        .position(|e| {
            e.task.name.as_deref() == Some("New one") && e.changes.contains(&Change::Created)
        })
        .unwrap();
    let later: Vec<Event> = repo
        .list_tasks()
        .feed()
        .cursor(events[middle].cursor.clone())
        .interval(Duration::from_secs(5))
        .timeout(Duration::from_secs(30))
        .stream()
        .try_collect()
        .await
        .unwrap();
    let later = summary(&later);
    // Time has moved on since that cursor: each task went from what the cursor saw straight
    // to what it is now, once.
    assert_eq!(
        later,
        [
            ("Old one".to_owned(), "queued -> completed".to_owned()),
            ("Old one".to_owned(), "pull request".to_owned()),
            ("New one".to_owned(), "queued -> completed".to_owned()),
            ("New one".to_owned(), "pull request".to_owned()),
        ]
    );
}

#[tokio::test]
async fn a_bad_cursor_is_refused() {
    let err = "not json".parse::<agent_tasks::feed::Cursor>().unwrap_err();
    assert!(err.is_invalid_input(), "{err:?}");
}
