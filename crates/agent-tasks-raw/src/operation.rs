//! An operation of the spec, as [`OPERATIONS`](crate::OPERATIONS) lists them.

/// One operation of the spec: what the SDK, the fake and the CLI each check they cover.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub struct Operation {
    /// The `operationId`, as the generated client's method is named (`get_task_by_id`).
    pub id: &'static str,
    /// The HTTP method, upper case.
    pub method: &'static str,
    /// The path template, as the spec writes it (`/agents/tasks/{task_id}`).
    pub path: &'static str,
}
