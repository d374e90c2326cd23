//! Test support (the `fake` feature): the fake Agent tasks API with a client wired to it, on a
//! clock linked to the fake's, so that a test of code that waits runs in milliseconds.
//!
//! ```
//! # #[tokio::main(flavor = "current_thread")]
//! # async fn main() -> Result<(), Box<dyn std::error::Error>> {
//! use agent_tasks::testing::{self, fake::Fake};
//!
//! let (fake, client) = testing::start(Fake::builder()).await?;
//! let task = client.repo("octocat", "hello-world").create_task("Fix it").send().await?;
//! // Each poll's sleep moves the fake's clock instead of waiting: minutes pass at once.
//! let done = client.task(&task.id).wait().send().await?;
//! assert_eq!(done.state, agent_tasks::TaskState::Completed);
//! assert!(client.pull_request(&done).await?.is_some());
//! assert_eq!(fake.state().tasks.len(), 1);
//! # Ok(()) }
//! ```

use std::future::Future;
use std::pin::Pin;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use chrono::{DateTime, Utc};

/// The fake crate, re-exported: `Fake`, `FakeBuilder`, `Faults`, `Outcome`, `Schedule`, ...
pub use agent_tasks_fake as fake;

use crate::client::Client;
use crate::clock::Clock;

/// A clock linked to a fake on a manual clock: sleeping moves the fake's clock (and this one)
/// forward at once, and "now" is the fake's.
#[derive(Debug)]
pub struct FakeClock {
    fake: Arc<fake::Fake>,
    now: Mutex<Instant>,
}

impl FakeClock {
    /// A clock linked to `fake` (which should run on a manual clock).
    pub fn new(fake: Arc<fake::Fake>) -> Arc<FakeClock> {
        Arc::new(FakeClock {
            fake,
            now: Mutex::new(Instant::now()),
        })
    }
}

impl Clock for FakeClock {
    fn now(&self) -> Instant {
        *self
            .now
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    }

    fn sleep(&self, duration: Duration) -> Pin<Box<dyn Future<Output = ()> + Send>> {
        {
            let mut now = self
                .now
                .lock()
                .unwrap_or_else(std::sync::PoisonError::into_inner);
            *now = now.checked_add(duration).unwrap_or(*now);
        }
        self.fake.advance(duration);
        Box::pin(std::future::ready(()))
    }

    fn utc_now(&self) -> DateTime<Utc> {
        self.fake.now()
    }
}

/// A client of `fake`: its URL and default token, on a clock linked to it.
pub fn client(fake: &Arc<fake::Fake>) -> crate::error::Result<Client> {
    Client::builder()
        .token(fake::DEFAULT_TOKEN)
        .base_url(fake.url())
        .user_agent("agent-tasks-tests")
        .clock(FakeClock::new(fake.clone()))
        .build()
}

/// Starts the fake `builder` describes on a manual clock, and a client wired to it.
pub async fn start(builder: fake::FakeBuilder) -> std::io::Result<(Arc<fake::Fake>, Client)> {
    let fake = Arc::new(builder.manual_clock().start().await?);
    let client = client(&fake).map_err(std::io::Error::other)?;
    Ok((fake, client))
}
