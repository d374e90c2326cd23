//! How the generated client turns a success answer into a [`ResponseValue`]: as progenitor's
//! `ResponseValue::from_response`, but the answer's headers are taken from it rather than
//! copied (progenitor clones every header of every answer, then drops the original).
//! The generator sends every operation here (`codegen_passes.rs`).

use progenitor_client::{Error, ResponseValue};
use serde::de::DeserializeOwned;

/// The answer's body decoded as `T`, with its status and headers.
pub(crate) async fn from_response<T: DeserializeOwned, E>(
    mut response: reqwest::Response,
) -> Result<ResponseValue<T>, Error<E>> {
    let status = response.status();
    // The body is read without them: reqwest looks at headers only to decode text.
    let headers = std::mem::take(response.headers_mut());
    let full = response.bytes().await.map_err(Error::ResponseBodyError)?;
    let inner =
        serde_json::from_slice(&full).map_err(|e| Error::InvalidResponsePayload(full, e))?;
    Ok(ResponseValue::new(inner, status, headers))
}
