//! Fan-out against the fake: 200 repositories under faults, no duplicate, nothing unreported,
//! and a run killed halfway and resumed from its journal ends with exactly one task per
//! repository. Run with `--nocapture` for the figures.

mod common;

use std::collections::HashMap;
use std::time::Duration;

use agent_tasks::fan_out::Status;
use agent_tasks::retry::RetryPolicy;
use agent_tasks_fake::{Fake, Faults};
use common::stepped_fake;

const REPOS: usize = 200;

fn repos() -> Vec<(String, String)> {
    (0..REPOS)
        .map(|i| ("fleet".to_owned(), format!("service-{i:03}")))
        .collect()
}

fn builder() -> agent_tasks_fake::FakeBuilder {
    repos()
        .iter()
        .fold(Fake::builder(), |b, (o, r)| b.repo(o, r))
}

fn journal(name: &str) -> std::path::PathBuf {
    let path =
        std::env::temp_dir().join(format!("agent-tasks-{name}-{}.journal", std::process::id()));
    let _ = std::fs::remove_file(&path);
    path
}

/// Tasks stored by the fake, by repository.
fn stored(fake: &Fake) -> HashMap<String, Vec<String>> {
    let mut by_repo: HashMap<String, Vec<String>> = HashMap::new();
    for t in fake.state().tasks {
        let repo = format!(
            "{}/{}",
            t["owner_login"].as_str().unwrap(),
            t["repo_name"].as_str().unwrap()
        );
        by_repo
            .entry(repo)
            .or_default()
            .push(t["id"].as_str().unwrap().to_owned());
    }
    by_repo
}

#[tokio::test]
async fn two_hundred_repositories_under_faults_get_one_task_each() {
    let faults = Faults {
        error_rate: 0.03,
        drop_rate: 0.03,
        drop_after_store_rate: 0.05,
        secondary_429_rate: 0.03,
        retry_after_secs: 1,
        ..Faults::default()
    };
    let (fake, _clock, client) =
        stepped_fake(builder().faults(faults), RetryPolicy::default()).await;
    let path = journal("fan-out-faults");
    let mut runs = 0;
    let mut last = Vec::new();
    let mut first_unknown = 0;
    while runs < 6 {
        runs += 1;
        last = client
            .fan_out("Bump the MSRV to 1.88")
            .repos(repos())
            .journal(&path)
            .run()
            .await
            .unwrap();
        let open = last.iter().filter(|o| o.status != Status::Created).count();
        if runs == 1 {
            first_unknown = open;
        }
        if open == 0 {
            break;
        }
    }
    let by_repo = stored(&fake);
    let duplicates: Vec<_> = by_repo.iter().filter(|(_, ids)| ids.len() > 1).collect();
    assert!(duplicates.is_empty(), "duplicates: {duplicates:?}");
    // Nothing unreported: every stored task is the one an outcome names.
    for outcome in &last {
        assert_eq!(outcome.status, Status::Created, "{outcome:?}");
        let id = &outcome.task.as_ref().unwrap().id;
        assert_eq!(by_repo[&outcome.repo], vec![id.clone()], "{}", outcome.repo);
    }
    assert_eq!(by_repo.len(), REPOS);
    println!(
        "fan-out over {REPOS} repositories under faults: {} runs; after the first, {first_unknown} not created or unknown; in the end {} tasks, one per repository, 0 duplicates",
        runs,
        by_repo.values().map(Vec::len).sum::<usize>()
    );
    let _ = std::fs::remove_file(&path);
}

#[tokio::test]
async fn a_run_killed_halfway_and_resumed_starts_nothing_twice() {
    let faults = Faults {
        latency_ms: 3,
        drop_after_store_rate: 0.05,
        ..Faults::default()
    };
    let (fake, _clock, client) =
        stepped_fake(builder().faults(faults), RetryPolicy::default()).await;
    let path = journal("fan-out-killed");
    let run = {
        let (client, path) = (client.clone(), path.clone());
        tokio::spawn(async move {
            client
                .fan_out("Add a CODEOWNERS file")
                .repos(repos())
                .journal(&path)
                .run()
                .await
        })
    };
    // Kill it once about half the repositories are journaled.
    for _ in 0..2000 {
        let lines = std::fs::read_to_string(&path)
            .map(|t| t.lines().count())
            .unwrap_or(0);
        if lines >= REPOS {
            break;
        }
        tokio::time::sleep(Duration::from_millis(5)).await;
    }
    run.abort();
    let killed_at = stored(&fake).values().map(Vec::len).sum::<usize>();
    assert!(
        killed_at < REPOS,
        "the run was killed before it ended ({killed_at} tasks)"
    );

    let outcomes = client
        .fan_out("Add a CODEOWNERS file")
        .repos(repos())
        .journal(&path)
        .run()
        .await
        .unwrap();
    let by_repo = stored(&fake);
    assert_eq!(by_repo.len(), REPOS, "every repository has its task");
    assert!(by_repo.values().all(|ids| ids.len() == 1), "one each");
    let resumed = outcomes.iter().filter(|o| o.resumed).count();
    assert!(outcomes.iter().all(|o| o.status == Status::Created));
    println!(
        "killed after {killed_at} of {REPOS} tasks; the resumed run skipped {resumed} journaled ones and ended with exactly one task per repository"
    );

    // Another fan-out's journal is refused, not mixed up.
    let e = client
        .fan_out("Something else")
        .repos(repos())
        .journal(&path)
        .run()
        .await
        .unwrap_err();
    assert!(e.to_string().contains("another prompt"), "{e}");
    let _ = std::fs::remove_file(&path);
}

#[tokio::test]
async fn a_journal_that_is_not_a_regular_file_is_refused() {
    let (_fake, _clock, client) = stepped_fake(builder(), RetryPolicy::default()).await;
    let e = client
        .fan_out("x")
        .repos([("fleet", "service-000")])
        .journal("/dev/zero")
        .run()
        .await
        .unwrap_err();
    assert!(e.is_invalid_input(), "{e:?}");
    assert!(e.to_string().contains("not a regular file"), "{e}");
}
