//! String enums of the API that stay open: a value the server adds decodes as `Unknown(..)`.
//!
//! progenitor would generate closed Rust enums for them (pitfall 7 of the notes): one new task
//! state from the preview API would then fail every response that carries it. `codegen.rs`
//! points progenitor at these types instead.

use std::borrow::Cow;
use std::fmt;

use serde::{Deserialize, Deserializer, Serialize, Serializer};

macro_rules! open_enum {
    (
        $(#[$meta:meta])*
        $name:ident { $( $(#[$vmeta:meta])* $variant:ident => $wire:literal ),+ $(,)? }
    ) => {
        $(#[$meta])*
        #[derive(Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
        #[non_exhaustive]
        pub enum $name {
            $( $(#[$vmeta])* $variant, )+
            /// A value this version of the crate does not know, kept as sent.
            Unknown(String),
        }

        impl $name {
            /// Every value this version of the crate knows, in the API's order.
            pub const KNOWN: &'static [$name] = &[$($name::$variant),+];

            /// The value as it is written on the wire.
            pub fn as_str(&self) -> &str {
                match self {
                    $( $name::$variant => $wire, )+
                    $name::Unknown(other) => other.as_str(),
                }
            }

            /// Whether this is a value the crate does not know.
            pub fn is_unknown(&self) -> bool {
                matches!(self, $name::Unknown(_))
            }
        }

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str(self.as_str())
            }
        }

        impl std::str::FromStr for $name {
            type Err = std::convert::Infallible;

            /// Never fails: an unknown value becomes `Unknown`.
            fn from_str(s: &str) -> Result<Self, Self::Err> {
                Ok(match s {
                    $( $wire => $name::$variant, )+
                    other => $name::Unknown(other.to_owned()),
                })
            }
        }

        impl From<&str> for $name {
            fn from(s: &str) -> Self {
                match s.parse() {
                    Ok(v) => v,
                    Err(never) => match never {},
                }
            }
        }

        impl Serialize for $name {
            fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
                serializer.serialize_str(self.as_str())
            }
        }

        impl<'de> Deserialize<'de> for $name {
            fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
                let text = Cow::<'de, str>::deserialize(deserializer)?;
                Ok($name::from(text.as_ref()))
            }
        }

        impl schemars::JsonSchema for $name {
            fn schema_name() -> Cow<'static, str> {
                Cow::Borrowed(stringify!($name))
            }

            fn json_schema(_: &mut schemars::SchemaGenerator) -> schemars::Schema {
                // Known values are listed as examples, not as an `enum`: the set is open.
                schemars::json_schema!({
                    "type": "string",
                    "examples": [$($wire),+]
                })
            }
        }
    };
}

open_enum! {
    /// State of a task or of a session; a task takes the state of its most recent session.
    TaskState {
        /// Waiting to start.
        Queued => "queued",
        /// The agent is working.
        InProgress => "in_progress",
        /// The agent finished.
        Completed => "completed",
        /// The agent failed (see the session's error).
        Failed => "failed",
        /// The session went idle.
        Idle => "idle",
        /// The agent waits for an answer from a person.
        WaitingForUser => "waiting_for_user",
        /// The agent ran out of time.
        TimedOut => "timed_out",
        /// Somebody cancelled the task.
        Cancelled => "cancelled",
    }
}

impl TaskState {
    /// The task has ended and will not change on its own: completed, failed, timed out or
    /// cancelled. An unknown state is not terminal (keep polling; a deadline bounds the wait).
    pub fn is_terminal(&self) -> bool {
        matches!(
            self,
            TaskState::Completed | TaskState::Failed | TaskState::TimedOut | TaskState::Cancelled
        )
    }

    /// The task waits on a person (`idle` or `waiting_for_user`): neither running nor finished.
    pub fn needs_attention(&self) -> bool {
        matches!(self, TaskState::Idle | TaskState::WaitingForUser)
    }

    /// The task completed.
    pub fn is_success(&self) -> bool {
        matches!(self, TaskState::Completed)
    }

    /// The task is queued or running.
    pub fn is_active(&self) -> bool {
        matches!(self, TaskState::Queued | TaskState::InProgress)
    }
}

open_enum! {
    /// Who created a task.
    CreatorType {
        /// A user.
        User => "user",
        /// An organization.
        Organization => "organization",
    }
}

open_enum! {
    /// Namespace of an artifact.
    ArtifactProvider {
        /// GitHub.
        Github => "github",
    }
}

open_enum! {
    /// Kind of an artifact a task produced.
    ArtifactType {
        /// A pull request.
        Pull => "pull",
        /// A branch.
        Branch => "branch",
    }
}

open_enum! {
    /// Billing unit of a session's usage.
    UsageType {
        /// AI credits, in nano units (sessions since 2026-06-01).
        AiCredits => "ai_credits",
        /// Premium requests (older sessions); may be fractional.
        PremiumRequests => "premium_requests",
    }
}

open_enum! {
    /// Machine-readable code of one validation error in a 422 answer.
    ValidationErrorCode {
        /// A resource does not exist.
        Missing => "missing",
        /// A required field is missing.
        MissingField => "missing_field",
        /// A field is malformed.
        Invalid => "invalid",
        /// Another resource has the same value.
        AlreadyExists => "already_exists",
        /// The input could not be processed.
        Unprocessable => "unprocessable",
        /// See the error's message.
        Custom => "custom",
    }
}

/// The `data` of an artifact: its shape follows the artifact's `type`.
///
/// The spec declares a `oneOf` without a discriminator; this type tries each documented shape
/// in turn and keeps anything else as JSON.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(untagged)]
pub enum ArtifactData {
    /// A GitHub resource such as a pull request.
    Resource(crate::types::ArtifactResource),
    /// A branch.
    Branch(crate::types::ArtifactBranch),
    /// A shape this version of the crate does not know.
    Unknown(serde_json::Value),
}
