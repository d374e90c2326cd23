//! The HTTP layer: the accept loop, reading a request with its body capped, and the pipeline
//! every API request goes through (faults, rate limit, auth, the operation, ETag/304, a cut
//! body), then the response with its common headers.
//!
//! hyper is used directly (no framework) because a fault must be able to drop a connection
//! without an answer, even after the request was handled: the service returns an error and
//! hyper closes the connection.
//!
//! Everything a client sends is hostile: the head is capped and timed by hyper, the body by
//! [`read_body`], connections by a semaphore, and no request can make the accept loop spin.

use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;

use bytes::{Bytes, BytesMut};
use http_body_util::{BodyExt, Full};
use hyper::body::{Body as _, Incoming};
use hyper::header::{HOST, IF_NONE_MATCH};
use hyper::http::request::Parts;
use hyper::{Method, Request, Response, StatusCode};
use hyper_util::rt::{TokioIo, TokioTimer};
use serde_json::json;
use tokio::net::TcpListener;
use tokio::sync::{Semaphore, watch};

use crate::answer::Answer;
use crate::api;
use crate::api::{Route, UNKNOWN};
use crate::auth;
use crate::clock::http_date;
use crate::control;
use crate::faults::Drawn;
use crate::limits::{
    HEADER_READ_TIMEOUT_SECS, MAX_API_BODY_BYTES, MAX_CONNECTIONS, MAX_CONTROL_BODY_BYTES,
    MAX_DISCARDED_BODY_BYTES, MAX_HEADER_BYTES,
};
use crate::store::{Shared, Store, lock};

/// How long the accept loop waits after a failed accept (out of file descriptors, say).
const ACCEPT_BACKOFF: Duration = Duration::from_millis(50);

/// The error a service returns to make hyper drop the connection without an answer.
#[derive(Debug)]
struct Dropped;

impl std::fmt::Display for Dropped {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("connection dropped without an answer")
    }
}

impl std::error::Error for Dropped {}

type Reply = Result<Response<Full<Bytes>>, Dropped>;

/// Accepts connections until `shutdown` fires (or its sender is gone).
pub(crate) async fn serve(
    listener: TcpListener,
    shared: Shared,
    local: SocketAddr,
    mut shutdown: watch::Receiver<bool>,
) {
    let slots = Arc::new(Semaphore::new(MAX_CONNECTIONS));
    loop {
        // Waiting for a free slot before accepting leaves extra connections in the backlog.
        let slot = tokio::select! {
            slot = slots.clone().acquire_owned() => match slot {
                Ok(slot) => slot,
                Err(_) => break,
            },
            _ = shutdown.changed() => break,
        };
        let accepted = tokio::select! {
            accepted = listener.accept() => accepted,
            _ = shutdown.changed() => break,
        };
        let stream = match accepted {
            Ok((stream, _)) => stream,
            Err(_) => {
                // A persistent error would otherwise spin this loop at full speed.
                tokio::select! {
                    () = tokio::time::sleep(ACCEPT_BACKOFF) => continue,
                    _ = shutdown.changed() => break,
                }
            }
        };
        let _ = stream.set_nodelay(true);
        let shared = shared.clone();
        tokio::spawn(async move {
            let _slot = slot;
            let service = hyper::service::service_fn(move |req| handle(shared.clone(), local, req));
            let mut http = hyper::server::conn::http1::Builder::new();
            http.timer(TokioTimer::new())
                .header_read_timeout(Duration::from_secs(HEADER_READ_TIMEOUT_SECS))
                .max_header_size(MAX_HEADER_BYTES)
                .keep_alive(true);
            let _ = http.serve_connection(TokioIo::new(stream), service).await;
        });
    }
}

async fn handle(shared: Shared, local: SocketAddr, req: Request<Incoming>) -> Reply {
    if req.uri().path().starts_with(control::PREFIX) {
        Ok(control_request(&shared, req).await)
    } else {
        api_request(&shared, local, req).await
    }
}

