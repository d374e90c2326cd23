//! The `data` of an artifact, which the spec declares as a `oneOf` without a discriminator.

use serde::{Deserialize, Serialize};

use crate::generated::types::{ArtifactBranch, ArtifactResource};

/// The `data` of an artifact: its shape follows the artifact's `type`.
///
/// The spec declares a `oneOf` without a discriminator; this type tries each documented shape
/// in turn and keeps anything else as JSON.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(untagged)]
pub enum ArtifactData {
    /// A GitHub resource such as a pull request.
    Resource(ArtifactResource),
    /// A branch.
    Branch(ArtifactBranch),
    /// A shape this version of the crate does not know.
    Unknown(serde_json::Value),
}
