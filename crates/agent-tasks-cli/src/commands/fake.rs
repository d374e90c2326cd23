//! `agent-tasks fake`: serves the fake Agent tasks API on 127.0.0.1 until interrupted, for
//! users' own tests and demos (`GH_TOKEN=fake-token GITHUB_API_URL=http://127.0.0.1:8787`).

use agent_tasks_fake::{Fake as FakeServer, Faults, Schedule};

use crate::args::{Fake, Global};
use crate::exit::{self, Failure};
use crate::output::line;

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
