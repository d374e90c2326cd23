//! Every cap the fake puts on what comes from outside, in one place, so the docs, the checks
//! and the tests name the same numbers.
//!
//! Nothing here is GitHub's own figure: these keep a hostile or buggy client from crashing the
//! fake or growing its memory without bound, and stay far above what a real client sends.

/// The largest API request body read (1 MiB); a larger one gets 413.
pub const MAX_API_BODY_BYTES: usize = 1024 * 1024;

/// The largest `/_fake/...` request body read (64 KiB); a larger one gets 413.
pub const MAX_CONTROL_BODY_BYTES: usize = 64 * 1024;

/// How much of an over-long body is still read and thrown away (8 MiB), so that an ordinary
/// client, still writing, can read its 413. A body declared or found larger than its cap plus
/// this is answered at once and the connection closed.
pub const MAX_DISCARDED_BODY_BYTES: usize = 8 * 1024 * 1024;

/// The largest request head, start line and headers together (64 KiB); hyper answers 431 beyond.
pub const MAX_HEADER_BYTES: usize = 64 * 1024;

/// How long a connection may take to send a request head, idle keep-alive time included.
pub const HEADER_READ_TIMEOUT_SECS: u64 = 30;

/// Connections served at once; further ones wait in the listen backlog.
pub const MAX_CONNECTIONS: usize = 512;

/// Tasks the fake stores; further creations get 422.
pub const MAX_TASKS: usize = 100_000;

/// Bytes of task text (prompt, model, agent, refs) the fake stores (256 MiB); further creations
/// get 422.
pub const MAX_STORED_TASK_BYTES: usize = 256 * 1024 * 1024;

/// Outcome scripts `POST /_fake/outcomes` may add.
pub const MAX_SCRIPTS: usize = 1_000;

/// The longest step of `POST /_fake/clock/advance`: 100 years, in seconds.
pub const MAX_ADVANCE_SECS: f64 = 100.0 * 365.25 * 86_400.0;

/// The largest [`Faults::latency_ms`](crate::Faults::latency_ms): one minute.
pub const MAX_LATENCY_MS: u64 = 60_000;

/// The largest [`Faults::primary_window_secs`](crate::Faults::primary_window_secs): one day.
pub const MAX_PRIMARY_WINDOW_SECS: u64 = 86_400;

/// The largest [`Faults::retry_after_secs`](crate::Faults::retry_after_secs): one day.
pub const MAX_RETRY_AFTER_SECS: u64 = 86_400;
