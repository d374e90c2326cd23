//! What GitHub checks before it looks at the operation, in its order: a user agent, a token
//! it knows (installation tokens are refused by this API), and a supported API version. The
//! answers carry GitHub's own messages, so a client's error mapping can be tested here.

use hyper::HeaderMap;
use hyper::StatusCode;

use crate::answer::Answer;
use crate::store::Store;

/// API versions the fake accepts, as GitHub does for this API.
pub const SUPPORTED_API_VERSIONS: [&str; 2] = ["2022-11-28", "2026-03-10"];

/// The caller, once checked.
#[derive(Debug, Clone)]
pub(crate) struct Caller {
    pub id: i64,
    pub login: String,
}

/// Checks the request's headers; the caller, or the answer that refuses them.
pub(crate) fn check(store: &Store, headers: &HeaderMap) -> Result<Caller, Answer> {
    // A header that is not visible ASCII counts as absent, as it would behind GitHub's proxy.
    let header = |name: &str| headers.get(name).and_then(|v| v.to_str().ok());
    if header("user-agent").is_none_or(|ua| ua.trim().is_empty()) {
        return Err(Answer::error(
            StatusCode::FORBIDDEN,
            "Request forbidden by administrative rules. Please make sure your request has a User-Agent header (https://docs.github.com/en/rest/overview/resources-in-the-rest-api#user-agent-required). Check https://developer.github.com for other possible causes.",
        ));
    }
    let Some(auth) = header("authorization") else {
        return Err(Answer::error(
            StatusCode::UNAUTHORIZED,
            "Requires authentication",
        ));
    };
    let token = auth
        .strip_prefix("Bearer ")
        .or_else(|| auth.strip_prefix("token "))
        .unwrap_or("");
    if token.starts_with("ghs_") {
        return Err(Answer::error(
            StatusCode::FORBIDDEN,
            "GitHub App installation access tokens are not supported for this endpoint.",
        ));
    }
    let Some((id, user)) = store.user_by_token(token) else {
        return Err(Answer::error(StatusCode::UNAUTHORIZED, "Bad credentials"));
    };
    if let Some(raw) = headers.get("x-github-api-version") {
        let version = raw.to_str().unwrap_or("");
        if !SUPPORTED_API_VERSIONS.contains(&version) {
            return Err(Answer::error(
                StatusCode::BAD_REQUEST,
                &format!(
                    "API version '{version}' is not supported. Supported: {}.",
                    SUPPORTED_API_VERSIONS.join(", ")
                ),
            ));
        }
    }
    Ok(Caller {
        id,
        login: user.login.clone(),
    })
}
