// @generated from openapi/agents.yaml by progenitor (the typed mocks); do not edit.
// Regenerate with `cargo xtask codegen`.

pub mod operations {
    //! [`When`](::httpmock::When) and [`Then`](::httpmock::Then)
    //! wrappers for each operation. Each can be converted to
    //! its inner type with a call to `into_inner()`. This can
    //! be used to explicitly deviate from permitted values.
    use crate::*;
    pub struct ListTasksForRepoWhen(::httpmock::When);
    impl ListTasksForRepoWhen {
        pub fn new(inner: ::httpmock::When) -> Self {
            Self(
                inner
                    .method(::httpmock::Method::GET)
                    .path_matches(
                        regex::Regex::new("^/agents/repos/[^/]*/[^/]*/tasks$").unwrap(),
                    ),
            )
        }
        pub fn into_inner(self) -> ::httpmock::When {
            self.0
        }
        pub fn owner(self, value: &str) -> Self {
            let re = regex::Regex::new(
                    &format!("^/agents/repos/{}/.*/tasks$", value.to_string()),
                )
                .unwrap();
            Self(self.0.path_matches(re))
        }
        pub fn repo(self, value: &str) -> Self {
            let re = regex::Regex::new(
                    &format!("^/agents/repos/.*/{}/tasks$", value.to_string()),
                )
                .unwrap();
            Self(self.0.path_matches(re))
        }
        pub fn creator_id<T>(self, value: T) -> Self
        where
            T: Into<Option<i64>>,
        {
            if let Some(value) = value.into() {
                Self(self.0.query_param("creator_id", value.to_string()))
            } else {
                Self(self.0.query_param_missing("creator_id"))
            }
        }
        pub fn direction<T>(self, value: T) -> Self
        where
            T: Into<Option<types::SortDirection>>,
        {
            if let Some(value) = value.into() {
                Self(self.0.query_param("direction", value.to_string()))
            } else {
                Self(self.0.query_param_missing("direction"))
            }
        }
        pub fn is_archived<T>(self, value: T) -> Self
        where
            T: Into<Option<bool>>,
        {
            if let Some(value) = value.into() {
                Self(self.0.query_param("is_archived", value.to_string()))
            } else {
                Self(self.0.query_param_missing("is_archived"))
            }
        }
        pub fn page<T>(self, value: T) -> Self
        where
            T: Into<Option<::std::num::NonZeroU64>>,
        {
            if let Some(value) = value.into() {
                Self(self.0.query_param("page", value.to_string()))
            } else {
                Self(self.0.query_param_missing("page"))
            }
        }
        pub fn per_page<T>(self, value: T) -> Self
        where
            T: Into<Option<::std::num::NonZeroU64>>,
        {
            if let Some(value) = value.into() {
                Self(self.0.query_param("per_page", value.to_string()))
            } else {
                Self(self.0.query_param_missing("per_page"))
            }
        }
        pub fn since<'a, T>(self, value: T) -> Self
        where
            T: Into<Option<&'a ::chrono::DateTime<::chrono::offset::Utc>>>,
        {
            if let Some(value) = value.into() {
                Self(self.0.query_param("since", value.to_string()))
            } else {
                Self(self.0.query_param_missing("since"))
            }
        }
        pub fn sort<T>(self, value: T) -> Self
        where
            T: Into<Option<types::TaskSort>>,
        {
            if let Some(value) = value.into() {
                Self(self.0.query_param("sort", value.to_string()))
            } else {
                Self(self.0.query_param_missing("sort"))
            }
        }
        pub fn state<'a, T>(self, value: T) -> Self
        where
            T: Into<Option<&'a str>>,
        {
            if let Some(value) = value.into() {
                Self(self.0.query_param("state", value.to_string()))
            } else {
                Self(self.0.query_param_missing("state"))
            }
        }
    }
    pub struct ListTasksForRepoThen(::httpmock::Then);
    impl ListTasksForRepoThen {
        pub fn new(inner: ::httpmock::Then) -> Self {
            Self(inner)
        }
        pub fn into_inner(self) -> ::httpmock::Then {
            self.0
        }
        pub fn ok(self, value: &types::TaskList) -> Self {
            Self(
                self
                    .0
                    .status(200u16)
                    .header("content-type", "application/json")
                    .json_body_obj(value),
            )
        }
        pub fn bad_request(self, value: &types::BasicError) -> Self {
            Self(
                self
                    .0
                    .status(400u16)
                    .header("content-type", "application/json")
                    .json_body_obj(value),
            )
        }
        pub fn unauthorized(self, value: &types::BasicError) -> Self {
            Self(
                self
                    .0
                    .status(401u16)
                    .header("content-type", "application/json")
                    .json_body_obj(value),
            )
        }
        pub fn forbidden(self, value: &types::BasicError) -> Self {
            Self(
                self
                    .0
                    .status(403u16)
                    .header("content-type", "application/json")
                    .json_body_obj(value),
            )
        }
        pub fn not_found(self, value: &types::BasicError) -> Self {
            Self(
                self
                    .0
                    .status(404u16)
                    .header("content-type", "application/json")
                    .json_body_obj(value),
            )
        }
        pub fn unprocessable_entity(self, value: &types::BasicError) -> Self {
            Self(
                self
                    .0
                    .status(422u16)
                    .header("content-type", "application/json")
                    .json_body_obj(value),
            )
        }
    }
    pub struct CreateTaskInRepoWhen(::httpmock::When);
    impl CreateTaskInRepoWhen {
        pub fn new(inner: ::httpmock::When) -> Self {
            Self(
                inner
                    .method(::httpmock::Method::POST)
                    .path_matches(
                        regex::Regex::new("^/agents/repos/[^/]*/[^/]*/tasks$").unwrap(),
                    ),
            )
        }
        pub fn into_inner(self) -> ::httpmock::When {
            self.0
        }
        pub fn owner(self, value: &str) -> Self {
            let re = regex::Regex::new(
                    &format!("^/agents/repos/{}/.*/tasks$", value.to_string()),
                )
                .unwrap();
            Self(self.0.path_matches(re))
        }
        pub fn repo(self, value: &str) -> Self {
            let re = regex::Regex::new(
                    &format!("^/agents/repos/.*/{}/tasks$", value.to_string()),
                )
                .unwrap();
            Self(self.0.path_matches(re))
        }
        pub fn body(self, value: &types::CreateTaskRequest) -> Self {
            Self(self.0.json_body_obj(value))
        }
    }
    pub struct CreateTaskInRepoThen(::httpmock::Then);
    impl CreateTaskInRepoThen {
        pub fn new(inner: ::httpmock::Then) -> Self {
            Self(inner)
        }
        pub fn into_inner(self) -> ::httpmock::Then {
            self.0
        }
        pub fn created(self, value: &types::Task) -> Self {
            Self(
                self
                    .0
                    .status(201u16)
                    .header("content-type", "application/json")
                    .json_body_obj(value),
            )
        }
        pub fn bad_request(self, value: &types::BasicError) -> Self {
            Self(
                self
                    .0
                    .status(400u16)
                    .header("content-type", "application/json")
                    .json_body_obj(value),
            )
        }
        pub fn unauthorized(self, value: &types::BasicError) -> Self {
            Self(
                self
                    .0
                    .status(401u16)
                    .header("content-type", "application/json")
                    .json_body_obj(value),
            )
        }
        pub fn forbidden(self, value: &types::BasicError) -> Self {
            Self(
                self
                    .0
                    .status(403u16)
                    .header("content-type", "application/json")
                    .json_body_obj(value),
            )
        }
        pub fn unprocessable_entity(self, value: &types::BasicError) -> Self {
            Self(
                self
                    .0
                    .status(422u16)
                    .header("content-type", "application/json")
                    .json_body_obj(value),
            )
        }
    }
    pub struct GetTaskByRepoAndIdWhen(::httpmock::When);
    impl GetTaskByRepoAndIdWhen {
        pub fn new(inner: ::httpmock::When) -> Self {
            Self(
                inner
                    .method(::httpmock::Method::GET)
                    .path_matches(
                        regex::Regex::new("^/agents/repos/[^/]*/[^/]*/tasks/[^/]*$")
                            .unwrap(),
                    ),
            )
        }
        pub fn into_inner(self) -> ::httpmock::When {
            self.0
        }
        pub fn owner(self, value: &str) -> Self {
            let re = regex::Regex::new(
                    &format!("^/agents/repos/{}/.*/tasks/.*$", value.to_string()),
                )
                .unwrap();
            Self(self.0.path_matches(re))
        }
        pub fn repo(self, value: &str) -> Self {
            let re = regex::Regex::new(
                    &format!("^/agents/repos/.*/{}/tasks/.*$", value.to_string()),
                )
                .unwrap();
            Self(self.0.path_matches(re))
        }
        pub fn task_id(self, value: &str) -> Self {
            let re = regex::Regex::new(
                    &format!("^/agents/repos/.*/.*/tasks/{}$", value.to_string()),
                )
                .unwrap();
            Self(self.0.path_matches(re))
        }
    }
    pub struct GetTaskByRepoAndIdThen(::httpmock::Then);
    impl GetTaskByRepoAndIdThen {
        pub fn new(inner: ::httpmock::Then) -> Self {
            Self(inner)
        }
        pub fn into_inner(self) -> ::httpmock::Then {
            self.0
        }
        pub fn ok(self, value: &types::TaskWithSessions) -> Self {
            Self(
                self
                    .0
                    .status(200u16)
                    .header("content-type", "application/json")
                    .json_body_obj(value),
            )
        }
        pub fn bad_request(self, value: &types::BasicError) -> Self {
            Self(
                self
                    .0
                    .status(400u16)
                    .header("content-type", "application/json")
                    .json_body_obj(value),
            )
        }
        pub fn unauthorized(self, value: &types::BasicError) -> Self {
            Self(
                self
                    .0
                    .status(401u16)
                    .header("content-type", "application/json")
                    .json_body_obj(value),
            )
        }
        pub fn forbidden(self, value: &types::BasicError) -> Self {
            Self(
                self
                    .0
                    .status(403u16)
                    .header("content-type", "application/json")
                    .json_body_obj(value),
            )
        }
        pub fn not_found(self, value: &types::BasicError) -> Self {
            Self(
                self
                    .0
                    .status(404u16)
                    .header("content-type", "application/json")
                    .json_body_obj(value),
            )
        }
        pub fn unprocessable_entity(self, value: &types::BasicError) -> Self {
            Self(
                self
                    .0
                    .status(422u16)
                    .header("content-type", "application/json")
                    .json_body_obj(value),
            )
        }
    }
    pub struct ListTasksWhen(::httpmock::When);
    impl ListTasksWhen {
        pub fn new(inner: ::httpmock::When) -> Self {
            Self(
                inner
                    .method(::httpmock::Method::GET)
                    .path_matches(regex::Regex::new("^/agents/tasks$").unwrap()),
            )
        }
        pub fn into_inner(self) -> ::httpmock::When {
            self.0
        }
        pub fn direction<T>(self, value: T) -> Self
        where
            T: Into<Option<types::SortDirection>>,
        {
            if let Some(value) = value.into() {
                Self(self.0.query_param("direction", value.to_string()))
            } else {
                Self(self.0.query_param_missing("direction"))
            }
        }
        pub fn is_archived<T>(self, value: T) -> Self
        where
            T: Into<Option<bool>>,
        {
            if let Some(value) = value.into() {
                Self(self.0.query_param("is_archived", value.to_string()))
            } else {
                Self(self.0.query_param_missing("is_archived"))
            }
        }
        pub fn page<T>(self, value: T) -> Self
        where
            T: Into<Option<::std::num::NonZeroU64>>,
        {
            if let Some(value) = value.into() {
                Self(self.0.query_param("page", value.to_string()))
            } else {
                Self(self.0.query_param_missing("page"))
            }
        }
        pub fn per_page<T>(self, value: T) -> Self
        where
            T: Into<Option<::std::num::NonZeroU64>>,
        {
            if let Some(value) = value.into() {
                Self(self.0.query_param("per_page", value.to_string()))
            } else {
                Self(self.0.query_param_missing("per_page"))
            }
        }
        pub fn since<'a, T>(self, value: T) -> Self
        where
            T: Into<Option<&'a ::chrono::DateTime<::chrono::offset::Utc>>>,
        {
            if let Some(value) = value.into() {
                Self(self.0.query_param("since", value.to_string()))
            } else {
                Self(self.0.query_param_missing("since"))
            }
        }
        pub fn sort<T>(self, value: T) -> Self
        where
            T: Into<Option<types::TaskSort>>,
        {
            if let Some(value) = value.into() {
                Self(self.0.query_param("sort", value.to_string()))
            } else {
                Self(self.0.query_param_missing("sort"))
            }
        }
        pub fn state<'a, T>(self, value: T) -> Self
        where
            T: Into<Option<&'a str>>,
        {
            if let Some(value) = value.into() {
                Self(self.0.query_param("state", value.to_string()))
            } else {
                Self(self.0.query_param_missing("state"))
            }
        }
    }
    pub struct ListTasksThen(::httpmock::Then);
    impl ListTasksThen {
        pub fn new(inner: ::httpmock::Then) -> Self {
            Self(inner)
        }
        pub fn into_inner(self) -> ::httpmock::Then {
            self.0
        }
        pub fn ok(self, value: &types::TaskList) -> Self {
            Self(
                self
                    .0
                    .status(200u16)
                    .header("content-type", "application/json")
                    .json_body_obj(value),
            )
        }
        pub fn bad_request(self, value: &types::BasicError) -> Self {
            Self(
                self
                    .0
                    .status(400u16)
                    .header("content-type", "application/json")
                    .json_body_obj(value),
            )
        }
        pub fn unauthorized(self, value: &types::BasicError) -> Self {
            Self(
                self
                    .0
                    .status(401u16)
                    .header("content-type", "application/json")
                    .json_body_obj(value),
            )
        }
        pub fn forbidden(self, value: &types::BasicError) -> Self {
            Self(
                self
                    .0
                    .status(403u16)
                    .header("content-type", "application/json")
                    .json_body_obj(value),
            )
        }
        pub fn unprocessable_entity(self, value: &types::BasicError) -> Self {
            Self(
                self
                    .0
                    .status(422u16)
                    .header("content-type", "application/json")
                    .json_body_obj(value),
            )
        }
    }
    pub struct GetTaskByIdWhen(::httpmock::When);
    impl GetTaskByIdWhen {
        pub fn new(inner: ::httpmock::When) -> Self {
            Self(
                inner
                    .method(::httpmock::Method::GET)
                    .path_matches(regex::Regex::new("^/agents/tasks/[^/]*$").unwrap()),
            )
        }
        pub fn into_inner(self) -> ::httpmock::When {
            self.0
        }
        pub fn task_id(self, value: &str) -> Self {
            let re = regex::Regex::new(&format!("^/agents/tasks/{}$", value.to_string()))
                .unwrap();
            Self(self.0.path_matches(re))
        }
    }
    pub struct GetTaskByIdThen(::httpmock::Then);
    impl GetTaskByIdThen {
        pub fn new(inner: ::httpmock::Then) -> Self {
            Self(inner)
        }
        pub fn into_inner(self) -> ::httpmock::Then {
            self.0
        }
        pub fn ok(self, value: &types::TaskWithSessions) -> Self {
            Self(
                self
                    .0
                    .status(200u16)
                    .header("content-type", "application/json")
                    .json_body_obj(value),
            )
        }
        pub fn bad_request(self, value: &types::BasicError) -> Self {
            Self(
                self
                    .0
                    .status(400u16)
                    .header("content-type", "application/json")
                    .json_body_obj(value),
            )
        }
        pub fn unauthorized(self, value: &types::BasicError) -> Self {
            Self(
                self
                    .0
                    .status(401u16)
                    .header("content-type", "application/json")
                    .json_body_obj(value),
            )
        }
        pub fn forbidden(self, value: &types::BasicError) -> Self {
            Self(
                self
                    .0
                    .status(403u16)
                    .header("content-type", "application/json")
                    .json_body_obj(value),
            )
        }
        pub fn not_found(self, value: &types::BasicError) -> Self {
            Self(
                self
                    .0
                    .status(404u16)
                    .header("content-type", "application/json")
                    .json_body_obj(value),
            )
        }
        pub fn unprocessable_entity(self, value: &types::BasicError) -> Self {
            Self(
                self
                    .0
                    .status(422u16)
                    .header("content-type", "application/json")
                    .json_body_obj(value),
            )
        }
    }
}
/// An extension trait for [`MockServer`](::httpmock::MockServer) that
/// adds a method for each operation. These are the equivalent of
/// type-checked [`mock()`](::httpmock::MockServer::mock) calls.
pub trait MockServerExt {
    fn list_tasks_for_repo<F>(&self, config_fn: F) -> ::httpmock::Mock<'_>
    where
        F: FnOnce(operations::ListTasksForRepoWhen, operations::ListTasksForRepoThen);
    fn create_task_in_repo<F>(&self, config_fn: F) -> ::httpmock::Mock<'_>
    where
        F: FnOnce(operations::CreateTaskInRepoWhen, operations::CreateTaskInRepoThen);
    fn get_task_by_repo_and_id<F>(&self, config_fn: F) -> ::httpmock::Mock<'_>
    where
        F: FnOnce(
            operations::GetTaskByRepoAndIdWhen,
            operations::GetTaskByRepoAndIdThen,
        );
    fn list_tasks<F>(&self, config_fn: F) -> ::httpmock::Mock<'_>
    where
        F: FnOnce(operations::ListTasksWhen, operations::ListTasksThen);
    fn get_task_by_id<F>(&self, config_fn: F) -> ::httpmock::Mock<'_>
    where
        F: FnOnce(operations::GetTaskByIdWhen, operations::GetTaskByIdThen);
}
impl MockServerExt for ::httpmock::MockServer {
    fn list_tasks_for_repo<F>(&self, config_fn: F) -> ::httpmock::Mock<'_>
    where
        F: FnOnce(operations::ListTasksForRepoWhen, operations::ListTasksForRepoThen),
    {
        self.mock(|when, then| {
            config_fn(
                operations::ListTasksForRepoWhen::new(when),
                operations::ListTasksForRepoThen::new(then),
            )
        })
    }
    fn create_task_in_repo<F>(&self, config_fn: F) -> ::httpmock::Mock<'_>
    where
        F: FnOnce(operations::CreateTaskInRepoWhen, operations::CreateTaskInRepoThen),
    {
        self.mock(|when, then| {
            config_fn(
                operations::CreateTaskInRepoWhen::new(when),
                operations::CreateTaskInRepoThen::new(then),
            )
        })
    }
    fn get_task_by_repo_and_id<F>(&self, config_fn: F) -> ::httpmock::Mock<'_>
    where
        F: FnOnce(
            operations::GetTaskByRepoAndIdWhen,
            operations::GetTaskByRepoAndIdThen,
        ),
    {
        self.mock(|when, then| {
            config_fn(
                operations::GetTaskByRepoAndIdWhen::new(when),
                operations::GetTaskByRepoAndIdThen::new(then),
            )
        })
    }
    fn list_tasks<F>(&self, config_fn: F) -> ::httpmock::Mock<'_>
    where
        F: FnOnce(operations::ListTasksWhen, operations::ListTasksThen),
    {
        self.mock(|when, then| {
            config_fn(
                operations::ListTasksWhen::new(when),
                operations::ListTasksThen::new(then),
            )
        })
    }
    fn get_task_by_id<F>(&self, config_fn: F) -> ::httpmock::Mock<'_>
    where
        F: FnOnce(operations::GetTaskByIdWhen, operations::GetTaskByIdThen),
    {
        self.mock(|when, then| {
            config_fn(
                operations::GetTaskByIdWhen::new(when),
                operations::GetTaskByIdThen::new(then),
            )
        })
    }
}
