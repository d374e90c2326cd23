//! What each task state means for whoever waits on a task: the one table of it.
//!
//! The spec names the states; it does not say which ones end a task. That reading is this
//! crate's, and it lives here alone: a wait, the fake, the CLI's colours and exit codes all
//! ask [`TaskState::class`]. The match below has no catch-all arm, so a state the spec gains
//! fails to compile here, naming itself, until it is given a class.

use crate::generated::TaskState;

/// Where a task in a given state stands.
///
/// Not `non_exhaustive`: a match on the class names every class, so a class added here fails
/// to compile in every match that must learn it.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum StateClass {
    /// Queued or running: it will change on its own.
    Active,
    /// It waits on a person (`idle`, `waiting_for_user`): neither running nor finished.
    NeedsAttention,
    /// It ended and did what was asked.
    Succeeded,
    /// It ended without success (failed, timed out, cancelled).
    Unsuccessful,
}

impl StateClass {
    /// Every class, from the one that moves on its own to the ones that have ended.
    pub const ALL: [StateClass; 4] = [
        StateClass::Active,
        StateClass::NeedsAttention,
        StateClass::Succeeded,
        StateClass::Unsuccessful,
    ];

    /// Whether a task in this class has ended and will not change on its own.
    pub fn is_terminal(self) -> bool {
        matches!(self, StateClass::Succeeded | StateClass::Unsuccessful)
    }
}

impl TaskState {
    /// The class of the state; `None` for a state this version of the crate does not know
    /// (which is treated as active: keep polling, a deadline bounds the wait).
    ///
    /// ```
    /// use agent_tasks_raw::{StateClass, TaskState};
    /// assert_eq!(TaskState::WaitingForUser.class(), Some(StateClass::NeedsAttention));
    /// assert_eq!(TaskState::from("paused-for-lunch").class(), None);
    /// ```
    pub fn class(&self) -> Option<StateClass> {
        Some(match self {
            TaskState::Queued | TaskState::InProgress => StateClass::Active,
            TaskState::Idle | TaskState::WaitingForUser => StateClass::NeedsAttention,
            TaskState::Completed => StateClass::Succeeded,
            TaskState::Failed | TaskState::TimedOut | TaskState::Cancelled => {
                StateClass::Unsuccessful
            }
            TaskState::Unknown(_) => return None,
        })
    }

    /// The known states of `class`, in the API's order (for a list's `state` filter).
    pub fn of_class(class: StateClass) -> impl Iterator<Item = &'static TaskState> {
        TaskState::KNOWN
            .iter()
            .filter(move |s| s.class() == Some(class))
    }

    /// The task has ended and will not change on its own: completed, failed, timed out or
    /// cancelled. An unknown state is not terminal (keep polling; a deadline bounds the wait).
    pub fn is_terminal(&self) -> bool {
        self.class().is_some_and(StateClass::is_terminal)
    }

    /// The task waits on a person (`idle` or `waiting_for_user`): neither running nor finished.
    pub fn needs_attention(&self) -> bool {
        self.class() == Some(StateClass::NeedsAttention)
    }

    /// The task completed.
    pub fn is_success(&self) -> bool {
        self.class() == Some(StateClass::Succeeded)
    }

    /// The task is queued or running.
    pub fn is_active(&self) -> bool {
        self.class() == Some(StateClass::Active)
    }
}
