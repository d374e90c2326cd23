#![doc = include_str!("../README.md")]
#![warn(missing_docs)]
#![forbid(unsafe_code)]
#![cfg_attr(docsrs, feature(doc_cfg))]

// The crate's files by layer, lowest first; a file imports only files of lower layers:
//
// 1. types (tasks, sessions, artifacts), clock
// 2. error, validate, retry (policies and the one classification of failures)
// 3. page (pages, `Link` headers and the rules of every walk across pages)
// 4. transport (the one request path)
// 5. reconcile (the search for a task whose creation's answer was lost, and the claims)
// 6. client (`Client`, `ClientBuilder`)
// 7. get, list, create, user, pull_request, repository (one operation each), then repo, wait and feed on top of them
// 8. journal, then fan_out (many creations, journaled); testing (the `fake` feature)
pub mod client;
pub mod clock;
pub mod create;
pub mod error;
pub mod fan_out;
pub mod feed;
pub mod get;
mod journal;
pub mod list;
mod page;
pub mod pull_request;
mod reconcile;
mod repo;
pub mod repository;
pub mod retry;
#[cfg(feature = "fake")]
#[cfg_attr(docsrs, doc(cfg(feature = "fake")))]
pub mod testing;
mod transport;
pub mod types;
pub mod user;
pub mod validate;
pub mod wait;

pub use client::{Client, ClientBuilder};
pub use error::{Error, Result};
pub use repo::Repo;
pub use types::{Artifact, PullRequestRef, Session, Task, TaskState, TaskWithSessions};

/// The generated client this crate wraps, for what the wrapper does not cover.
pub use agent_tasks_raw as raw;

// The repository's README.md (waiting, the CLI, the fake) is not in the package, so it is not
// the crate's docs; its examples are still compiled as doc tests, from here.
// They use the test support, so they run with `--features fake,mock` (`--all-features`, as CI
// does).
#[cfg(all(doctest, feature = "fake", feature = "mock"))]
#[doc = include_str!("../../../README.md")]
struct ReadmeDoctests;
