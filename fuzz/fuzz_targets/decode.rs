//! Every response decoder of the client, and the `Link` parser, on arbitrary bytes: they may
//! return errors, never panic.
#![no_main]

use agent_tasks::raw::types::{BasicError, TaskList};
use agent_tasks::{Artifact, Session, Task, TaskWithSessions};
use agent_tasks::list::Links;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let _ = serde_json::from_slice::<Task>(data);
    let _ = serde_json::from_slice::<TaskWithSessions>(data);
    let _ = serde_json::from_slice::<TaskList>(data);
    let _ = serde_json::from_slice::<BasicError>(data);
    let _ = serde_json::from_slice::<Artifact>(data);
    let _ = serde_json::from_slice::<Session>(data);
    if let Ok(text) = std::str::from_utf8(data) {
        let _ = Links::parse(text).next_page();
    }
});
