//! `agent-tasks-fake`: the fake Agent tasks API as a program.

use std::net::SocketAddr;
use std::time::Duration;

use clap::Parser;

/// A local, stateful stand-in for GitHub's Agent tasks REST API.
///
/// It knows the repository octocat/hello-world and accepts the token `fake-token` unless told
/// more. Tasks go queued -> in_progress -> completed on the fake's clock.
///
/// Inspection and control (no token needed):
///   GET  /_fake/state           stored tasks, request counts by operation and status, faults
///   PUT  /_fake/faults          replace the faults, e.g. {"error_rate": 0.2, "latency_ms": 50}
///                               knobs: latency_ms, error_rate, drop_rate, drop_after_store_rate,
///                               secondary_429_rate, secondary_403_rate, retry_after_secs,
///                               primary_limit, primary_window_secs, malformed_rate
///   POST /_fake/clock/advance   {"seconds": 60}
///   POST /_fake/outcomes        {"prompt_contains": "flaky", "outcome": {"state": "failed", "message": "tests failed"}}
///                               states: completed, failed, waiting_for_user, idle, timed_out, cancelled
#[derive(Parser, Debug)]
#[command(name = "agent-tasks-fake", version, verbatim_doc_comment)]
struct Args {
    /// Address to listen on.
    #[arg(long, default_value = "127.0.0.1:8787")]
    addr: SocketAddr,
    /// Another repository to know, as OWNER/REPO (repeatable).
    #[arg(long = "repo", value_name = "OWNER/REPO")]
    repos: Vec<String>,
    /// Another token to accept (repeatable; the n-th token is user id n+1).
    #[arg(long = "token", value_name = "TOKEN")]
    tokens: Vec<String>,
    /// Run the clock this many times faster than real time.
    #[arg(long, default_value_t = 1.0)]
    time_scale: f64,
    /// Seconds a new task stays queued (fake time).
    #[arg(long, default_value_t = 5.0)]
    queued_secs: f64,
    /// Seconds a task runs before its outcome (fake time).
    #[arg(long, default_value_t = 60.0)]
    running_secs: f64,
    /// Faults to inject from the start, as JSON (see PUT /_fake/faults).
    #[arg(long, value_name = "JSON")]
    faults: Option<String>,
    /// Seed of the fault draws.
    #[arg(long, default_value_t = 0x5EED)]
    seed: u64,
}

#[tokio::main]
async fn main() -> std::process::ExitCode {
    let args = Args::parse();
    let mut builder = agent_tasks_fake::Fake::builder()
        .addr(args.addr)
        .time_scale(args.time_scale)
        .seed(args.seed)
        .schedule(agent_tasks_fake::Schedule {
            queued: Duration::from_secs_f64(args.queued_secs.max(0.0)),
            running: Duration::from_secs_f64(args.running_secs.max(0.0)),
        });
    for repo in &args.repos {
        let Some((owner, name)) = repo.split_once('/') else {
            eprintln!("agent-tasks-fake: --repo wants OWNER/REPO, got {repo:?}");
            return std::process::ExitCode::from(2);
        };
        builder = builder.repo(owner, name);
    }
    for token in &args.tokens {
        builder = builder.token(token);
    }
    if let Some(json) = &args.faults {
        match serde_json::from_str(json) {
            Ok(faults) => builder = builder.faults(faults),
            Err(e) => {
                eprintln!("agent-tasks-fake: --faults: {e}");
                return std::process::ExitCode::from(2);
            }
        }
    }
    let fake = match builder.start().await {
        Ok(fake) => fake,
        Err(e) => {
            eprintln!("agent-tasks-fake: cannot listen on {}: {e}", args.addr);
            return std::process::ExitCode::FAILURE;
        }
    };
    println!("{}", fake.url());
    eprintln!(
        "agent-tasks-fake: serving the Agent tasks API on {} (token: {}); Ctrl-C stops it",
        fake.url(),
        agent_tasks_fake::DEFAULT_TOKEN
    );
    let _ = tokio::signal::ctrl_c().await;
    std::process::ExitCode::SUCCESS
}
