//! The hand-written open enums know exactly the values the spec lists: when the spec gains a
//! value (the preview API grew), this fails and names the type to extend.

use agent_tasks_raw::{
    ArtifactProvider, ArtifactType, CreatorType, TaskState, UsageType, ValidationErrorCode,
};

fn spec_enum(schema: &str) -> Vec<String> {
    let path = concat!(env!("CARGO_MANIFEST_DIR"), "/../../openapi/agents.yaml");
    let spec: serde_json::Value =
        serde_yaml::from_str(&std::fs::read_to_string(path).unwrap()).unwrap();
    spec["components"]["schemas"][schema]["enum"]
        .as_array()
        .unwrap_or_else(|| panic!("{schema} has no enum in the spec"))
        .iter()
        .map(|v| v.as_str().unwrap().to_owned())
        .collect()
}

macro_rules! check {
    ($($ty:ident),+) => {$(
        let known: Vec<String> = $ty::KNOWN.iter().map(|v| v.as_str().to_owned()).collect();
        assert_eq!(
            known,
            spec_enum(stringify!($ty)),
            "open enum `{}` (crates/agent-tasks-raw/src/open_enums.rs) differs from the spec",
            stringify!($ty)
        );
        for v in $ty::KNOWN {
            assert!(!v.is_unknown());
        }
    )+};
}

#[test]
fn open_enums_know_every_value_of_the_spec() {
    check!(
        TaskState,
        CreatorType,
        ArtifactProvider,
        ArtifactType,
        UsageType,
        ValidationErrorCode
    );
}
