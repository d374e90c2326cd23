//! The parts of a request the operations read besides its route, gathered by the HTTP layer
//! once the body is read within its cap.

use chrono::{DateTime, Utc};

/// What an operation reads of the request, besides its route.
#[derive(Debug)]
pub(crate) struct Request<'a> {
    /// The path, for the links of list pages.
    pub path: &'a str,
    /// The raw query string.
    pub query: Option<&'a str>,
    /// The body, already capped.
    pub body: &'a [u8],
    /// `http://host:port`, for the URLs in answers.
    pub base: &'a str,
    /// The fake's time of the request.
    pub now: DateTime<Utc>,
}
