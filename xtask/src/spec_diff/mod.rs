//! `cargo xtask spec-diff`: compares `openapi/agents.yaml` with GitHub's published description,
//! operation by operation, semantically.
//!
//! Both documents are read as plain JSON values; every `$ref` is resolved and every `allOf` is
//! merged before comparing, so factoring an inline schema into a named component is not a
//! difference. Descriptions, summaries and examples are ignored unless asked for. Each
//! difference is labelled breaking (for this client) or additive, and checked against the
//! deliberate deviations listed in `openapi/deviations.yaml`.
//!
//! Three layers, each importing only the ones below it: `load` (documents and their
//! operations), `compare` (the differences), `deviations` (the listed ones and the report).

mod compare;
mod deviations;
mod load;

pub use compare::{Options, compare};
pub use deviations::{parse_deviations, report};
pub use load::parse_document;
