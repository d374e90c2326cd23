//! The built `agent-tasks` binary against the fake: every command, in human and `--json`
//! form, every exit code, and bad input that sends nothing.

mod common;

use std::time::Duration;

use agent_tasks_fake::{DEFAULT_TOKEN, Fake, Schedule};
use common::*;
use serde_json::Value;

#[tokio::test(flavor = "multi_thread")]
async fn create_view_list_and_wait_in_human_and_json_form() {
    let fake = fake().await;
    let r = run(
        &fake,
        &[
            "create",
            "octocat/hello-world",
            "Add a README",
            "--base",
            "main",
            "--pr",
            "--model",
            "gpt-5.4",
            "--custom-agent",
            "docs-writer",
        ],
    )
    .await;
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert!(r.stdout.starts_with("Started task "), "{}", r.stdout);
    assert!(
        r.stdout.contains("octocat/hello-world (queued)"),
        "{}",
        r.stdout
    );
    let stored = &fake.state().tasks[0];
    assert_eq!(asked(stored), "Add a README");
    assert_eq!(stored["create_pull_request"], true);
    assert_eq!(stored["custom_agent"]["id"], "docs-writer");
    assert_eq!(stored["sessions"][0]["model"], "gpt-5.4");

    let r = run(
        &fake,
        &["--json", "create", "octocat/hello-world", "Second"],
    )
    .await;
    assert_eq!(r.code, 0, "{}", r.stderr);
    let created = json(&r);
    let id = created["id"].as_str().unwrap().to_owned();
    assert_eq!(created["state"], "queued");

    let r = run(&fake, &["view", "octocat/hello-world", &id]).await;
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert!(
        r.stdout.contains(&format!("ID:            {id}")),
        "{}",
        r.stdout
    );
    assert!(
        r.stdout.contains("Repository:    octocat/hello-world"),
        "{}",
        r.stdout
    );
    let r = run(&fake, &["view", &id, "--json"]).await;
    assert_eq!(json(&r)["sessions"].as_array().unwrap().len(), 1);

    let r = run(&fake, &["wait", &id, "--interval", "20ms"]).await;
    assert_eq!(r.code, 0, "{}{}", r.stdout, r.stderr);
    assert!(r.stdout.contains("finished: completed"), "{}", r.stdout);
    let r = run(&fake, &["--json", "wait", "octocat/hello-world", &id]).await;
    assert_eq!(json(&r)["state"], "completed");

    let r = run(&fake, &["list", "octocat/hello-world"]).await;
    assert_eq!(r.code, 0, "{}", r.stderr);
    let lines: Vec<&str> = r.stdout.lines().collect();
    assert!(
        lines[0].starts_with("ID") && lines[0].contains("STATE") && lines[0].contains("NAME"),
        "{}",
        r.stdout
    );
    assert_eq!(lines.len(), 3, "{}", r.stdout);
    let r = run(
        &fake,
        &["list", "--json", "--state", "completed", "--limit", "1"],
    )
    .await;
    let tasks = json(&r);
    assert_eq!(tasks.as_array().unwrap().len(), 1, "{tasks}");
    assert_eq!(tasks[0]["state"], "completed");
    let r = run(
        &fake,
        &[
            "list",
            "octocat/hello-world",
            "--json",
            "--creator",
            "2",
            "--since",
            "1h",
            "--sort",
            "created",
            "--direction",
            "asc",
        ],
    )
    .await;
    assert_eq!(json(&r), Value::Array(vec![]));
    let r = run(&fake, &["list", "--archived"]).await;
    assert_eq!(r.stdout.trim(), "No tasks match.");
}

#[tokio::test(flavor = "multi_thread")]
async fn prompts_come_from_files_and_standard_input() {
    let fake = fake().await;
    let path = std::env::temp_dir().join(format!("agent-tasks-prompt-{}", std::process::id()));
    std::fs::write(&path, "Prompt from a file\nwith two lines").unwrap();
    let r = run(
        &fake,
        &[
            "create",
            "octocat/hello-world",
            "-F",
            path.to_str().unwrap(),
        ],
    )
    .await;
    assert_eq!(r.code, 0, "{}", r.stderr);
    let r = run_with(
        &fake,
        &["create", "octocat/hello-world", "-F", "-"],
        Some(DEFAULT_TOKEN),
        Some("Prompt from stdin"),
    )
    .await;
    assert_eq!(r.code, 0, "{}", r.stderr);
    let prompts: Vec<String> = fake.state().tasks.iter().map(asked).collect();
    assert_eq!(
        prompts,
        ["Prompt from a file\nwith two lines", "Prompt from stdin"]
    );
    let _ = std::fs::remove_file(path);
}