/// `/_fake/...`: no faults, no auth, not counted.
async fn control_request(shared: &Shared, req: Request<Incoming>) -> Response<Full<Bytes>> {
    let (parts, body) = req.into_parts();
    let body = read_body(body, MAX_CONTROL_BODY_BYTES).await;
    let mut store = lock(shared);
    let answer = match body {
        Ok(body) => control::answer(&mut store, &parts.method, parts.uri.path(), &body),
        Err(BodyError::TooLarge) => Answer::too_large(MAX_CONTROL_BODY_BYTES),
        Err(BodyError::Broken) => Answer::error(
            StatusCode::BAD_REQUEST,
            "the request body could not be read",
        ),
    };
    answer.into_response(&http_date(store.clock.now()))
}

/// An API request, through the whole pipeline.
async fn api_request(shared: &Shared, local: SocketAddr, req: Request<Incoming>) -> Reply {
    let route = Route::parse(req.method(), req.uri().path());
    let operation = route.as_ref().map_or(UNKNOWN, Route::name);

    // Faults that strike before the request is handled.
    let drawn = lock(shared).draw_faults();
    if drawn.faults.latency_ms > 0 {
        tokio::time::sleep(Duration::from_millis(drawn.faults.latency_ms)).await;
    }
    if drawn.drop {
        lock(shared).count(operation, 0);
        return Err(Dropped);
    }

    let (parts, body) = req.into_parts();
    let body = read_body(body, MAX_API_BODY_BYTES).await;
    let base = base_url(&parts, local);
    let mut store = lock(shared);
    let request_id = store.next_request_id();
    let answer = match body {
        Ok(body) => {
            let req = api::Request {
                path: parts.uri.path(),
                query: parts.uri.query(),
                body: &body,
                base: &base,
                now: store.clock.now(),
            };
            handle_api(&mut store, &drawn, route.as_ref(), &parts, &req)
        }
        // Refused in front of everything else, as GitHub's front end does.
        Err(BodyError::TooLarge) => Ok(Answer::too_large(MAX_API_BODY_BYTES)),
        Err(BodyError::Broken) => Err(Dropped),
    };
    let Ok(answer) = answer else {
        store.count(operation, 0);
        return Err(Dropped);
    };
    store.count(operation, answer.status.as_u16());
    Ok(answer
        .header("x-github-request-id", request_id)
        .into_response(&http_date(store.clock.now())))
}

/// The steps of an API request once its body is read: primary rate limit, secondary limits
/// and server errors, what GitHub checks, the operation, a drop after a stored creation,
/// ETag/304 and a body cut short.
fn handle_api(
    store: &mut Store,
    drawn: &Drawn,
    route: Option<&Route>,
    parts: &Parts,
    req: &api::Request,
) -> Result<Answer, Dropped> {
    let faults = &drawn.faults;
    let mut rate_headers = Vec::new();
    if let Some(limit) = faults.primary_limit {
        match store.rate.charge(limit, faults.primary_window(), req.now) {
            Ok(headers) => rate_headers = headers,
            Err(headers) => return Ok(Answer::error(
                StatusCode::FORBIDDEN,
                "API rate limit exceeded for user ID 1. If you reach out to GitHub Support for help, please include the request ID.",
            )
            .headers(headers)),
        }
    }

    let answer = if let Some(status) = drawn.secondary {
        let answer = Answer::error(
            status,
            "You have exceeded a secondary rate limit. Please wait a few minutes before you try again.",
        );
        if faults.retry_after_secs > 0 {
            answer.header("retry-after", faults.retry_after_secs.to_string())
        } else {
            answer
        }
    } else if let Some(status) = drawn.error {
        Answer::json(status, &json!({"message": "Server Error"}))
    } else {
        match (auth::check(store, &parts.headers), route) {
            (Err(refusal), _) => refusal,
            (Ok(_), None) => Answer::not_found(),
            (Ok(caller), Some(route)) => api::answer(store, route, req, &caller),
        }
    };

    if matches!(route, Some(Route::Create { .. }))
        && answer.status == StatusCode::CREATED
        && drawn.drop_after_store(&mut store.rng)
    {
        if let Some(id) = store.tasks().last().map(|t| t.id.clone()) {
            store.note_dropped_after_store(&id);
        }
        return Err(Dropped);
    }

    let mut answer = answer.headers(rate_headers);
    if parts.method == Method::GET && answer.status == StatusCode::OK {
        let charged = faults.primary_limit.is_some();
        answer = conditional(store, answer, parts, charged);
    }
    if answer.status.is_success()
        && answer.status != StatusCode::NOT_MODIFIED
        && drawn.malformed(&mut store.rng)
    {
        answer.body = answer.body.slice(..answer.body.len() / 2);
    }
    Ok(answer)
}

