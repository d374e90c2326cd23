//! The command as gh users expect it: `-R`, the git remote, gh's flag names, `--json FIELDS`,
//! `--jq`, `--web`, tasks by URL, several tasks in one wait, totals, `--creator @me`,
//! completions and the man page.

mod common;

use std::time::Duration;

use agent_tasks_fake::{Fake, Outcome, Schedule, TaskState};
use common::*;

fn which(program: &str) -> std::path::PathBuf {
    std::env::var_os("PATH")
        .into_iter()
        .flat_map(|p| std::env::split_paths(&p).collect::<Vec<_>>())
        .map(|d| d.join(program))
        .find(|p| p.is_file())
        .unwrap_or_else(|| panic!("{program} is not on PATH"))
}

async fn create(fake: &Fake, prompt: &str) -> String {
    let r = run(fake, &["--json", "create", "octocat/hello-world", prompt]).await;
    assert_eq!(r.code, 0, "{}", r.stderr);
    json(&r)["id"].as_str().unwrap().to_owned()
}

#[tokio::test(flavor = "multi_thread")]
async fn the_repository_comes_from_r_or_the_git_remote() {
    let fake = fake().await;
    let r = run(
        &fake,
        &[
            "create",
            "Fix the bug",
            "-R",
            "octocat/hello-world",
            "-b",
            "main",
            "-a",
            "docs",
        ],
    )
    .await;
    assert_eq!(r.code, 0, "{}", r.stderr);
    let stored = &fake.state().tasks[0];
    assert_eq!(asked(stored), "Fix the bug");
    assert_eq!(stored["custom_agent"]["id"], "docs");

    // A clone whose origin is octocat/hello-world: no repository argument at all.
    let dir = std::env::temp_dir().join(format!("agent-tasks-cli-git-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    let (clone, empty, bin) = (dir.join("clone"), dir.join("empty"), dir.join("bin"));
    for d in [&clone, &empty, &bin] {
        std::fs::create_dir_all(d).unwrap();
    }
    let git = |args: &[&str]| {
        let ok = std::process::Command::new("git")
            .args(args)
            .current_dir(&dir)
            .output()
            .map(|o| o.status.success())
            .unwrap_or(false);
        assert!(ok, "git {args:?}");
    };
    git(&["-C", "clone", "init", "-q"]);
    git(&[
        "-C",
        "clone",
        "remote",
        "add",
        "origin",
        "git@github.com:octocat/hello-world.git",
    ]);
    git(&["-C", "empty", "init", "-q"]);
    // A PATH with git on it, and nothing else (no gh to fall back on for a token).
    std::os::unix::fs::symlink(which("git"), bin.join("git")).unwrap();
    let path = bin.to_str().unwrap();
    let r = run_env_in(
        &fake,
        Some(&clone),
        &["create", "From the remote"],
        &[("PATH", path)],
    )
    .await;
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert_eq!(asked(&fake.state().tasks[1]), "From the remote");

    // In a clone without a remote, the error says how to name a repository.
    let r = run_env_in(
        &fake,
        Some(&empty),
        &["create", "Nowhere"],
        &[("PATH", path)],
    )
    .await;
    assert_eq!(r.code, 2, "{}", r.stderr);
    assert!(r.stderr.contains("-R OWNER/REPO"), "{}", r.stderr);
    let _ = std::fs::remove_dir_all(&dir);
}

#[tokio::test(flavor = "multi_thread")]
async fn json_takes_fields_and_jq_filters_it() {
    let fake = fake().await;
    create(&fake, "One").await;
    create(&fake, "Two").await;
    let r = run(&fake, &["list", "--json", "id,state"]).await;
    assert_eq!(r.code, 0, "{}", r.stderr);
    let list = json(&r);
    let first = list[0].as_object().unwrap();
    assert_eq!(first.keys().collect::<Vec<_>>(), ["id", "state"]);
    // `--json` before the command, with no fields, is all of them.
    let r = run(&fake, &["--json", "list"]).await;
    assert!(json(&r)[0].get("created_at").is_some());
    let r = run(&fake, &["list", "--jq", ".[].name"]).await;
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert_eq!(r.stdout.lines().collect::<Vec<_>>(), ["Two", "One"]);
    let r = run(&fake, &["list", "--jq", ".["]).await;
    assert_eq!(r.code, 2, "{}", r.stderr);
    assert!(
        r.stderr.contains("not a valid jq expression"),
        "{}",
        r.stderr
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn view_takes_urls_and_says_when_the_id_is_missing() {
    let fake = fake().await;
    let id = create(&fake, "Look at me").await;
    for reference in [
        format!("https://github.com/octocat/hello-world/copilot/tasks/{id}"),
        format!("{}/agents/repos/octocat/hello-world/tasks/{id}", fake.url()),
        format!("{}/agents/tasks/{id}", fake.url()),
    ] {
        let r = run(&fake, &["view", &reference]).await;
        assert_eq!(r.code, 0, "{reference}: {}", r.stderr);
        assert!(r.stdout.contains(&id), "{}", r.stdout);
    }
    let r = run(&fake, &["view", "octocat/hello-world"]).await;
    assert_eq!(r.code, 2);
    assert!(r.stderr.contains("missing TASK"), "{}", r.stderr);

    // --web: $BROWSER is run with the page; one that cannot start is an error naming the
    // page, and without $BROWSER or a system opener the URL is printed.
    let page = format!("https://github.com/octocat/hello-world/copilot/tasks/{id}");
    let r = run_env(
        &fake,
        &["view", &id, "--web"],
        &[("BROWSER", "/nonexistent/browser")],
    )
    .await;
    assert_eq!(r.code, 1, "{}", r.stderr);
    assert!(r.stderr.contains(&page), "{}", r.stderr);
    let r = run_env(&fake, &["view", &id, "--web"], &[("BROWSER", " ")]).await;
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert_eq!(r.stdout.trim(), page);
}

#[tokio::test(flavor = "multi_thread")]
async fn wait_takes_several_tasks_and_exits_with_the_worst_outcome() {
    let fake = Fake::builder()
        .time_scale(200.0)
        .schedule(Schedule {
            queued: Duration::from_secs(2),
            running: Duration::from_secs(10),
        })
        .outcome("[fail]", Outcome::failed("no"))
        .outcome("[ask]", Outcome::new(TaskState::WaitingForUser))
        .start()
        .await
        .unwrap();
    let ok = create(&fake, "Fine").await;
    let ask = create(&fake, "[ask] me").await;
    let r = run(&fake, &["wait", &ok, &ask, "--interval", "20ms"]).await;
    assert_eq!(
        r.code, 5,
        "needs attention wins over success: {}{}",
        r.stdout, r.stderr
    );
    let failed = create(&fake, "[fail] it").await;
    let r = run(
        &fake,
        &["--json", "wait", &ok, &ask, &failed, "--interval", "20ms"],
    )
    .await;
    assert_eq!(r.code, 3, "a failure wins: {}", r.stderr);
    let tasks = json(&r);
    assert_eq!(tasks.as_array().unwrap().len(), 3);
    assert_eq!(tasks[2]["state"], "failed");
}

#[tokio::test(flavor = "multi_thread")]
async fn list_shows_totals_states_in_any_case_and_creator_me() {
    let fake = fake().await;
    for i in 0..5 {
        create(&fake, &format!("Task {i}")).await;
    }
    let r = run(&fake, &["list", "-L", "2"]).await;
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert!(
        r.stdout.contains("Showing 2 of 5 tasks; -L to see more"),
        "{}",
        r.stdout
    );
    let r = run(
        &fake,
        &["list", "--state", "QUEUED,In_Progress", "-L", "10"],
    )
    .await;
    assert_eq!(r.code, 0, "{}", r.stderr);
    let r = run(
        &fake,
        &["--json", "list", "octocat/hello-world", "--creator", "@me"],
    )
    .await;
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert_eq!(json(&r).as_array().unwrap().len(), 5);
    assert_eq!(fake.state().requests_of("get_authenticated_user"), 1);
}

#[tokio::test(flavor = "multi_thread")]
async fn completions_and_the_man_page_come_from_the_same_definitions() {
    let fake = fake().await;
    for shell in ["bash", "zsh", "fish", "powershell"] {
        let r = run(&fake, &["completion", shell]).await;
        assert_eq!(r.code, 0, "{shell}: {}", r.stderr);
        assert!(r.stdout.contains("agent-tasks"), "{shell}");
        assert!(
            r.stdout.contains("idempotency-key"),
            "{shell}: every option is there"
        );
    }
    let r = run(&fake, &["man"]).await;
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert!(r.stdout.contains(".TH agent-tasks 1"), "{}", r.stdout);
}

#[tokio::test(flavor = "multi_thread")]
async fn subcommand_help_lists_its_own_options_before_the_global_ones() {
    let fake = fake().await;
    let r = run(&fake, &["list", "--help"]).await;
    let own = r.stdout.find("--limit").unwrap();
    let global = r.stdout.find("Global options").unwrap();
    assert!(own < global, "{}", r.stdout);
    assert!(r.stdout.find("--base-url").unwrap() > global);
}

#[tokio::test(flavor = "multi_thread")]
async fn the_demo_refuses_options_it_cannot_honour_and_prints_json_lines() {
    let fake = fake().await;
    let r = run_with(
        &fake,
        &["demo", "--base-url", "https://api.github.com"],
        None,
        None,
    )
    .await;
    assert_eq!(r.code, 2);
    assert!(r.stderr.contains("do not apply"), "{}", r.stderr);
    let r = run_with(&fake, &["--json", "demo"], None, None).await;
    assert_eq!(r.code, 0, "{}", r.stderr);
    for line in r.stdout.lines() {
        serde_json::from_str::<serde_json::Value>(line)
            .unwrap_or_else(|e| panic!("{e}: one JSON document per line: {line}"));
    }
    assert!(r.stdout.lines().count() >= 5);
}

#[tokio::test(flavor = "multi_thread")]
async fn watch_prints_each_change_as_json_lines_and_resumes_from_its_cursor_file() {
    let fake = Fake::builder()
        .time_scale(100.0)
        .schedule(Schedule {
            queued: Duration::from_secs(20),
            running: Duration::from_secs(40),
        })
        .start()
        .await
        .unwrap();
    let id = create(&fake, "Watch me").await;
    let cursor = std::env::temp_dir().join(format!("agent-tasks-cursor-{}", std::process::id()));
    let _ = std::fs::remove_file(&cursor);
    let cursor_arg = cursor.to_str().unwrap();
    let args = [
        "--json",
        "watch",
        "octocat/hello-world",
        "--interval",
        "50ms",
        "--timeout",
        "1500ms",
        "--cursor-file",
        cursor_arg,
    ];
    let r = run(&fake, &args).await;
    assert_eq!(r.code, 0, "{}", r.stderr);
    let events: Vec<serde_json::Value> = r
        .stdout
        .lines()
        .map(|l| serde_json::from_str(l).unwrap_or_else(|e| panic!("{e}: {l}")))
        .collect();
    let kinds: Vec<(&str, &str)> = events
        .iter()
        .map(|e| (e["kind"].as_str().unwrap(), e["to"].as_str().unwrap_or("")))
        .collect();
    assert!(kinds.contains(&("state_changed", "completed")), "{kinds:?}");
    assert!(kinds.contains(&("pull_request_opened", "")), "{kinds:?}");
    assert!(events.iter().all(|e| e["task"]["id"] == id.as_str()));
    assert!(cursor.exists(), "the cursor was kept");
    // Started again from the cursor: nothing has changed since, so nothing is printed.
    let r = run(&fake, &args).await;
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert_eq!(r.stdout.trim(), "", "nothing twice");
    let _ = std::fs::remove_file(&cursor);
}

#[tokio::test(flavor = "multi_thread")]
async fn the_pull_request_shows_as_a_link_or_as_ids_with_the_hint() {
    let fake = Fake::builder()
        .time_scale(200.0)
        .schedule(Schedule {
            queued: Duration::from_secs(2),
            running: Duration::from_secs(10),
        })
        .token("reader")
        .start()
        .await
        .unwrap();
    let r = run(
        &fake,
        &[
            "create",
            "octocat/hello-world",
            "Open a PR",
            "--wait",
            "--interval",
            "20ms",
        ],
    )
    .await;
    assert_eq!(r.code, 0, "{}", r.stderr);
    let url = "https://github.com/octocat/hello-world/pull/1";
    assert!(
        r.stdout.contains(&format!("pull request #1 {url} (open)")),
        "{}",
        r.stdout
    );
    let id = r.stdout.split_whitespace().nth(2).unwrap().to_owned();

    let r = run(&fake, &["view", &id]).await;
    assert!(r.stdout.contains(url), "{}", r.stdout);
    let r = run(&fake, &["list"]).await;
    assert!(
        r.stdout.contains("PR") && r.stdout.contains(url),
        "{}",
        r.stdout
    );
    let r = run(&fake, &["--json", "view", &id]).await;
    assert_eq!(json(&r)["pull_request"]["url"], url);
    assert_eq!(json(&r)["pull_request"]["number"], 1);
    let r = run(&fake, &["--json", "list"]).await;
    assert_eq!(json(&r)[0]["pull_request"]["url"], url, "{}", r.stdout);
    let r = run(&fake, &["--json", "id,pull_request", "list"]).await;
    assert_eq!(json(&r)[0]["pull_request"]["number"], 1, "{}", r.stdout);

    // A token that may not read pull requests: the ids and the hint, and exit 0.
    fake.restrict("reader");
    let r = run_with(
        &fake,
        &["view", "octocat/hello-world", &id],
        Some("reader"),
        None,
    )
    .await;
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert!(r.stdout.contains("not resolved"), "{}", r.stdout);
    assert!(r.stdout.contains("Pull requests"), "{}", r.stdout);
}

#[tokio::test(flavor = "multi_thread")]
async fn doctor_checks_each_step_and_exits_by_what_failed() {
    let fake = Fake::builder().token("reader").start().await.unwrap();
    let r = run(&fake, &["doctor", "octocat/hello-world"]).await;
    assert_eq!(r.code, 0, "{}{}", r.stdout, r.stderr);
    for check in [
        "token: from GH_TOKEN",
        "who: the token is fake-user-1",
        "agent tasks API",
        "start tasks: may push",
        "rate limit",
    ] {
        assert!(r.stdout.contains(check), "{check}: {}", r.stdout);
    }
    let r = run(&fake, &["--json", "doctor"]).await;
    assert!(
        json(&r).as_array().unwrap().iter().all(|c| c["ok"] == true),
        "{}",
        r.stdout
    );

    // A token that may only read the repository: exit 4, with the hint.
    fake.restrict("reader");
    let r = run_with(
        &fake,
        &["doctor", "octocat/hello-world"],
        Some("reader"),
        None,
    )
    .await;
    assert_eq!(r.code, 4, "{}", r.stdout);
    assert!(
        r.stdout.contains("✗ start tasks") && r.stdout.contains("read and write"),
        "{}",
        r.stdout
    );
    // An installation token is refused before anything is sent.
    let before = fake.state().requests_total;
    let r = run_with(&fake, &["doctor"], Some("ghs_installation"), None).await;
    assert_eq!(r.code, 4);
    assert!(r.stdout.contains("installation token"), "{}", r.stdout);
    assert_eq!(fake.state().requests_total, before);
    // A host that does not answer: exit 1.
    let r = run(&fake, &["--base-url", "http://127.0.0.1:1", "doctor"]).await;
    assert_eq!(r.code, 1, "{}", r.stdout);
    assert!(r.stdout.contains("✗ host: cannot reach"), "{}", r.stdout);
}

#[tokio::test(flavor = "multi_thread")]
async fn relative_times_follow_the_servers_clock() {
    // The fake's clock runs 1000 times faster: a task a few hundred real milliseconds old is
    // minutes old by the server's clock, which is the one its timestamps are on.
    let fake = Fake::builder()
        .time_scale(1000.0)
        .schedule(Schedule {
            queued: Duration::from_secs(100_000),
            running: Duration::from_secs(100_000),
        })
        .start()
        .await
        .unwrap();
    create(&fake, "Age me").await;
    tokio::time::sleep(Duration::from_millis(300)).await;
    let r = run(&fake, &["list"]).await;
    assert_eq!(r.code, 0, "{}", r.stderr);
    let row = r.stdout.lines().nth(1).unwrap();
    // Minutes by the server's clock ("5 min 3 s ago"), not the few real seconds.
    assert!(row.contains(" min") && row.contains(" ago"), "{row}");
}
