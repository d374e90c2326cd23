//! Nothing lost, nothing duplicated: retries, rate limits and safe task creation, proven
//! against the fake under injected faults, on a stepped clock (waits take no real time).
//!
//! Run with `--nocapture` to see the figures.

mod common;

use std::collections::{HashMap, HashSet};
use std::time::Duration;

use agent_tasks::Error;
use agent_tasks::retry::{RateLimitPolicy, RetryPolicy};
use agent_tasks_fake::{Fake, Faults};
use common::{TOKEN, stepped_fake};
use httpmock::prelude::*;

#[tokio::test]
async fn a_thousand_creations_under_faults_neither_duplicate_nor_lose_a_task() {
    let faults = Faults {
        error_rate: 0.05,
        drop_rate: 0.05,
        drop_after_store_rate: 0.05,
        secondary_429_rate: 0.05,
        retry_after_secs: 2,
        ..Faults::default()
    };
    let (fake, _clock, client) = stepped_fake(
        Fake::builder().faults(faults),
        RetryPolicy::default().max_retries(8),
    )
    .await;
    let repo = client.repo("octocat", "hello-world");

    let mut returned: HashMap<String, String> = HashMap::new();
    let (mut created, mut unknown, mut refused) = (0, 0, 0);
    let mut refused_prompts = Vec::new();
    let mut unknown_prompts = Vec::new();
    for i in 0..1000 {
        let prompt = format!("Task number {i}");
        match repo.create_task(&prompt).base_ref("main").send().await {
            Ok(task) => {
                created += 1;
                assert!(
                    returned.insert(task.id.clone(), prompt).is_none(),
                    "one task returned twice"
                );
            }
            Err(e) if e.is_outcome_unknown() => {
                unknown += 1;
                unknown_prompts.push(prompt);
            }
            Err(e) => {
                assert!(
                    e.is_rate_limited() || e.status().is_some(),
                    "a definite refusal: {e}"
                );
                refused += 1;
                refused_prompts.push(prompt);
            }
        }
    }

    let state = fake.state();
    let stored: HashMap<String, String> = state
        .tasks
        .iter()
        .map(|t| {
            // What was asked: the prompt without the creation's own marker (which
            // `ClientBuilder::creation_markers` appends).
            let prompt = t["prompt"].as_str().unwrap();
            let (asked, marker) = prompt
                .rsplit_once("\n\n<!-- agent-tasks creation: ")
                .expect("every creation carries its marker");
            assert!(marker.ends_with(" -->"), "{prompt:?}");
            (t["id"].as_str().unwrap().to_owned(), asked.to_owned())
        })
        .collect();
    let mut prompts_seen = HashSet::new();
    for prompt in stored.values() {
        assert!(
            prompts_seen.insert(prompt),
            "the fake holds a duplicate of {prompt:?}"
        );
    }
    for (id, prompt) in &returned {
        assert_eq!(
            stored.get(id),
            Some(prompt),
            "every returned task is stored, with its prompt"
        );
    }
    for prompt in &refused_prompts {
        assert!(
            !prompts_seen.contains(prompt),
            "a refused creation stored nothing: {prompt}"
        );
    }
    let dropped = &state.dropped_after_store;
    for id in dropped {
        assert!(
            returned.contains_key(id),
            "the creation dropped after storing {id} was reconciled"
        );
    }
    let lost: Vec<_> = stored
        .keys()
        .filter(|id| !returned.contains_key(*id))
        .collect();
    for id in &lost {
        assert!(
            unknown_prompts.contains(&stored[*id]),
            "a stored task nobody was told about: {id}"
        );
    }
    let creations = state.requests_of("create_task_in_repo");
    // A creation refused by a secondary rate limit (429) was not applied; it is sent again
    // after the wait. Every other POST reached the fake once.
    let refused_by_limit = state.requests["create_task_in_repo"]
        .get(&429)
        .copied()
        .unwrap_or(0);
    println!(
        "1000 creations: {created} returned a task ({} of them reconciled after the connection dropped once the task was stored), \
         {refused} refused (rate limit), {unknown} outcome unknown (honestly reported; {} of these had in fact been stored); \
         POSTs that reached the fake: {creations} ({refused_by_limit} of them refused by a 429 and sent again after the wait); stored tasks: {}; duplicates: 0",
        dropped.len(),
        lost.len(),
        stored.len()
    );
    assert_eq!(created + unknown + refused, 1000);
    assert!(
        dropped.len() >= 20,
        "the fault was exercised: {}",
        dropped.len()
    );
    assert_eq!(
        creations - refused_by_limit,
        1000,
        "no POST was sent twice unless a rate limit had refused it"
    );
}

