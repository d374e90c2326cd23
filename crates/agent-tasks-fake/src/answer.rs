//! An answer before it becomes an HTTP response: status, JSON body and extra headers, with
//! GitHub's error shapes (`{"message", "documentation_url"}`, and `errors[]` for a 422).
//!
//! Handlers build answers; the HTTP layer adds the common headers (request id, rate limit,
//! ETag, `Date`) and turns them into responses, so every answer leaves the same way.

use bytes::Bytes;
use http_body_util::Full;
use hyper::header::{CONTENT_TYPE, DATE, HeaderValue};
use hyper::{Response, StatusCode};
use serde_json::{Value, json};

/// Where GitHub's errors for this API point.
pub(crate) const DOCS: &str = "https://docs.github.com/rest/agent-tasks/agent-tasks";

/// A status, a body and extra headers.
#[derive(Debug)]
pub(crate) struct Answer {
    pub status: StatusCode,
    pub body: Bytes,
    pub headers: Vec<(&'static str, String)>,
}

impl Answer {
    /// `value` as the JSON body.
    pub(crate) fn json(status: StatusCode, value: &Value) -> Self {
        Answer {
            status,
            // Serializing a `Value` cannot fail (its keys are strings, its numbers finite).
            body: Bytes::from(serde_json::to_vec(value).unwrap_or_default()),
            headers: Vec::new(),
        }
    }

    /// GitHub's error shape.
    pub(crate) fn error(status: StatusCode, message: &str) -> Self {
        Answer::json(
            status,
            &json!({"message": message, "documentation_url": DOCS}),
        )
    }

    /// `422 Validation Failed` with these `errors`.
    pub(crate) fn validation(errors: Value) -> Self {
        Answer::json(
            StatusCode::UNPROCESSABLE_ENTITY,
            &json!({"message": "Validation Failed", "documentation_url": DOCS, "errors": errors}),
        )
    }

    /// `422` for a field whose value GitHub would not accept.
    pub(crate) fn invalid(resource: &str, field: &str) -> Self {
        Answer::validation(json!([{"resource": resource, "field": field, "code": "invalid"}]))
    }

    /// `404 Not Found`, as GitHub answers for anything the caller may not see.
    pub(crate) fn not_found() -> Self {
        Answer::error(StatusCode::NOT_FOUND, "Not Found")
    }

    /// `413`, naming the cap.
    pub(crate) fn too_large(cap: usize) -> Self {
        Answer::error(
            StatusCode::PAYLOAD_TOO_LARGE,
            &format!("Request body is too large: the limit is {cap} bytes."),
        )
    }

    /// Adds a header.
    pub(crate) fn header(mut self, name: &'static str, value: impl Into<String>) -> Self {
        self.headers.push((name, value.into()));
        self
    }

    /// Adds headers.
    pub(crate) fn headers(mut self, headers: Vec<(&'static str, String)>) -> Self {
        self.headers.extend(headers);
        self
    }

    /// The response, with `date` (an HTTP-date) as its `Date` header. hyper adds its own
    /// (wall clock) `Date` only to responses without one.
    pub(crate) fn into_response(self, date: &str) -> Response<Full<Bytes>> {
        let mut response = Response::new(Full::new(self.body));
        *response.status_mut() = self.status;
        let headers = response.headers_mut();
        if self.status != StatusCode::NOT_MODIFIED {
            headers.insert(
                CONTENT_TYPE,
                HeaderValue::from_static("application/json; charset=utf-8"),
            );
        }
        if let Ok(date) = HeaderValue::from_str(date) {
            headers.insert(DATE, date);
        }
        // A value that cannot be a header (it never should) is left out rather than sent broken.
        for (name, value) in self.headers {
            if let Ok(v) = HeaderValue::from_str(&value) {
                headers.append(name, v);
            }
        }
        response
    }
}
