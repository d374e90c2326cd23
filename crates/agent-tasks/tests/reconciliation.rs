//! Reconciliation never claims a task that is not provably the creation's, against the fake
//! with the creation's answer lost: after the task was stored (the fake's
//! `drop_after_store_rate`), or before the fake saw the request (a proxy in front of it that
//! loses chosen POSTs and passes everything else, so the search itself is not disturbed).
//!
//! Several clients of one token stand for several processes of one user. Creations start one
//! after another (the next once the previous POST has been handled or lost) but overlap while
//! they reconcile, so each stored task is known to belong to one creation.
//!
//! Run with `--nocapture` to see the figures.

mod common;
#[path = "hostile/mod.rs"]
mod hostile;

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration;

use agent_tasks::retry::RetryPolicy;
use agent_tasks::{Client, Error, Task};
use agent_tasks_fake::{DEFAULT_TOKEN, Fake, Faults};
use common::{Stepped, stepped_fake};
use hostile::{Hostile, Reply};

const REPO: (&str, &str) = ("octocat", "hello-world");

fn lost_after_store() -> Faults {
    Faults {
        drop_after_store_rate: 1.0,
        ..Faults::default()
    }
}

/// A fake that loses every creation's answer after storing its task, on a stepped clock.
async fn losing_fake() -> (Arc<Fake>, Arc<Stepped>) {
    let (fake, clock, _) = stepped_fake(
        Fake::builder()
            .token("second-token")
            .faults(lost_after_store()),
        RetryPolicy::default(),
    )
    .await;
    (fake, clock)
}

/// A proxy in front of the fake that loses POST number k (from 0) when `lose(k)`, before the
/// fake sees it, and passes everything else.
async fn proxy(fake: &Fake, lose: impl Fn(usize) -> bool + Send + Sync + 'static) -> Hostile {
    let upstream = fake.addr();
    let posts = AtomicUsize::new(0);
    Hostile::start(move |r| {
        if r.method == "POST" && lose(posts.fetch_add(1, Ordering::SeqCst)) {
            Reply::Close
        } else {
            Reply::Forward(upstream)
        }
    })
    .await
}

/// A client (a process) of `url`, with its own claims, on the shared clock.
fn process(url: &str, clock: &Arc<Stepped>, token: &str) -> Client {
    Client::builder()
        .token(token)
        .base_url(url)
        .clock(clock.clone())
        .retry(RetryPolicy::default())
        .build()
        .expect("valid settings")
}

/// Waits (boundedly, in real time) until `done`.
async fn until(what: &str, done: impl Fn() -> bool) {
    for _ in 0..10_000 {
        if done() {
            return;
        }
        tokio::time::sleep(Duration::from_millis(1)).await;
    }
    panic!("{what} never happened");
}

fn posts(proxy: &Hostile) -> usize {
    proxy.log().iter().filter(|r| r.method == "POST").count()
}

/// What one creation was told, judged against the task its POST stored (if any).
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
struct Tally {
    resolved: usize,
    unknown: usize,
    wrong: usize,
    other: usize,
}

impl Tally {
    fn judge(&mut self, told: &Result<Task, Error>, own: Option<&str>) {
        match told {
            Ok(task) if Some(task.id.as_str()) == own => self.resolved += 1,
            Ok(_) => self.wrong += 1,
            Err(e) if e.is_outcome_unknown() => self.unknown += 1,
            Err(_) => self.other += 1,
        }
    }
}