#[tokio::test]
async fn reads_under_thirty_percent_transient_faults_all_succeed() {
    let (fake, clock, client) =
        stepped_fake(Fake::builder(), RetryPolicy::default().max_retries(8)).await;
    let id = client
        .repo("octocat", "hello-world")
        .create_task("Read me")
        .send()
        .await
        .unwrap()
        .id;
    fake.set_faults(Faults {
        error_rate: 0.15,
        drop_rate: 0.15,
        ..Faults::default()
    });
    for _ in 0..300 {
        client
            .task(&id)
            .send()
            .await
            .expect("a read succeeds within the retry budget");
    }
    let state = fake.state();
    let sent = state.requests_of("get_task_by_id");
    let failed: u64 = state.requests["get_task_by_id"]
        .iter()
        .filter(|(s, _)| **s != 200)
        .map(|(_, n)| n)
        .sum();
    println!(
        "300 reads under 30% faults: all succeeded; {sent} requests, {failed} of them faulted and retried; backoff slept {:?} in all",
        clock.naps().iter().sum::<Duration>()
    );
    assert!(failed > 50, "the faults were exercised");
}

#[tokio::test]
async fn a_429_with_retry_after_is_waited_exactly() {
    let (fake, clock, client) = stepped_fake(Fake::builder(), RetryPolicy::default()).await;
    let id = client
        .repo("octocat", "hello-world")
        .create_task("x")
        .send()
        .await
        .unwrap()
        .id;
    fake.set_faults(Faults {
        secondary_429_rate: 1.0,
        retry_after_secs: 7,
        ..Faults::default()
    });
    *clock.faults_after_nap.lock().unwrap() = Some(Faults::default());
    client.task(&id).send().await.unwrap();
    assert_eq!(clock.naps(), [Duration::from_secs(7)]);
    let gets = &fake.state().requests["get_task_by_id"];
    assert_eq!((gets[&429], gets[&200]), (1, 1));
}

#[tokio::test]
async fn a_secondary_403_without_retry_after_waits_a_minute() {
    let (fake, clock, client) = stepped_fake(Fake::builder(), RetryPolicy::default()).await;
    fake.set_faults(Faults {
        secondary_403_rate: 1.0,
        retry_after_secs: 0,
        ..Faults::default()
    });
    *clock.faults_after_nap.lock().unwrap() = Some(Faults::default());
    client.list_tasks().send().await.unwrap();
    assert_eq!(clock.naps(), [Duration::from_secs(60)]);
}

#[tokio::test]
async fn a_spent_primary_limit_holds_requests_until_the_reset() {
    let faults = Faults {
        primary_limit: Some(3),
        primary_window_secs: 50,
        ..Faults::default()
    };
    let (fake, clock, client) =
        stepped_fake(Fake::builder().faults(faults), RetryPolicy::default()).await;
    for _ in 0..3 {
        client.list_tasks().send().await.unwrap();
    }
    assert_eq!(client.rate_limit().unwrap().remaining, 0);
    let reset = client.rate_limit().unwrap().reset;
    client
        .list_tasks()
        .send()
        .await
        .expect("sent after the reset");
    let state = fake.state();
    assert_eq!(
        state.requests["list_tasks"].get(&403),
        None,
        "no request reached the fake before the reset"
    );
    assert_eq!(state.requests["list_tasks"][&200], 4);
    assert_eq!(clock.naps().len(), 1);
    assert!(
        state.now >= reset,
        "the fourth request was sent at {} after the reset {reset}",
        state.now
    );

    // With a reset further away than the client may wait: an error, and nothing sent.
    let impatient = agent_tasks::Client::builder()
        .token(agent_tasks_fake::DEFAULT_TOKEN)
        .base_url(fake.url())
        .clock(clock.clone())
        .rate_limits(RateLimitPolicy::default().max_wait(Duration::from_secs(10)))
        .build()
        .unwrap();
    for _ in 0..2 {
        impatient.list_tasks().send().await.unwrap();
    }
    let before = fake.state().requests_total;
    let e = impatient.list_tasks().send().await.unwrap_err();
    assert!(
        matches!(e, Error::RateLimited { .. }) && e.is_rate_limited(),
        "{e:?}"
    );
    assert!(e.to_string().contains("nothing was sent"), "{e}");
    assert_eq!(fake.state().requests_total, before);
}

