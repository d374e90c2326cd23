//! Nothing to call: this crate exists for its manifest, which depends on `agent-tasks-raw` with
//! the `codegen` feature. As a default member of the workspace it makes a plain `cargo build`
//! (and every `--workspace` command) generate the raw client from `openapi/agents.yaml`, while
//! the published crates never name the feature. See README.md, "How the code is made".
#![forbid(unsafe_code)]
