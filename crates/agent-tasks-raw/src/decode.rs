//! How the generated client turns a success answer into a [`ResponseValue`]: as progenitor's
//! `ResponseValue::from_response`, but the answer's headers are taken from it rather than
//! copied (progenitor clones every header of every answer, then drops the original).
//! The generator sends every operation here (`codegen_passes.rs`). It follows progenitor-client
//! 0.15.1's function step for step (status, headers, body, JSON, the same error variants):
//! when progenitor is upgraded, compare the two.

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

#[cfg(test)]
mod tests {
    use super::from_response;
    use progenitor_client::Error;

    fn answer(status: u16, body: &'static str) -> reqwest::Response {
        let answer = http::Response::builder()
            .status(status)
            .header("etag", "\"v1\"")
            .header("x-ratelimit-remaining", "41")
            .body(reqwest::Body::from(body))
            .unwrap();
        reqwest::Response::from(answer)
    }

    #[tokio::test]
    async fn the_value_keeps_the_answers_status_and_headers() {
        let value = from_response::<serde_json::Value, ()>(answer(201, r#"{"id":"t1"}"#))
            .await
            .unwrap();
        assert_eq!(value.status(), 201);
        assert_eq!(value.headers()["etag"], "\"v1\"");
        assert_eq!(value.headers()["x-ratelimit-remaining"], "41");
        assert_eq!(value.into_inner()["id"], "t1");
    }

    #[tokio::test]
    async fn a_body_that_does_not_decode_keeps_its_bytes() {
        let error = from_response::<serde_json::Value, ()>(answer(200, "{not json"))
            .await
            .unwrap_err();
        let Error::InvalidResponsePayload(bytes, _) = error else {
            panic!("not a payload error: {error:?}");
        };
        assert_eq!(&bytes[..], b"{not json");
    }
}