/// Starts one creation per client through `proxy` (which loses POST number i when `lost(i)`),
/// one after another (each once its POST has been lost or handled), and returns what each was told with the id its POST stored, if any.
async fn staggered(
    fake: &Fake,
    proxy: &Hostile,
    lost: impl Fn(usize) -> bool,
    clients: &[Client],
    prompt_of: impl Fn(usize) -> (String, Option<String>),
) -> Vec<(Result<Task, Error>, Option<String>)> {
    let mut running = Vec::new();
    let mut stored = Vec::new();
    for (i, client) in clients.iter().enumerate() {
        let (tasks_before, handled_before) = {
            let state = fake.state();
            (state.tasks.len(), state.requests_of("create_task_in_repo"))
        };
        let (prompt, key) = prompt_of(i);
        let mut create = client.repo(REPO.0, REPO.1).create_task(prompt);
        if let Some(key) = key {
            create = create.idempotency_key(key);
        }
        running.push(tokio::spawn(create.send()));
        if lost(i) {
            until("the lost POST", || posts(proxy) > i).await;
        } else {
            until("the handled POST", || {
                fake.state().requests_of("create_task_in_repo") > handled_before
            })
            .await;
        }
        let state = fake.state();
        stored.push((state.tasks.len() > tasks_before).then(|| {
            state.tasks.last().unwrap()["id"]
                .as_str()
                .unwrap()
                .to_owned()
        }));
    }
    let mut out = Vec::new();
    for (handle, own) in running.into_iter().zip(stored) {
        out.push((handle.await.expect("no panic"), own));
    }
    out
}

#[tokio::test]
async fn two_processes_starting_the_same_prompt_at_once_are_never_told_each_others_task() {
    let (fake, clock) = losing_fake().await;
    let passing = proxy(&fake, |_| false).await;
    let mut tally = Tally::default();
    let mut candidates_named = 0;
    for pair in 0..20 {
        let clients = [
            process(&passing.url(), &clock, DEFAULT_TOKEN),
            process(&passing.url(), &clock, DEFAULT_TOKEN),
        ];
        let prompt = format!("Pair {pair}: fix the flaky login test");
        for (told, own) in staggered(
            &fake,
            &passing,
            |_| false,
            &clients,
            |_| (prompt.clone(), None),
        )
        .await
        {
            assert!(own.is_some(), "drop_after_store stores every creation");
            tally.judge(&told, own.as_deref());
            if let Err(Error::OutcomeUnknown { candidates, .. }) = &told {
                candidates_named += usize::from(!candidates.is_empty());
            }
        }
        clock.fake.advance(Duration::from_secs(60));
    }
    println!(
        "20 pairs of processes, same prompt, both answers lost after storing: 40 stored, {} resolved to their own task, {} outcome unknown ({candidates_named} naming candidates), {} told the other's task",
        tally.resolved, tally.unknown, tally.wrong
    );
    assert_eq!(tally.wrong, 0, "{tally:?}");
    assert_eq!(tally.other, 0, "{tally:?}");
}

#[tokio::test]
async fn three_creations_of_one_prompt_in_one_client_never_share_an_id() {
    let (fake, clock) = losing_fake().await;
    let client = process(fake.url(), &clock, DEFAULT_TOKEN);
    let repo = client.repo(REPO.0, REPO.1);
    let (a, b, c) = tokio::join!(
        repo.create_task("Same prompt").send(),
        repo.create_task("Same prompt").send(),
        repo.create_task("Same prompt").send(),
    );
    let stored: Vec<String> = fake
        .state()
        .tasks
        .iter()
        .map(|t| t["id"].as_str().unwrap().to_owned())
        .collect();
    let mut told = std::collections::HashSet::new();
    let mut unknown = 0;
    for result in [a, b, c] {
        match result {
            Ok(task) => {
                assert!(stored.contains(&task.id));
                assert!(told.insert(task.id), "an id reported twice");
            }
            Err(e) => {
                assert!(e.is_outcome_unknown(), "{e:?}");
                unknown += 1;
            }
        }
    }
    println!(
        "3 concurrent creations of one prompt in one client, answers lost after storing: {} stored, {} resolved, {unknown} outcome unknown, 0 ids reported twice",
        stored.len(),
        told.len()
    );
    assert_eq!(stored.len(), 3);
}

