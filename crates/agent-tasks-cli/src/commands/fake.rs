//! `agent-tasks fake`: serves the fake Agent tasks API on 127.0.0.1 until interrupted, for
//! users' own tests and demos (`GH_TOKEN=fake-token GITHUB_API_URL=http://127.0.0.1:8787`).

use agent_tasks_fake::{Fake as FakeServer, Faults, Schedule};
use clap::Args as ClapArgs;

use crate::args::Global;
use crate::exit::{self, Failure};
use crate::output::line;

/// The arguments of `agent-tasks fake`.
#[derive(ClapArgs, Debug)]
#[command(after_help = help())]
pub struct Fake {
    /// Address to listen on (loopback; another needs --allow-remote).
    #[arg(long, default_value = "127.0.0.1:8787")]
    pub addr: std::net::SocketAddr,
    /// Listen on an address that is not loopback: anyone who can reach it can use the fake
    /// and its /_fake/ control endpoints, which need no token.
    #[arg(long)]
    pub allow_remote: bool,
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

/// What `--help` adds: the token, the control endpoints and the fault knobs, from the fake's
/// own lists.
fn help() -> String {
    let endpoints: Vec<String> = agent_tasks_fake::CONTROL_ENDPOINTS
        .iter()
        .map(|(method, path, what)| format!("  {method} {path}: {what}"))
        .collect();
    let knobs: Vec<String> = Faults::KNOBS
        .iter()
        .map(|(knob, what)| format!("  {knob}: {what}"))
        .collect();
    format!(
        "Token: {} (user 1, fake-user-1); --accept-token adds more. It knows octocat/hello-world.\n\n\
         Control endpoints (no token, no faults, not counted):\n{}\n\n\
         Fault knobs (--faults JSON or PUT /_fake/faults; shares from 0.0 to 1.0):\n{}\n\n\
         Then: GH_TOKEN={} GITHUB_API_URL=http://127.0.0.1:8787 agent-tasks list",
        agent_tasks_fake::DEFAULT_TOKEN,
        endpoints.join("\n"),
        knobs.join("\n"),
        agent_tasks_fake::DEFAULT_TOKEN
    )
}

pub async fn run(args: &Fake, global: &Global) -> Result<u8, Failure> {
    if !args.addr.ip().is_loopback() && !args.allow_remote {
        return Err(Failure::usage(format!(
            "--addr {} is not a loopback address: anyone who reaches it could use the fake and its control endpoints; add --allow-remote if that is what you want",
            args.addr
        )));
    }
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
