//! Exit codes, and the failure type every command returns: a message for stderr and the code
//! it maps to.

use agent_tasks::{Error, StateClass, TaskState};

use crate::text::inert;

/// Success; for `wait` and `create --wait`, the task completed.
pub const OK: u8 = 0;
/// An error: the API refused, the network failed, a wait timed out.
pub const ERROR: u8 = 1;
/// A usage error: bad arguments; nothing was sent.
pub const USAGE: u8 = 2;
/// The task ended failed, timed out or cancelled.
pub const TASK_FAILED: u8 = 3;
/// An authentication problem: no token, a refused token, missing permission.
pub const AUTH: u8 = 4;
/// The task needs attention: it waits for a person (waiting_for_user or idle).
pub const ATTENTION: u8 = 5;

/// The exit codes, as `--help` shows them, with the states of each class named from the
/// API's vocabulary.
pub fn table() -> String {
    let states = |class| {
        let names: Vec<&str> = TaskState::of_class(class).map(TaskState::as_str).collect();
        match names.split_last() {
            Some((last, [])) => (*last).to_owned(),
            Some((last, rest)) => format!("{} or {last}", rest.join(", ")),
            None => String::new(),
        }
    };
    format!(
        "Exit codes:\n  \
         0  success (for wait and create --wait: the task completed)\n  \
         1  error (API error, network, wait timeout)\n  \
         2  usage error (bad arguments; nothing was sent)\n  \
         3  the task ended {}\n  \
         4  authentication problem (no token, bad token, missing permission)\n  \
         5  the task needs attention ({})",
        states(StateClass::Unsuccessful),
        states(StateClass::NeedsAttention)
    )
}

/// The exit code for a task that ended (or stopped) in `state`.
pub fn for_state(state: &TaskState) -> u8 {
    match state.class() {
        Some(StateClass::Succeeded) => OK,
        Some(StateClass::NeedsAttention) => ATTENTION,
        Some(StateClass::Unsuccessful) => TASK_FAILED,
        Some(StateClass::Active) | None => ERROR,
    }
}

/// The worst of several exit codes: a failed task over one that needs attention over success;
/// errors above all.
pub fn worst(codes: impl IntoIterator<Item = u8>) -> u8 {
    let rank = |code: u8| match code {
        OK => 0,
        ATTENTION => 1,
        TASK_FAILED => 2,
        _ => 3,
    };
    codes.into_iter().max_by_key(|c| rank(*c)).unwrap_or(OK)
}

/// A failure, with the exit code it maps to.
#[derive(Debug)]
pub struct Failure {
    pub code: u8,
    pub message: String,
}

impl Failure {
    pub fn usage(message: impl Into<String>) -> Self {
        Failure {
            code: USAGE,
            message: message.into(),
        }
    }

    pub fn error(message: impl Into<String>) -> Self {
        Failure {
            code: ERROR,
            message: message.into(),
        }
    }
}

impl From<Error> for Failure {
    fn from(e: Error) -> Self {
        let code = if e.is_auth() {
            AUTH
        } else if e.is_invalid_input() {
            USAGE
        } else {
            ERROR
        };
        let mut message = one_line(&e);
        if let Error::OutcomeUnknown {
            candidates,
            checked,
            cause,
        } = &e
        {
            // The SDK's own message leads with the same advice: the details are what was
            // checked and what went wrong, not the advice again.
            let details = format!(
                "{}; the creation: {}",
                inert(checked),
                one_line(cause.as_ref())
            );
            // What to do first, in plain words; the details after.
            let candidates = if candidates.is_empty() {
                String::new()
            } else {
                let ids: Vec<String> = candidates.iter().map(|c| inert(c)).collect();
                format!("\n  tasks that could be it: {}", ids.join(", "))
            };
            message = format!(
                "the task may have been started, or may not: its answer was lost.\n  \
                 Before you start it again, look at the repository's tasks (agent-tasks list \
                 OWNER/REPO, or the repository's Copilot page): starting it twice costs \
                 twice.{candidates}\n  details: {details}"
            );
        } else if let Some(hint) = e.hint() {
            message.push_str(&format!(" (hint: {hint})"));
        }
        if let Some(id) = e.request_id() {
            message.push_str(&format!(" [request id {}]", inert(id)));
        }
        Failure { code, message }
    }
}

/// The error and its root cause on one line: `cannot reach http://127.0.0.1:1: connection
/// refused`. The layers between (reqwest's, hyper's) repeat each other and are left out.
pub fn one_line(e: &(dyn std::error::Error + 'static)) -> String {
    let top = inert(&e.to_string());
    let mut root = None;
    let mut next = e.source();
    while let Some(cause) = next {
        root = Some(cause);
        next = cause.source();
    }
    let Some(root) = root else { return top };
    let cause = root.to_string();
    // "Connection refused (os error 111)" -> "connection refused".
    let cause = match cause.find(" (os error") {
        Some(at) => &cause[..at],
        None => cause.as_str(),
    };
    let mut chars = cause.chars();
    let cause: String = match chars.next() {
        Some(first) if chars.clone().next().is_some_and(char::is_lowercase) => {
            first.to_lowercase().chain(chars).collect()
        }
        _ => cause.to_owned(),
    };
    if cause.is_empty() || top.contains(&cause) {
        top
    } else {
        format!("{top}: {}", inert(&cause))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn exit_codes_follow_the_class_of_the_state() {
        assert_eq!(for_state(&TaskState::Completed), OK);
        assert_eq!(for_state(&TaskState::Failed), TASK_FAILED);
        assert_eq!(for_state(&TaskState::Cancelled), TASK_FAILED);
        assert_eq!(for_state(&TaskState::WaitingForUser), ATTENTION);
        assert_eq!(for_state(&TaskState::InProgress), ERROR);
        assert_eq!(for_state(&TaskState::from("not-a-state-yet")), ERROR);
        let table = table();
        for state in TaskState::KNOWN
            .iter()
            .filter(|s| !s.is_active() && !s.is_success())
        {
            assert!(table.contains(state.as_str()), "{state}: {table}");
        }
    }

    #[test]
    fn the_worst_outcome_wins() {
        assert_eq!(worst([OK, ATTENTION, OK]), ATTENTION);
        assert_eq!(worst([ATTENTION, TASK_FAILED]), TASK_FAILED);
        assert_eq!(worst([TASK_FAILED, ERROR, OK]), ERROR);
        assert_eq!(worst([]), OK);
    }
}
