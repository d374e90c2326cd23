//! What progenitor and `codegen.rs` make of `openapi/agents.yaml`: the client, its builders and
//! types, the open enums and `OPERATIONS` (see `build.rs`). Nothing here is written by hand.

include!(concat!(env!("OUT_DIR"), "/agents.rs"));