#[tokio::test]
async fn a_lost_creation_is_not_given_an_earlier_task_of_the_same_prompt() {
    let (fake, clock) = losing_fake().await;
    fake.set_faults(Faults::default());
    let losing = proxy(&fake, |_| true).await;
    // Created earlier by another process of the same user, then by another user.
    for (earlier_by, what) in [
        (DEFAULT_TOKEN, "the same user"),
        ("second-token", "another user"),
    ] {
        let prompt = format!("Prompt first started by {what}");
        let earlier = process(fake.url(), &clock, earlier_by)
            .repo(REPO.0, REPO.1)
            .create_task(&prompt)
            .send()
            .await
            .unwrap();
        clock.fake.advance(Duration::from_secs(5));
        let e = process(&losing.url(), &clock, DEFAULT_TOKEN)
            .repo(REPO.0, REPO.1)
            .create_task(&prompt)
            .send()
            .await
            .expect_err(&format!(
                "{what}'s task {} is not this creation's",
                earlier.id
            ));
        let Error::OutcomeUnknown {
            candidates,
            checked,
            ..
        } = &e
        else {
            panic!("{what}: expected OutcomeUnknown, got {e:?}")
        };
        assert!(candidates.is_empty(), "{what}: {candidates:?}");
        assert!(
            checked.contains("listed"),
            "{what}: the search ran: {checked}"
        );
        clock.fake.advance(Duration::from_secs(60));
    }
}

#[tokio::test]
async fn an_earlier_task_of_another_user_is_never_a_candidate_even_in_the_same_second() {
    let (fake, clock) = losing_fake().await;
    fake.set_faults(Faults::default());
    let losing = proxy(&fake, |_| true).await;
    process(fake.url(), &clock, "second-token")
        .repo(REPO.0, REPO.1)
        .create_task("Shared prompt")
        .send()
        .await
        .unwrap();
    let e = process(&losing.url(), &clock, DEFAULT_TOKEN)
        .repo(REPO.0, REPO.1)
        .create_task("Shared prompt")
        .send()
        .await
        .unwrap_err();
    assert!(
        matches!(&e, Error::OutcomeUnknown { checked, .. } if checked.contains("listed")),
        "{e:?}"
    );
}

/// An identical task the same user started from another process just before (in the same
/// second, by GitHub's clock, whose timestamps have whole seconds), while this creation was
/// lost before GitHub saw it, is never taken for this creation's: the creation's own marker (or
/// its key's) tells them apart, and without markers the search reports it as a candidate.
#[tokio::test]
async fn an_identical_creation_in_the_same_second_is_never_claimed() {
    let (fake, clock) = losing_fake().await;
    fake.set_faults(Faults::default());
    let losing = proxy(&fake, |_| true).await;
    let mut lines = Vec::new();
    for gap in [0u64, 1, 2, 5] {
        for keyed in [false, true] {
            let prompt = format!("Gap {gap}, keyed {keyed}");
            let mut first = process(fake.url(), &clock, DEFAULT_TOKEN)
                .repo(REPO.0, REPO.1)
                .create_task(&prompt);
            let mut second = process(&losing.url(), &clock, DEFAULT_TOKEN)
                .repo(REPO.0, REPO.1)
                .create_task(&prompt);
            if keyed {
                first = first.idempotency_key(format!("first-{gap}"));
                second = second.idempotency_key(format!("second-{gap}"));
            }
            let earlier = first.send().await.unwrap();
            clock.fake.advance(Duration::from_secs(gap));
            let told = second.send().await;
            let verdict = match &told {
                Ok(t) if t.id == earlier.id => "WRONG: told the earlier task",
                Ok(_) => "WRONG: told some task",
                Err(Error::OutcomeUnknown { candidates, .. }) if candidates.is_empty() => {
                    "outcome unknown (right)"
                }
                Err(Error::OutcomeUnknown { .. }) => {
                    "outcome unknown, naming the earlier task as a candidate"
                }
                Err(_) => "another error",
            };
            lines.push(format!("gap {gap} s, key {keyed}: {verdict}"));
            assert!(
                told.as_ref().is_err_and(Error::is_outcome_unknown),
                "gap {gap}, keyed {keyed}: {told:?}"
            );
            clock.fake.advance(Duration::from_secs(60));
        }
    }
    // Without markers (the caller wants the prompt untouched), the earlier task is reported as
    // a candidate, not claimed.
    for gap in [0u64, 1] {
        let prompt = format!("Unmarked, gap {gap}");
        let unmarked = |url: &str| {
            Client::builder()
                .token(DEFAULT_TOKEN)
                .base_url(url)
                .clock(clock.clone())
                .creation_markers(false)
                .build()
                .unwrap()
        };
        let earlier = unmarked(fake.url())
            .repo(REPO.0, REPO.1)
            .create_task(&prompt)
            .send()
            .await
            .unwrap();
        clock.fake.advance(Duration::from_secs(gap));
        let told = unmarked(&losing.url())
            .repo(REPO.0, REPO.1)
            .create_task(&prompt)
            .send()
            .await;
        let verdict = match &told {
            Err(Error::OutcomeUnknown { candidates, .. })
                if candidates == std::slice::from_ref(&earlier.id) =>
            {
                "outcome unknown, naming the earlier task as a candidate (right)"
            }
            // A second before, the earlier task is outside the search's window.
            Err(Error::OutcomeUnknown { candidates, .. }) if candidates.is_empty() && gap > 0 => {
                "outcome unknown (right)"
            }
            Ok(_) => "WRONG: told a task",
            _ => "another outcome",
        };
        lines.push(format!("gap {gap} s, no marker: {verdict}"));
        assert!(verdict.ends_with("(right)"), "gap {gap}: {told:?}");
        clock.fake.advance(Duration::from_secs(60));
    }
    println!(
        "a creation lost before GitHub saw it, an identical task by the same user started earlier from another process:\n  {}",
        lines.join("\n  ")
    );
}

