//! `GET /user`: who the token is, as GitHub's authenticated-user operation answers (the few
//! fields a client needs to name the caller).

use hyper::StatusCode;
use serde_json::json;

use crate::answer::Answer;
use crate::auth::Caller;

/// The caller as a user object.
pub(super) fn me(caller: &Caller) -> Answer {
    Answer::json(
        StatusCode::OK,
        &json!({"login": caller.login, "id": caller.id, "type": "User"}),
    )
}
