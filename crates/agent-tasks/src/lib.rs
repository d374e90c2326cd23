#![doc = include_str!("../../../README.md")]
#![warn(missing_docs)]
#![forbid(unsafe_code)]

// The crate's files, lowest first: each imports only files above it in this list.
pub mod client; // `Client`, `ClientBuilder`, defaults
pub mod clock; // time: `Clock`, `TokioClock`
pub mod create; // `CreateTask`, idempotency keys
pub mod error; // `Error`, `ApiError`, `DecodeError`, `RateLimit`
pub mod get; // `GetTask`, `Conditional`
pub mod list; // `ListTasks`, scopes, `Page`, `Links`, `TaskStream`
mod page; // pages, `Link` headers and the rules of every walk across pages
mod reconcile; // the search for a task whose creation's answer was lost, and the claims
mod repo; // `Repo`: the operations of one repository
pub mod user; // `GET /user`: who the token belongs to
pub mod retry; // retry and rate-limit policies, and the one classification of failures
mod transport; // the one request path
pub mod types; // tasks, sessions, artifacts (built from the generated types)
pub mod validate; // checks on every argument, and the limits they apply
pub mod wait; // `WaitTask`, `WaitAll`, `WaitOptions`, `Until`

pub use client::{Client, ClientBuilder};
pub use error::{Error, Result};
pub use repo::Repo;
pub use types::{Artifact, PullRequestRef, Session, Task, TaskState, TaskWithSessions};

/// The generated client this crate wraps, for what the wrapper does not cover.
pub use agent_tasks_raw as raw;
