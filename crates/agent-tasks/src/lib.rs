#![doc = include_str!("../../../README.md")]
#![warn(missing_docs)]
#![forbid(unsafe_code)]

mod client;
mod error;
mod pagination;
mod requests;
mod retry;
mod types;
mod validate;
mod wait;

pub use client::{
    API_VERSION_2026_03_10, Client, ClientBuilder, DEFAULT_API_VERSION, DEFAULT_BASE_URL,
    DEFAULT_CONNECT_TIMEOUT, DEFAULT_TIMEOUT, DEFAULT_USER_AGENT, Token,
};
pub use error::{ApiError, DecodeError, Error, RateLimit, Result};
pub use pagination::{Links, Page};
pub use requests::{
    AllRepos, Conditional, CreateTask, GetTask, InRepo, ListScope, ListTasks, Repo, SortDirection,
    TaskSort,
};
pub use retry::{RateLimitPolicy, RetryPolicy};
pub use types::{
    Account, Artifact, ArtifactType, CreatorType, CustomAgent, RepositoryRef, Session,
    SessionError, Task, TaskState, TaskWithSessions, Usage, UsageType, ValidationError,
    ValidationErrorCode,
};
pub use validate::{MAX_OWNER_LEN, MAX_PER_PAGE, MAX_REPO_LEN, MAX_TASK_ID_LEN};
pub use wait::{Clock, TokioClock, Until, WaitAll, WaitOptions, WaitTask};

/// The generated client this crate wraps, for what the wrapper does not cover.
pub use agent_tasks_raw as raw;