#[tokio::test(flavor = "multi_thread")]
async fn exit_codes_tell_how_the_task_ended() {
    let fake = fake().await;
    for (prompt, code, word) in [
        ("done", 0, "finished: completed"),
        ("[fail] it", 3, "the tests did not pass"),
        ("[cancel] it", 3, "cancelled"),
        ("[ask] me", 5, "needs your attention"),
    ] {
        let r = run(
            &fake,
            &[
                "create",
                "octocat/hello-world",
                prompt,
                "--wait",
                "--interval",
                "20ms",
            ],
        )
        .await;
        assert_eq!(r.code, code, "{prompt}: {}{}", r.stdout, r.stderr);
        assert!(r.stdout.contains(word), "{prompt}: {}", r.stdout);
    }
    // A task waiting for a person keeps a terminal-only wait going until its timeout: exit 1.
    let asked = fake.state().tasks.last().unwrap()["id"]
        .as_str()
        .unwrap()
        .to_owned();
    let r = run(
        &fake,
        &[
            "wait",
            &asked,
            "--terminal-only",
            "--timeout",
            "300ms",
            "--interval",
            "50ms",
        ],
    )
    .await;
    assert_eq!(r.code, 1, "{}{}", r.stdout, r.stderr);
    assert!(
        r.stderr.contains("gave up waiting") && r.stderr.contains("waiting_for_user"),
        "{}",
        r.stderr
    );
    let r = run(&fake, &["view", "no-such-task"]).await;
    assert_eq!(r.code, 1);
    assert!(
        r.stderr.contains("404") && r.stderr.contains("request id FAKE:"),
        "{}",
        r.stderr
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn authentication_problems_exit_4() {
    let fake = fake().await;
    let r = run_with(&fake, &["list"], Some("not-a-known-token"), None).await;
    assert_eq!(r.code, 4, "{}", r.stderr);
    assert!(
        r.stderr.contains("401") && r.stderr.contains("expired"),
        "{}",
        r.stderr
    );
    let before = fake.state().requests_total;
    let r = run_with(&fake, &["list"], None, None).await;
    assert_eq!(r.code, 4);
    assert_eq!(r.stderr.lines().count(), 1, "one clear line: {}", r.stderr);
    assert!(r.stderr.contains("no token"), "{}", r.stderr);
    let r = run_with(&fake, &["list"], Some("ghs_installation"), None).await;
    assert_eq!(r.code, 4);
    assert!(r.stderr.contains("user-to-server"), "{}", r.stderr);
    assert_eq!(fake.state().requests_total, before, "nothing was sent");
}

#[tokio::test(flavor = "multi_thread")]
async fn what_cannot_succeed_is_refused_before_anything_is_sent() {
    let fake = fake().await;
    for (args, says) in [
        // Today it printed `[{}]` and exited 0.
        (
            &["list", "--json", "id,nope"][..],
            "unknown JSON field `nope`; available: archived_at, artifacts",
        ),
        (&["view", "t", "--json", "sesions"], "`sesions`"),
        (&["watch", "--json", "knd"], "available: from, id, kind"),
        // Today it started a task (billed), then failed.
        (
            &[
                "create",
                "octocat/hello-world",
                "Do it",
                "--wait",
                "--timeout",
                "0s",
            ],
            "timeout",
        ),
        // Today GitHub's 400, exit 1.
        (
            &["--api-version", "2099-01-01", "list"],
            "2022-11-28, 2026-03-10",
        ),
        // Today "not a time".
        (&["list", "--since", "1e19"], "too large"),
        (&["list", "--since", "36600d"], "too large"),
        // Today it listened on every interface.
        (&["fake", "--addr", "0.0.0.0:0"], "--allow-remote"),
    ] {
        let r = run(&fake, args).await;
        assert_eq!(r.code, 2, "{args:?}: {}{}", r.stdout, r.stderr);
        assert!(r.stderr.contains(says), "{args:?}: {}", r.stderr);
    }
    let state = fake.state();
    assert_eq!(state.requests_total, 0, "nothing was sent");
    assert!(state.tasks.is_empty(), "no task was started");
}

#[tokio::test(flavor = "multi_thread")]
async fn bad_input_exits_2_and_sends_nothing() {
    let fake = fake().await;
    for args in [
        &["create", "octocat", "prompt"][..],
        &["create", "octocat/hello-world/extra", "prompt"],
        &["create", "octo cat/hello-world", "prompt"],
        &["create", "octocat/hello-world", "   "],
        &["create", "octocat/hello-world"],
        &["create", "octocat/hello-world", "-F", "/no/such/file"],
        &["view", "bad/repo/x", "id"],
        &["view", "octocat/hello-world", ".."],
        &["list", "--state", "sleeping"],
        &["list", "--limit", "0"],
        &["list", "--creator", "1"],
        &["list", "--since", "someday"],
        &["wait", "id", "--timeout", "soon"],
        &["frobnicate"],
    ] {
        let r = run(&fake, args).await;
        assert_eq!(r.code, 2, "{args:?}: {}", r.stderr);
        assert!(!r.stderr.trim().is_empty(), "{args:?}");
    }
    assert_eq!(fake.state().requests_total, 0, "nothing was sent");
}

#[tokio::test(flavor = "multi_thread")]
async fn help_documents_the_exit_codes() {
    let fake = fake().await;
    let r = run(&fake, &["--help"]).await;
    assert_eq!(r.code, 0);
    for line in [
        "3  the task ended failed",
        "4  authentication problem",
        "5  the task needs attention",
        "demo",
    ] {
        assert!(r.stdout.contains(line), "{line}: {}", r.stdout);
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn fake_help_lists_its_token_control_endpoints_and_fault_knobs() {
    let fake = fake().await;
    let r = run(&fake, &["fake", "--help"]).await;
    assert_eq!(r.code, 0);
    assert!(
        r.stdout.contains(agent_tasks_fake::DEFAULT_TOKEN),
        "{}",
        r.stdout
    );
    for (method, path, _) in agent_tasks_fake::CONTROL_ENDPOINTS {
        assert!(
            r.stdout.contains(&format!("{method} {path}")),
            "{path}: {}",
            r.stdout
        );
    }
    for (knob, _) in agent_tasks_fake::Faults::KNOBS {
        assert!(r.stdout.contains(knob), "{knob}: {}", r.stdout);
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn the_demo_runs_the_whole_flow_without_a_token() {
    let fake = fake().await;
    let r = run_with(&fake, &["demo"], None, None).await;
    assert_eq!(r.code, 0, "{}{}", r.stdout, r.stderr);
    for part in [
        "Started task",
        "finished: completed",
        "Pull request:",
        "needs your attention",
        "STATE",
        "Requests the fake answered",
    ] {
        assert!(r.stdout.contains(part), "{part}: {}", r.stdout);
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn wait_prints_a_line_per_change_when_piped() {
    let fake = Fake::builder()
        .time_scale(20.0)
        .schedule(Schedule {
            // Each phase lasts 1 s of real time, longer than the wait's longest interval
            // (12 x 20 ms), so every state is seen.
            queued: Duration::from_secs(20),
            running: Duration::from_secs(20),
        })
        .start()
        .await
        .unwrap();
    let r = run(
        &fake,
        &["--json", "create", "octocat/hello-world", "Slow one"],
    )
    .await;
    let id = json(&r)["id"].as_str().unwrap().to_owned();
    let r = run(
        &fake,
        &["wait", "octocat/hello-world", &id, "--interval", "20ms"],
    )
    .await;
    assert_eq!(r.code, 0, "{}", r.stderr);
    // Every line names its task (the first line used to read `13:20:15  queued`), and its time
    // is the task's own, on the server's clock, as `watch` prints it.
    let lines: Vec<Vec<&str>> = r
        .stdout
        .lines()
        .take(3)
        .map(|l| l.split_whitespace().collect())
        .collect();
    let states: Vec<&str> = lines.iter().filter_map(|l| l.get(2).copied()).collect();
    assert_eq!(
        states,
        ["queued", "in_progress", "completed"],
        "{}",
        r.stdout
    );
    assert!(
        lines.iter().all(|l| l.get(1) == Some(&id.as_str())),
        "{}",
        r.stdout
    );
    let task = json(&run(&fake, &["--json", "view", &id]).await);
    let created = &task["created_at"].as_str().unwrap()[11..19];
    assert_eq!(lines[0][0], created, "{}", r.stdout);
}

#[tokio::test(flavor = "multi_thread")]
async fn list_resolves_a_pages_pull_requests_in_one_graphql_request() {
    let fake = agent_tasks_fake::Fake::builder()
        .manual_clock()
        .start()
        .await
        .unwrap();
    for i in 0..20 {
        let r = run(
            &fake,
            &["create", "octocat/hello-world", &format!("Task {i}")],
        )
        .await;
        assert_eq!(r.code, 0, "{}", r.stderr);
    }
    fake.advance(std::time::Duration::from_secs(3600));
    let before = fake.state().requests_of("graphql");
    let r = run(&fake, &["list", "-L", "20"]).await;
    assert_eq!(r.code, 0, "{}", r.stderr);
    // One `nodes(ids:)` query for the page (it was a `node(id:)` query per task: 20).
    assert_eq!(fake.state().requests_of("graphql") - before, 1);
    let urls = r
        .stdout
        .matches("https://github.com/octocat/hello-world/pull/")
        .count();
    assert_eq!(urls, 20, "{}", r.stdout);
}

#[tokio::test(flavor = "multi_thread")]
async fn list_says_there_are_more_only_when_the_limit_left_some_out() {
    // 101 tasks: `-L 101` walks two pages of 100 and shows every task; the first page's next
    // link does not mean that any were left out.
    let fake = fake().await;
    let client = agent_tasks::Client::builder()
        .token(DEFAULT_TOKEN)
        .base_url(fake.url())
        .build()
        .unwrap();
    for i in 0..101 {
        client
            .repo("octocat", "hello-world")
            .create_task(format!("Task {i}"))
            .send()
            .await
            .unwrap();
    }
    // `--creator @me` hides the totals, so only the walk can say whether more exist.
    for (limit, more) in [("101", false), ("150", false), ("100", true), ("5", true)] {
        let r = run(
            &fake,
            &[
                "list",
                "octocat/hello-world",
                "--creator",
                "@me",
                "-L",
                limit,
            ],
        )
        .await;
        assert_eq!(r.code, 0, "{}", r.stderr);
        assert_eq!(
            r.stdout.contains("-L to see more"),
            more,
            "-L {limit}: {}",
            r.stdout
        );
    }
}