#[tokio::test]
async fn a_creation_is_resent_only_when_it_never_left() {
    // Nothing listens: the connection is refused before a byte is sent, so resending is safe.
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let (fake, clock, _) = stepped_fake(Fake::builder(), RetryPolicy::default()).await;
    let nowhere = agent_tasks::Client::builder()
        .token(TOKEN)
        .base_url(format!("http://127.0.0.1:{port}"))
        .clock(clock.clone())
        .retry(RetryPolicy::default().max_retries(3))
        .build()
        .unwrap();
    let e = nowhere
        .repo("o", "r")
        .create_task("x")
        .send()
        .await
        .unwrap_err();
    let Error::NotCreated { cause } = &e else {
        panic!("expected NotCreated, got {e:?}")
    };
    assert!(matches!(**cause, Error::Transport { .. }), "{cause:?}");
    assert!(e.to_string().contains("not created"), "{e}");
    assert_eq!(
        clock.naps().len(),
        3,
        "three retries of a request that never left"
    );

    // A 500 after the request left: sent once, then reconciled (nothing found), never resent.
    let (fake2, _, client) = stepped_fake(Fake::builder(), RetryPolicy::default()).await;
    fake2.set_faults(Faults {
        error_rate: 1.0,
        ..Faults::default()
    });
    let e = client
        .repo("octocat", "hello-world")
        .create_task("x")
        .send()
        .await
        .unwrap_err();
    assert!(e.is_outcome_unknown(), "{e:?}");
    // Every request fails here, the reconciling list too: the error says so.
    assert!(
        e.to_string().contains("looking for the task failed too"),
        "{e}"
    );
    assert!(e.hint().unwrap().contains("before starting the task again"));
    assert_eq!(fake2.state().requests_of("create_task_in_repo"), 1);
    drop(fake);
}

#[tokio::test]
async fn reconciliation_can_be_turned_off() {
    let fake = Fake::builder()
        .faults(Faults {
            drop_after_store_rate: 1.0,
            ..Faults::default()
        })
        .start()
        .await
        .unwrap();
    let client = agent_tasks::Client::builder()
        .token(agent_tasks_fake::DEFAULT_TOKEN)
        .base_url(fake.url())
        .reconcile_creations(false)
        .build()
        .unwrap();
    let e = client
        .repo("octocat", "hello-world")
        .create_task("x")
        .send()
        .await
        .unwrap_err();
    assert!(e.is_outcome_unknown(), "{e:?}");
    assert!(e.to_string().contains("turned off"), "{e}");
    let state = fake.state();
    assert_eq!(state.tasks.len(), 1, "the task exists, as the error warned");
    assert_eq!(state.requests_of("list_tasks_for_repo"), 0);
}

#[tokio::test]
async fn a_redirect_to_another_host_is_not_followed() {
    let origin = MockServer::start_async().await;
    let elsewhere = MockServer::start_async().await;
    let target = format!("http://localhost:{}/agents/tasks/t", elsewhere.port());
    origin
        .mock_async(|when, then| {
            when.path("/agents/tasks/t");
            then.status(302).header("location", target.as_str());
        })
        .await;
    let without_token = elsewhere
        .mock_async(|when, then| {
            when.path("/agents/tasks/t").header_missing("authorization");
            then.status(200)
                .json_body(common::spec_example("task-with-sessions"));
        })
        .await;
    let with_token = elsewhere
        .mock_async(|when, then| {
            when.path("/agents/tasks/t").header_exists("authorization");
            then.status(418);
        })
        .await;
    let e = common::client(&origin)
        .task("t")
        .send()
        .await
        .expect_err("a redirect to another host is not followed");
    assert_eq!(e.status().map(|s| s.as_u16()), Some(302), "{e:?}");
    assert!(e.hint().unwrap().contains("same host"), "{e:?}");
    without_token.assert_calls_async(0).await;
    with_token.assert_calls_async(0).await;
}
