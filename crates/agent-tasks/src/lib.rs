#![doc = include_str!("../README.md")]
#![warn(missing_docs)]
#![forbid(unsafe_code)]
#![cfg_attr(docsrs, feature(doc_cfg))]

// The crate's files by layer, lowest first; a file imports only files of lower layers:
//
// 1. types (tasks, sessions, artifacts, the API's vocabulary), clock (time, HTTP dates)
// 2. error, validate, retry (policies and the one classification of failures)
// 3. page (pages, `Link` headers and the rules of every walk across pages)
// 4. transport (the one request path), then claims (whose tasks are whose)
// 5. client (`Client`, `ClientBuilder`)
// 6. one request each: tasks/get, tasks/list, user, repository, pull_request; then
//    tasks/reconcile (over get, list and user) and tasks/create; tasks (the handlers)
// 7. wait_options, poll (the one polling loop), then wait/task, wait/all and feed over it
// 8. journal, then fan_out (many creations, journaled); testing (the `fake` feature)
mod claims;
pub mod client;
pub mod clock;
pub mod error;
pub mod fan_out;
pub mod feed;
mod journal;
mod page;
mod poll;
pub mod pull_request;
pub mod repository;
pub mod retry;
mod tasks;
#[cfg(feature = "fake")]
#[cfg_attr(docsrs, doc(cfg(feature = "fake")))]
pub mod testing;
mod transport;
pub mod types;
pub mod user;
pub mod validate;
pub mod wait;
mod wait_options;

pub use client::{Client, ClientBuilder};
pub use error::{Error, Result};
pub use tasks::{Repo, create, get, list};
pub use types::{Artifact, PullRequestRef, Session, StateClass, Task, TaskState, TaskWithSessions};

/// The generated client this crate wraps, for what the wrapper does not cover.
pub use agent_tasks_raw as raw;

// The repository's README.md (waiting, the CLI, the fake) is not in the package, so it is not
// the crate's docs; its examples are still compiled as doc tests, from here.
// They use the test support, so they run with `--features fake,mock` (`--all-features`, as CI
// does).
#[cfg(all(doctest, feature = "fake", feature = "mock"))]
#[doc = include_str!("../../../README.md")]
struct ReadmeDoctests;