#[tokio::test]
async fn idempotency_keys_resolve_every_concurrent_identical_creation_to_its_own_task() {
    const N: usize = 10;
    let mut figures = Vec::new();
    for keyed in [false, true] {
        for (losses, lose) in [
            ("all lost after storing", (|_| false) as fn(usize) -> bool),
            ("every other lost before GitHub saw it", |k| k % 2 == 1),
        ] {
            for processes in [true, false] {
                let (fake, clock) = losing_fake().await;
                let proxy = proxy(&fake, lose).await;
                let shared = process(&proxy.url(), &clock, DEFAULT_TOKEN);
                let clients: Vec<Client> = (0..N)
                    .map(|_| {
                        if processes {
                            process(&proxy.url(), &clock, DEFAULT_TOKEN)
                        } else {
                            shared.clone()
                        }
                    })
                    .collect();
                let results = staggered(&fake, &proxy, lose, &clients, |i| {
                    ("Same prompt".to_owned(), keyed.then(|| format!("key-{i}")))
                })
                .await;
                let mut tally = Tally::default();
                let stored = results.iter().filter(|(_, own)| own.is_some()).count();
                for (told, own) in &results {
                    tally.judge(told, own.as_deref());
                }
                let line = format!(
                    "{N} identical prompts, {}, {losses}, {}: {stored} stored, {} resolved, {} unknown, {} wrong",
                    if keyed { "distinct keys" } else { "no keys" },
                    if processes {
                        "10 processes"
                    } else {
                        "1 client"
                    },
                    tally.resolved,
                    tally.unknown,
                    tally.wrong
                );
                assert_eq!(tally.other, 0, "{line}: {results:?}");
                if keyed {
                    assert_eq!(tally.wrong, 0, "{line}");
                    assert_eq!(tally.resolved, stored, "{line}");
                    assert_eq!(tally.unknown, N - stored, "{line}");
                }
                if !processes || lose(1) == lose(0) {
                    assert_eq!(tally.wrong, 0, "{line}");
                }
                figures.push(line);
            }
        }
    }
    println!("{}", figures.join("\n"));
}

#[tokio::test]
async fn a_second_send_with_the_same_key_returns_the_first_task_without_a_post() {
    let (fake, clock) = losing_fake().await;
    let first = process(fake.url(), &clock, DEFAULT_TOKEN)
        .repo(REPO.0, REPO.1)
        .create_task("Bump the MSRV")
        .idempotency_key("msrv-1")
        .send()
        .await
        .expect("reconciled by its key");
    fake.set_faults(Faults::default());
    let posts = fake.state().requests_of("create_task_in_repo");
    // Another process, the same key: no second POST.
    let again = process(fake.url(), &clock, DEFAULT_TOKEN)
        .repo(REPO.0, REPO.1)
        .create_task("Bump the MSRV")
        .idempotency_key("msrv-1")
        .send()
        .await
        .unwrap();
    assert_eq!(again.id, first.id);
    assert_eq!(fake.state().requests_of("create_task_in_repo"), posts);
    assert_eq!(fake.state().tasks.len(), 1);
}
