//! Running the built `agent-tasks` binary against a fake, shared by the CLI's test files.
#![allow(dead_code)]

use std::process::Stdio;
use std::time::Duration;

use agent_tasks_fake::{DEFAULT_TOKEN, Fake, Outcome, Schedule, TaskState};
use serde_json::Value;
use tokio::io::AsyncWriteExt;

pub struct Run {
    pub code: i32,
    pub stdout: String,
    pub stderr: String,
}

pub async fn fake() -> Fake {
    Fake::builder()
        .time_scale(200.0)
        .schedule(Schedule {
            queued: Duration::from_secs(2),
            running: Duration::from_secs(10),
        })
        .outcome("[fail]", Outcome::failed("the tests did not pass"))
        .outcome("[ask]", Outcome::new(TaskState::WaitingForUser))
        .outcome("[cancel]", Outcome::new(TaskState::Cancelled))
        .start()
        .await
        .unwrap()
}

pub async fn run_with(fake: &Fake, args: &[&str], token: Option<&str>, stdin: Option<&str>) -> Run {
    run_in(fake, None, args, token, stdin).await
}

/// Runs the binary with extra environment variables.
pub async fn run_env(fake: &Fake, args: &[&str], env: &[(&str, &str)]) -> Run {
    run_env_in(fake, None, args, env).await
}

/// Runs the binary in `dir` with extra environment variables.
pub async fn run_env_in(
    fake: &Fake,
    dir: Option<&std::path::Path>,
    args: &[&str],
    env: &[(&str, &str)],
) -> Run {
    spawn(fake, dir, args, Some(DEFAULT_TOKEN), None, env).await
}

/// Runs the binary in `dir` (else the test's directory).
pub async fn run_in(
    fake: &Fake,
    dir: Option<&std::path::Path>,
    args: &[&str],
    token: Option<&str>,
    stdin: Option<&str>,
) -> Run {
    spawn(fake, dir, args, token, stdin, &[]).await
}

/// Runs the binary against `fake`, with no `gh` on the PATH and no token but `token`, then
/// `env` over that.
async fn spawn(
    fake: &Fake,
    dir: Option<&std::path::Path>,
    args: &[&str],
    token: Option<&str>,
    stdin: Option<&str>,
    env: &[(&str, &str)],
) -> Run {
    let mut command = tokio::process::Command::new(env!("CARGO_BIN_EXE_agent-tasks"));
    if let Some(dir) = dir {
        command.current_dir(dir);
    }
    command
        .args(args)
        .env_remove("GH_TOKEN")
        .env_remove("GITHUB_TOKEN")
        // No `gh` to fall back on.
        .env("PATH", "/nonexistent")
        .env("NO_COLOR", "1")
        .env("GITHUB_API_URL", fake.url())
        .stdin(if stdin.is_some() {
            Stdio::piped()
        } else {
            Stdio::null()
        })
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    if let Some(t) = token {
        command.env("GH_TOKEN", t);
    }
    command.envs(env.iter().copied());
    let mut child = command.spawn().unwrap();
    if let Some(text) = stdin {
        let mut pipe = child.stdin.take().unwrap();
        pipe.write_all(text.as_bytes()).await.unwrap();
    }
    let out = child.wait_with_output().await.unwrap();
    Run {
        code: out.status.code().unwrap_or(-1),
        stdout: String::from_utf8_lossy(&out.stdout).into_owned(),
        stderr: String::from_utf8_lossy(&out.stderr).into_owned(),
    }
}

pub async fn run(fake: &Fake, args: &[&str]) -> Run {
    run_with(fake, args, Some(DEFAULT_TOKEN), None).await
}

pub fn json(run: &Run) -> Value {
    serde_json::from_str(&run.stdout).unwrap_or_else(|e| panic!("{e}: {}", run.stdout))
}

/// What a stored task was asked: its prompt without the creation's own marker (the SDK appends
/// one to every creation without an idempotency key).
pub fn asked(stored: &Value) -> String {
    let prompt = stored["prompt"].as_str().unwrap_or_default();
    match prompt.rsplit_once("\n\n<!-- agent-tasks creation: ") {
        Some((asked, marker)) if marker.ends_with(" -->") => asked.to_owned(),
        _ => panic!("no creation marker in {prompt:?}"),
    }
}
