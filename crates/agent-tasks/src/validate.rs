//! Checks on every argument before a request leaves the process, and on every id the server
//! hands back before it goes into a path.
//!
//! A failed check returns [`Error::InvalidInput`] naming the field (or [`Error::Token`]);
//! nothing is sent. The rules follow what GitHub accepts, erring towards letting a doubtful
//! value through to the server rather than refusing a valid one, except where a value would
//! change the request's path.

use crate::error::{Error, Result, TokenProblem};

/// Longest owner (user or organization) login accepted. GitHub logins are at most 39
/// characters, but Enterprise Managed Users append `_SHORTCODE`, so leave room.
pub const MAX_OWNER_LEN: usize = 100;
/// Longest repository name GitHub accepts.
pub const MAX_REPO_LEN: usize = 100;
/// Longest task id accepted (ids are UUIDs today; the API promises only a string).
pub const MAX_TASK_ID_LEN: usize = 200;
/// Largest page size the API accepts.
pub const MAX_PER_PAGE: u32 = 100;

pub(crate) fn owner(value: &str) -> Result<()> {
    name("owner", value, MAX_OWNER_LEN, |c| {
        c.is_ascii_alphanumeric() || c == '-' || c == '_'
    })?;
    if value.starts_with('-') {
        return Err(Error::invalid("owner", "must not start with `-`"));
    }
    Ok(())
}

pub(crate) fn repo(value: &str) -> Result<()> {
    name("repo", value, MAX_REPO_LEN, |c| {
        c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.')
    })?;
    if value == "." || value == ".." {
        return Err(Error::invalid(
            "repo",
            format!("`{value}` is not a repository name"),
        ));
    }
    Ok(())
}

fn name(
    field: &'static str,
    value: &str,
    max: usize,
    allowed: impl Fn(char) -> bool,
) -> Result<()> {
    if value.is_empty() {
        return Err(Error::invalid(field, "must not be empty"));
    }
    if value.len() > max {
        return Err(Error::invalid(
            field,
            format!("is {} characters long; the limit is {max}", value.len()),
        ));
    }
    if let Some(c) = value.chars().find(|c| !allowed(*c)) {
        return Err(Error::invalid(
            field,
            format!(
                "contains {c:?}; only ASCII letters, digits, `-`, `_`{} are allowed",
                if field == "repo" { " and `.`" } else { "" }
            ),
        ));
    }
    Ok(())
}

pub(crate) fn task_id(value: &str) -> Result<()> {
    task_id_problem(value).map_or(Ok(()), |reason| Err(Error::invalid("task_id", reason)))
}

/// What makes `value` unusable as a task id in a request path, if anything. The generated
/// client percent-encodes an id as one path segment (`/`, `?`, `#`, `%`, spaces, controls and
/// every non-ASCII byte), so any id travels as itself but for those that cannot stay one
/// segment: the empty one, `.` and `..` (which a URL resolves away), and one with `\` (which
/// a URL reads as `/` and the encoding leaves alone). Ids longer than [`MAX_TASK_ID_LEN`] are
/// refused too: GitHub's are 36 bytes.
pub(crate) fn task_id_problem(value: &str) -> Option<String> {
    if value.is_empty() {
        return Some("must not be empty".to_owned());
    }
    if value.len() > MAX_TASK_ID_LEN {
        return Some(format!(
            "is {} bytes long; the limit is {MAX_TASK_ID_LEN}",
            value.len()
        ));
    }
    // The ids GitHub hands out (UUIDs): ASCII letters, digits and `-`. Every byte is looked
    // at, without a branch per byte, so that the compiler checks many at once (the length is
    // capped above).
    if value.bytes().fold(true, |plain, b| {
        plain & (b.is_ascii_alphanumeric() | (b == b'-'))
    }) {
        return None;
    }
    if value == "." || value == ".." {
        return Some(format!(
            "`{value}` is not a task id (it would change the path)"
        ));
    }
    value
        .contains('\\')
        .then(|| "contains `\\`, which a URL reads as `/`: it would change the path".to_owned())
}

pub(crate) fn prompt(value: &str) -> Result<()> {
    if value.chars().all(|c| c.is_whitespace() || invisible(c)) {
        return Err(Error::invalid(
            "prompt",
            "must not be blank (it has no visible character)",
        ));
    }
    if let Some(c) = value
        .chars()
        .find(|c| c.is_control() && !matches!(c, '\n' | '\r' | '\t'))
    {
        return Err(Error::invalid(
            "prompt",
            format!("contains the control character {c:?}"),
        ));
    }
    Ok(())
}

/// Characters that show nothing: controls and Unicode's zero-width and format characters.
fn invisible(c: char) -> bool {
    c.is_control()
        || matches!(c,
            '\u{00AD}' | '\u{034F}' | '\u{061C}' | '\u{115F}' | '\u{1160}' | '\u{17B4}'
            | '\u{17B5}' | '\u{180E}' | '\u{200B}'..='\u{200F}' | '\u{202A}'..='\u{202E}'
            | '\u{2060}'..='\u{206F}' | '\u{3164}' | '\u{FE00}'..='\u{FE0F}' | '\u{FEFF}'
            | '\u{FFA0}' | '\u{E0000}'..='\u{E007F}')
}

