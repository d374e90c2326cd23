//! `agent-tasks fan-out` from the built binary: repositories from a file and from -R, a
//! journal that makes a rerun start nothing twice, the summary table and JSON, the exit code.

mod common;

use std::time::Duration;

use agent_tasks_fake::{Fake, Schedule};
use common::*;

#[tokio::test(flavor = "multi_thread")]
async fn fan_out_starts_one_task_per_repository_and_a_rerun_starts_nothing() {
    let mut builder = Fake::builder().time_scale(200.0).schedule(Schedule {
        queued: Duration::from_secs(2),
        running: Duration::from_secs(10),
    });
    for i in 0..5 {
        builder = builder.repo("fleet", &format!("svc-{i}"));
    }
    let fake = builder.start().await.unwrap();
    let dir = std::env::temp_dir().join(format!("agent-tasks-fan-out-cli-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    let repos = dir.join("repos.txt");
    std::fs::write(
        &repos,
        "# the fleet\nfleet/svc-0\nfleet/svc-1\n\nfleet/svc-2\nfleet/svc-3\n",
    )
    .unwrap();
    let journal = dir.join("run.journal");
    let args = |extra: &[&'static str]| {
        let mut a = vec![
            "fan-out".to_owned(),
            "Bump the MSRV".to_owned(),
            "--repos".to_owned(),
            repos.to_str().unwrap().to_owned(),
            "-R".to_owned(),
            "fleet/svc-4".to_owned(),
            "--journal".to_owned(),
            journal.to_str().unwrap().to_owned(),
            "--pace".to_owned(),
            "0s".to_owned(),
        ];
        a.extend(extra.iter().map(|s| s.to_string()));
        a
    };
    let first = args(&["--wait", "--interval", "20ms"]);
    let first: Vec<&str> = first.iter().map(String::as_str).collect();
    let r = run(&fake, &first).await;
    assert_eq!(r.code, 0, "{}{}", r.stdout, r.stderr);
    assert!(r.stdout.contains("REPOSITORY"), "{}", r.stdout);
    assert!(
        r.stdout.contains("5 of 5 repositories have their task"),
        "{}",
        r.stdout
    );
    assert_eq!(fake.state().tasks.len(), 5);
    // The PR column shows the pull request's URL, as `list` does (it showed a database id).
    assert!(
        r.stdout.contains("https://github.com/fleet/svc-0/pull/"),
        "{}",
        r.stdout
    );

    let again = args(&[]);
    let mut again: Vec<&str> = again.iter().map(String::as_str).collect();
    again.insert(0, "--json");
    let r = run(&fake, &again).await;
    assert_eq!(r.code, 0, "{}", r.stderr);
    let outcomes = json(&r);
    assert_eq!(outcomes.as_array().unwrap().len(), 5);
    assert!(
        outcomes
            .as_array()
            .unwrap()
            .iter()
            .all(|o| o["resumed"] == true)
    );
    assert_eq!(fake.state().tasks.len(), 5, "nothing started twice");
    assert_eq!(fake.state().requests_of("create_task_in_repo"), 5);

    // An unknown repository fails, and the exit code says so; the others are fine.
    let bad = args(&["-R", "fleet/nope"]);
    let bad: Vec<&str> = bad.iter().map(String::as_str).collect();
    let r = run(&fake, &bad).await;
    assert_eq!(r.code, 1, "{}", r.stdout);
    assert!(r.stdout.contains("fleet/nope"), "{}", r.stdout);
    // A repository that does not exist gets a hint, not "run again with the same --journal".
    assert!(
        r.stdout.contains("1 were refused") && r.stdout.contains("hint: the repository"),
        "{}",
        r.stdout
    );
    assert!(!r.stdout.contains("run again"), "{}", r.stdout);

    // A journal made for another prompt says to use a new journal file.
    let mut other: Vec<String> = args(&[]);
    other[1] = "Another prompt".to_owned();
    let other: Vec<&str> = other.iter().map(String::as_str).collect();
    let r = run(&fake, &other).await;
    assert_eq!(r.code, 2, "{}{}", r.stdout, r.stderr);
    assert!(r.stderr.contains("new journal file"), "{}", r.stderr);
    let _ = std::fs::remove_dir_all(&dir);
}