/// Adds the `ETag` of a 200 and turns it into a 304 when `If-None-Match` names it; GitHub
/// does not charge a 304 to the rate limit, so its charge is given back.
fn conditional(store: &mut Store, answer: Answer, parts: &Parts, charged: bool) -> Answer {
    let etag = format!("\"{:016x}\"", fnv1a(&answer.body));
    let matches = parts
        .headers
        .get_all(IF_NONE_MATCH)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(','))
        .map(str::trim)
        .any(|tag| tag == "*" || tag.strip_prefix("W/").unwrap_or(tag) == etag);
    let answer = if matches {
        if charged {
            store.rate.refund();
        }
        Answer {
            status: StatusCode::NOT_MODIFIED,
            body: Bytes::new(),
            headers: answer.headers,
        }
    } else {
        answer
    };
    answer.header("etag", etag)
}

fn fnv1a(bytes: &[u8]) -> u64 {
    bytes.iter().fold(0xcbf2_9ce4_8422_2325u64, |h, b| {
        (h ^ u64::from(*b)).wrapping_mul(0x0100_0000_01b3)
    })
}

/// `http://host` for the URLs in answers: the request's `Host` if it looks like one, else the
/// address the fake listens on (a hostile `Host` must not end up in `Link` headers).
fn base_url(parts: &Parts, local: SocketAddr) -> String {
    let host = parts
        .headers
        .get(HOST)
        .and_then(|v| v.to_str().ok())
        .filter(|h| {
            (1..=255).contains(&h.len())
                && h.bytes()
                    .all(|b| b.is_ascii_alphanumeric() || b"-._:[]".contains(&b))
        });
    match host {
        Some(host) => format!("http://{host}"),
        None => format!("http://{local}"),
    }
}

/// Why a body was not read.
#[derive(Debug)]
enum BodyError {
    /// Longer than the cap.
    TooLarge,
    /// The connection broke or the framing was invalid.
    Broken,
}

/// Reads a body of at most `cap` bytes. A longer one is read on and thrown away up to
/// [`MAX_DISCARDED_BODY_BYTES`] more, so that a client still writing can read the 413; one
/// declared or found longer than that is refused at once.
async fn read_body(mut body: Incoming, cap: usize) -> Result<Bytes, BodyError> {
    let give_up = cap.saturating_add(MAX_DISCARDED_BODY_BYTES);
    let declared = body.size_hint().lower();
    if usize::try_from(declared).map_or(true, |n| n > give_up) {
        return Err(BodyError::TooLarge);
    }
    let mut buf = BytesMut::new();
    let mut seen = 0usize;
    while let Some(frame) = body.frame().await {
        let frame = frame.map_err(|_| BodyError::Broken)?;
        let Ok(data) = frame.into_data() else {
            continue; // trailers
        };
        seen = seen.saturating_add(data.len());
        if seen > give_up {
            return Err(BodyError::TooLarge);
        }
        if seen <= cap {
            buf.extend_from_slice(&data);
        } else if !buf.is_empty() {
            buf = BytesMut::new();
        }
    }
    if seen > cap {
        Err(BodyError::TooLarge)
    } else {
        Ok(buf.freeze())
    }
}
