//! `agent-tasks fake`: serves the fake Agent tasks API on 127.0.0.1 until interrupted, for
//! users' own tests and demos (`GH_TOKEN=fake-token GITHUB_API_URL=http://127.0.0.1:8787`).

use agent_tasks_fake::{Fake as FakeServer, Faults, Schedule};
use clap::Args as ClapArgs;

use crate::args::Global;
use crate::exit::{self, Failure};
use crate::output::line;

/// The arguments of `agent-tasks fake`.
#[derive(ClapArgs, Debug)]
pub struct Fake {
    /// Address to listen on.
    #[arg(long, default_value = "127.0.0.1:8787")]
    pub addr: std::net::SocketAddr,
    /// Another repository to know, as OWNER/REPO (repeatable).
    #[arg(long = "repo", value_name = "OWNER/REPO")]
    pub repos: Vec<String>,
    /// Another token to accept (repeatable; the n-th token is user id n+1); the global
    /// --token is accepted too.
    #[arg(long = "accept-token", value_name = "TOKEN")]
    pub tokens: Vec<String>,
    /// Run the clock this many times faster than real time.
    #[arg(long, default_value_t = 1.0)]
    pub time_scale: f64,
    /// Seconds a new task stays queued (fake time).
    #[arg(long, default_value_t = 5.0)]
    pub queued_secs: f64,
    /// Seconds a task runs before its outcome (fake time).
    #[arg(long, default_value_t = 60.0)]
    pub running_secs: f64,
    /// Faults to inject from the start, as JSON (see PUT /_fake/faults).
    #[arg(long, value_name = "JSON")]
    pub faults: Option<String>,
    /// Seed of the fault draws.
    #[arg(long, default_value_t = 0x5EED)]
    pub seed: u64,
}

pub async fn run(args: &Fake, global: &Global) -> Result<u8, Failure> {
    let mut builder = FakeServer::builder()
        .addr(args.addr)
        .time_scale(args.time_scale)
        .seed(args.seed)
        .schedule(
            Schedule::from_secs_f64(args.queued_secs, args.running_secs)
                .map_err(|e| Failure::usage(format!("--queued-secs/--running-secs: {e}")))?,
        );
    for repo in &args.repos {
        let (owner, name) = crate::parse::repo(repo).map_err(Failure::usage)?;
        builder = builder.repo(&owner, &name);
    }
    for token in args.tokens.iter().chain(&global.token) {
        builder = builder.token(token);
    }
    if let Some(json) = &args.faults {
        let faults =
            Faults::from_json(json).map_err(|e| Failure::usage(format!("--faults: {e}")))?;
        builder = builder.faults(faults);
    }
    let fake = builder
        .start()
        .await
        .map_err(|e| Failure::error(format!("cannot listen on {}: {e}", args.addr)))?;
    line(fake.url());
    eprintln!(
        "agent-tasks fake: serving the Agent tasks API on {} (token: {}); Ctrl-C stops it",
        fake.url(),
        agent_tasks_fake::DEFAULT_TOKEN
    );
    let _ = tokio::signal::ctrl_c().await;
    Ok(exit::OK)
}
