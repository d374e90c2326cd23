//! What every request of a [`Client`] carries, whoever built its `reqwest::Client`: the
//! defaults below, GitHub's `Accept` media type, and the cap on response bodies.

use progenitor_client::ClientInfo;

use crate::body_limit;
use crate::generated::Client;

/// The `Accept` media type GitHub recommends for its REST API.
pub const GITHUB_MEDIA_TYPE: &str = "application/vnd.github+json";

/// Headers and limits that every request of a [`Client`] carries.
///
/// The ergonomic crate puts `Authorization`, `X-GitHub-Api-Version` and `User-Agent` here, so
/// that they are sent whichever `reqwest::Client` the caller brings. Header values marked
/// sensitive (the token) never show in `Debug`.
#[derive(Clone, Default)]
#[non_exhaustive]
pub struct RequestDefaults {
    /// Headers set on every request, replacing any of the same name.
    pub headers: reqwest::header::HeaderMap,
    /// A total timeout for each request, if any.
    pub timeout: Option<std::time::Duration>,
    /// The largest response body read, in bytes; a longer one fails with [`crate::BodyTooLarge`]
    /// in its error's source chain. `None`: no cap.
    pub max_response_bytes: Option<u64>,
}

impl RequestDefaults {
    /// Defaults with these headers, no timeout and no cap.
    pub fn new(headers: reqwest::header::HeaderMap) -> Self {
        RequestDefaults {
            headers,
            ..RequestDefaults::default()
        }
    }

    /// Sets a total timeout for each request.
    pub fn with_timeout(mut self, timeout: Option<std::time::Duration>) -> Self {
        self.timeout = timeout;
        self
    }

    /// Sets the largest response body read.
    pub fn with_max_response_bytes(mut self, max: Option<u64>) -> Self {
        self.max_response_bytes = max;
        self
    }
}

impl std::fmt::Debug for RequestDefaults {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        // Names only: values may be secret even when not marked so.
        f.debug_struct("RequestDefaults")
            .field("headers", &self.headers.keys().collect::<Vec<_>>())
            .field("timeout", &self.timeout)
            .field("max_response_bytes", &self.max_response_bytes)
            .finish()
    }
}

impl progenitor_client::ClientHooks<RequestDefaults> for Client {
    async fn pre<E>(
        &self,
        request: &mut reqwest::Request,
        _info: &progenitor_client::OperationInfo,
    ) -> Result<(), crate::generated::Error<E>> {
        // progenitor's `api-version` header (the spec's `info.version`) is taken out of the
        // generated code (`codegen_passes.rs`): GitHub reads `X-GitHub-Api-Version`, which
        // `RequestDefaults` carries.
        let defaults = self.inner();
        let headers = request.headers_mut();
        headers.reserve(defaults.headers.len());
        // The generated code asks for `application/json`, which would override a default header.
        headers.insert(
            reqwest::header::ACCEPT,
            reqwest::header::HeaderValue::from_static(GITHUB_MEDIA_TYPE),
        );
        for (name, value) in &defaults.headers {
            headers.insert(name.clone(), value.clone());
        }
        if let Some(timeout) = defaults.timeout {
            *request.timeout_mut() = Some(timeout);
        }
        Ok(())
    }

    /// Sends the request and caps the answer's body at [`RequestDefaults::max_response_bytes`].
    async fn exec(
        &self,
        request: reqwest::Request,
        _info: &progenitor_client::OperationInfo,
    ) -> reqwest::Result<reqwest::Response> {
        let response = self.client().execute(request).await?;
        Ok(match self.inner().max_response_bytes {
            Some(max) => body_limit::cap(response, max),
            None => response,
        })
    }
}
