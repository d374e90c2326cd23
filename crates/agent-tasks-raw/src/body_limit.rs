//! A cap on the size of response bodies, so that a hostile or broken server cannot make the
//! client read without end.
//!
//! An answer that declares a `Content-Length` over the cap fails before its body is read; one
//! without a length (chunked, or ended by closing the connection) fails as soon as it passes
//! the cap. Either way the read fails with a `reqwest::Error` whose source chain holds a
//! [`BodyTooLarge`]. An answer whose declared length fits is left as it is: hyper never reads
//! past a `Content-Length`.

use bytes::Bytes;
use futures_util::{StreamExt, TryStreamExt};

/// A response body longer than the configured cap; found in the source chain of the error.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub struct BodyTooLarge {
    /// The cap, in bytes.
    pub limit: u64,
    /// The length the answer declared, if it declared one.
    pub declared: Option<u64>,
}

impl std::fmt::Display for BodyTooLarge {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self.declared {
            Some(n) => write!(
                f,
                "the answer's body is {n} bytes, over the limit of {} bytes",
                self.limit
            ),
            None => write!(
                f,
                "the answer's body is longer than the limit of {} bytes",
                self.limit
            ),
        }
    }
}

impl std::error::Error for BodyTooLarge {}

type BoxError = Box<dyn std::error::Error + Send + Sync>;

/// The response with its body capped at `limit` bytes.
pub(crate) fn cap(response: reqwest::Response, limit: u64) -> reqwest::Response {
    let declared = response.content_length();
    if declared.is_some_and(|n| n <= limit) {
        return response;
    }
    let response: http::Response<reqwest::Body> = response.into();
    let (parts, body) = response.into_parts();
    let body = if declared.is_some() {
        let error = BodyTooLarge { limit, declared };
        reqwest::Body::wrap_stream(futures_util::stream::once(async move {
            Err::<Bytes, BoxError>(Box::new(error))
        }))
    } else {
        let mut seen: u64 = 0;
        let chunks = http_body_util::BodyDataStream::new(body)
            .map_err(|e| -> BoxError { Box::new(e) })
            .map(move |chunk| {
                let chunk = chunk?;
                seen = seen.saturating_add(u64::try_from(chunk.len()).unwrap_or(u64::MAX));
                if seen > limit {
                    return Err::<Bytes, BoxError>(Box::new(BodyTooLarge {
                        limit,
                        declared: None,
                    }));
                }
                Ok(chunk)
            });
        reqwest::Body::wrap_stream(chunks)
    };
    reqwest::Response::from(http::Response::from_parts(parts, body))
}