pub(crate) fn per_page(value: u32) -> Result<()> {
    if value == 0 || value > MAX_PER_PAGE {
        return Err(Error::invalid(
            "per_page",
            format!("is {value}; it must be between 1 and {MAX_PER_PAGE}"),
        ));
    }
    Ok(())
}

pub(crate) fn page(value: u32) -> Result<()> {
    if value == 0 {
        return Err(Error::invalid("page", "is 0; pages are numbered from 1"));
    }
    Ok(())
}

pub(crate) fn optional_text(field: &'static str, value: &str) -> Result<()> {
    if value.trim().is_empty() {
        return Err(Error::invalid(field, "must not be blank when set"));
    }
    if value.chars().any(char::is_control) {
        return Err(Error::invalid(field, "must not contain control characters"));
    }
    Ok(())
}

pub(crate) fn token(value: &str) -> Result<()> {
    // The error never quotes the token: it is a secret.
    let problem = if value.is_empty() {
        TokenProblem::Empty
    } else if value.chars().any(|c| c.is_whitespace() || c.is_control()) {
        TokenProblem::Whitespace
    } else if !value.is_ascii() {
        TokenProblem::NonAscii
    } else if value.starts_with("ghs_") {
        TokenProblem::Installation
    } else {
        return Ok(());
    };
    Err(Error::Token(problem))
}

/// Parses and checks a base URL: https, or http to a loopback host only; no credentials,
/// query or fragment. A trailing slash is dropped.
pub(crate) fn base_url(value: &str) -> Result<String> {
    let url = url::Url::parse(value.trim())
        .map_err(|e| Error::invalid("base_url", format!("is not a URL ({e})")))?;
    match url.scheme() {
        "https" => {}
        "http" if is_loopback_url(&url) => {}
        "http" => {
            return Err(Error::invalid(
                "base_url",
                "uses plain http to a host that is not loopback; the token would travel in clear (use https)",
            ));
        }
        other => {
            return Err(Error::invalid(
                "base_url",
                format!("has scheme `{other}`; use https"),
            ));
        }
    }
    if url.host().is_none() {
        return Err(Error::invalid("base_url", "has no host"));
    }
    if !url.username().is_empty() || url.password().is_some() {
        return Err(Error::invalid("base_url", "must not carry credentials"));
    }
    if url.query().is_some() || url.fragment().is_some() {
        return Err(Error::invalid(
            "base_url",
            "must not have a query or fragment",
        ));
    }
    Ok(url.as_str().trim_end_matches('/').to_owned())
}

/// Whether a URL names this machine (`localhost`, `127.0.0.0/8`, `::1`): where plain http and
/// polling faster than [`MIN_INTERVAL`](crate::wait::MIN_INTERVAL) are allowed.
///
/// ```
/// use agent_tasks::validate::is_loopback;
/// assert!(is_loopback("http://127.0.0.1:8787"));
/// assert!(!is_loopback("https://api.github.com"));
/// assert!(!is_loopback("not a URL"));
/// ```
pub fn is_loopback(url: &str) -> bool {
    url::Url::parse(url).is_ok_and(|url| is_loopback_url(&url))
}

fn is_loopback_url(url: &url::Url) -> bool {
    match url.host() {
        Some(url::Host::Domain(d)) => d.eq_ignore_ascii_case("localhost"),
        Some(url::Host::Ipv4(ip)) => ip.is_loopback(),
        Some(url::Host::Ipv6(ip)) => ip.is_loopback(),
        None => false,
    }
}

/// An API version is a date, `YYYY-MM-DD`.
pub(crate) fn api_version(value: &str) -> Result<()> {
    let ok = value.len() == 10 && chrono::NaiveDate::parse_from_str(value, "%Y-%m-%d").is_ok();
    if !ok {
        return Err(Error::invalid(
            "api_version",
            format!("is `{value}`; GitHub API versions are dates like 2022-11-28"),
        ));
    }
    Ok(())
}

pub(crate) fn user_agent(value: &str) -> Result<()> {
    if value.trim().is_empty() {
        return Err(Error::invalid(
            "user_agent",
            "must not be blank; GitHub refuses requests without one",
        ));
    }
    if reqwest::header::HeaderValue::from_str(value).is_err() {
        return Err(Error::invalid("user_agent", "is not a valid header value"));
    }
    Ok(())
}

/// An `ETag` to send back in `If-None-Match`: a visible header value.
pub(crate) fn etag(value: &str) -> Result<()> {
    if value.is_empty() || reqwest::header::HeaderValue::from_str(value).is_err() {
        return Err(Error::invalid(
            "etag",
            "is not a valid ETag (give the `etag` of an earlier answer)",
        ));
    }
    Ok(())
}
