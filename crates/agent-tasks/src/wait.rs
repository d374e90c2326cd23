//! Waiting for tasks: one task ([`GetTask::wait`](crate::get::GetTask::wait)) or many at once
//! ([`Client::wait_for_all`](crate::Client::wait_for_all)), both over the one polling loop.
//!
//! Every wait polls with `If-None-Match`, and pays only for news:
//!
//! - an answer of 304 (nothing changed) costs nothing against GitHub's primary rate limit, so
//!   the wait polls at its first interval while answers are 304s: a task that ends then is
//!   noticed within one interval (5 s by default) however long it ran;
//! - an answer that costs (a 200) and brings no news (the task changed but not its state, or
//!   the server sends no `ETag`) stretches the interval, up to `max_interval`: what changes at
//!   every poll is polled less often, and its end may be noticed up to that late;
//! - a change of state, or a 304, brings the interval back to the first one. Polling at the
//!   first interval while answers are 304s costs at most one counted answer per change.
//!
//! A single task is polled with a conditional get. Many tasks are polled with one list request
//! per interval, whatever their number; [`WaitAll::send`] and [`WaitAll::finished`] ask the
//! list only for tasks in the states that end the wait (`state=completed,failed,...`), so its
//! answer changes, and costs, only when one of them ends: waiting for N tasks that the list
//! shows at once costs at most N + 2 counted answers, plus stretched polls when other tasks
//! of the user change.
//!
//! **The floor.** GitHub's secondary rate limits allow 900 points a minute per REST endpoint
//! (a GET is one point, a 304 included) and refuse bursts. A wait sends one request at a time
//! and never polls more often than its interval, which must be at least [`MIN_INTERVAL`]
//! (1 s) against any host but loopback: one wait at 1 s is 60 points a minute, and 50 waits
//! at the default 5 s are 600. Many tasks are best waited for with one
//! [`Client::wait_for_all`](crate::Client::wait_for_all) rather than a wait each.
//!
//! Each wait keeps a hard deadline that bounds the request in flight too. Time comes from the
//! client's [`Clock`](crate::clock::Clock), so tests can run waits instantly. Dropping the
//! future or the stream cancels the wait.

mod all;
mod task;

pub use crate::wait_options::{MIN_INTERVAL, Until, WaitOptions};
pub use all::WaitAll;
pub use task::WaitTask;
