//! The vocabulary generated from the spec behaves: every known value of every open enum
//! round-trips through its wire name and is not `Unknown`, every known task state has a class,
//! and `OPERATIONS` names each operation once.

use agent_tasks_raw::{
    ArtifactProvider, ArtifactType, CreatorType, OPERATIONS, StateClass, TaskState, UsageType,
    ValidationErrorCode,
};

macro_rules! round_trip {
    ($($ty:ident),+) => {$(
        assert!(!$ty::KNOWN.is_empty(), "{} knows no value", stringify!($ty));
        for v in $ty::KNOWN {
            assert!(!v.is_unknown(), "{}::{v:?}", stringify!($ty));
            assert_eq!(&$ty::from(v.as_str()), v, "{}", stringify!($ty));
            let json = serde_json::to_value(v).unwrap();
            assert_eq!(serde_json::from_value::<$ty>(json).unwrap(), *v);
        }
    )+};
}

#[test]
fn every_known_value_round_trips() {
    round_trip!(
        TaskState,
        CreatorType,
        ArtifactProvider,
        ArtifactType,
        UsageType,
        ValidationErrorCode
    );
}

#[test]
fn every_known_state_has_a_class_and_every_class_a_state() {
    for state in TaskState::KNOWN {
        assert!(state.class().is_some(), "{state}");
    }
    for class in StateClass::ALL {
        assert!(TaskState::of_class(class).next().is_some(), "{class:?}");
    }
    let unknown = TaskState::from("not-a-state-of-this-api");
    assert!(unknown.is_unknown());
    assert_eq!(unknown.class(), None);
    assert!(!unknown.is_terminal() && !unknown.needs_attention());
}

#[test]
fn operations_are_named_once_each() {
    let mut ids: Vec<&str> = OPERATIONS.iter().map(|o| o.id).collect();
    ids.sort_unstable();
    ids.dedup();
    assert_eq!(ids.len(), OPERATIONS.len(), "{OPERATIONS:?}");
    for op in OPERATIONS {
        assert!(op.path.starts_with('/'), "{op:?}");
        assert!(
            ["GET", "POST", "PUT", "PATCH", "DELETE"].contains(&op.method),
            "{op:?}"
        );
    }
}
