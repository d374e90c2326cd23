//! What the command line's words mean: durations, times, repositories and task references.
//! Every parser refuses what it cannot represent instead of overflowing.

use std::time::Duration;

use chrono::{DateTime, Utc};

/// The longest duration accepted anywhere on the command line.
const MAX_DURATION: Duration = Duration::from_secs(100 * 365 * 86400);
/// The longest first interval between polls.
pub const MAX_INTERVAL: Duration = Duration::from_secs(600);

/// What is wrong with a duration.
#[derive(Debug, PartialEq, Eq)]
enum Problem {
    /// It is not written as one.
    NotADuration,
    /// It is longer than [`MAX_DURATION`].
    TooLong,
}

/// `30s`, `5m`, `2h`, `1h30m`, `500ms`, `1d`, or a number of seconds; at most 100 years.
pub fn duration(text: &str) -> Result<Duration, String> {
    let text = text.trim();
    parse_duration(text).map_err(|problem| match problem {
        _ if text.is_empty() => "empty duration".to_owned(),
        Problem::NotADuration => format!("`{text}` is not a duration (try 30s, 5m, 2h)"),
        Problem::TooLong => format!("`{text}` is too large: durations go up to 100 years"),
    })
}

fn parse_duration(text: &str) -> Result<Duration, Problem> {
    // A number too large for a `Duration` is still a number: too large, not unreadable. So is
    // one written with digits that is too large even for an `f64` (`1e400`); `inf` is not.
    let secs = |n: f64, written: &str| match Duration::try_from_secs_f64(n) {
        Ok(d) => Ok(d),
        Err(_) if n > 0.0 && (n.is_finite() || written.bytes().any(|b| b.is_ascii_digit())) => {
            Err(Problem::TooLong)
        }
        Err(_) => Err(Problem::NotADuration),
    };
    if text.is_empty() {
        return Err(Problem::NotADuration);
    }
    let total = if let Ok(n) = text.parse::<f64>() {
        secs(n, text)?
    } else {
        let mut total = Duration::ZERO;
        let mut rest = text;
        while !rest.is_empty() {
            let digits = rest
                .find(|c: char| !(c.is_ascii_digit() || c == '.'))
                .unwrap_or(rest.len());
            let (number, tail) = rest.split_at(digits);
            let unit_len = tail
                .find(|c: char| c.is_ascii_digit())
                .unwrap_or(tail.len());
            let (unit, tail) = tail.split_at(unit_len);
            let n: f64 = number.parse().map_err(|_| Problem::NotADuration)?;
            let scale = match unit {
                "ms" => 0.001,
                "s" | "sec" => 1.0,
                "m" | "min" => 60.0,
                "h" => 3600.0,
                "d" => 86400.0,
                _ => return Err(Problem::NotADuration),
            };
            let part = secs(n * scale, number)?;
            total = total.checked_add(part).ok_or(Problem::TooLong)?;
            rest = tail;
        }
        total
    };
    if total > MAX_DURATION {
        return Err(Problem::TooLong);
    }
    Ok(total)
}

/// A first interval between polls: more than zero, at most ten minutes.
pub fn interval(text: &str) -> Result<Duration, String> {
    let d = duration(text)?;
    if d.is_zero() {
        return Err("the interval must be more than zero".into());
    }
    if d > MAX_INTERVAL {
        return Err("the interval must be at most 10m".into());
    }
    Ok(d)
}

/// `--since`: an RFC 3339 time, a date, or a duration before `now`.
pub fn since(text: &str, now: DateTime<Utc>) -> Result<DateTime<Utc>, String> {
    if let Ok(t) = DateTime::parse_from_rfc3339(text) {
        return Ok(t.with_timezone(&Utc));
    }
    if let Ok(d) = chrono::NaiveDate::parse_from_str(text, "%Y-%m-%d")
        && let Some(midnight) = d.and_hms_opt(0, 0, 0)
    {
        return Ok(midnight.and_utc());
    }
    let too_large =
        || format!("--since: `{text}` is too large: it reaches back more than 100 years");
    let ago = parse_duration(text.trim()).map_err(|problem| match problem {
        Problem::TooLong => too_large(),
        Problem::NotADuration => format!(
            "--since: `{text}` is not a time (2025-01-31, 2025-01-31T12:00:00Z, or 24h ago as `24h`)"
        ),
    })?;
    chrono::TimeDelta::from_std(ago)
        .ok()
        .and_then(|ago| now.checked_sub_signed(ago))
        .ok_or_else(too_large)
}

/// `OWNER/REPO`, shaped right (the SDK checks the characters).
pub fn repo(text: &str) -> Result<(String, String), String> {
    match text.split_once('/') {
        Some((owner, repo)) if !owner.is_empty() && !repo.is_empty() && !repo.contains('/') => {
            Ok((owner.to_owned(), repo.to_owned()))
        }
        _ => Err(format!(
            "expected OWNER/REPO, got `{}`",
            crate::text::inert(text)
        )),
    }
}

/// Whether `text` looks like `OWNER/REPO` rather than a prompt.
pub fn looks_like_repo(text: &str) -> bool {
    let part = |s: &str| {
        !s.is_empty()
            && s.chars()
                .all(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.'))
    };
    text.split_once('/')
        .is_some_and(|(o, r)| part(o) && part(r))
}

/// A task as the user names it: an id, its web page
/// (`https://github.com/OWNER/REPO/copilot/tasks/ID`) or its API URL
/// (`.../agents/repos/OWNER/REPO/tasks/ID` or `.../agents/tasks/ID`).
#[derive(Debug, PartialEq, Eq)]
pub struct TaskRef {
    pub repo: Option<(String, String)>,
    pub id: String,
}

pub fn task_ref(text: &str) -> TaskRef {
    let Some(rest) = text
        .strip_prefix("https://")
        .or_else(|| text.strip_prefix("http://"))
    else {
        return TaskRef {
            repo: None,
            id: text.to_owned(),
        };
    };
    let path = rest.split(['?', '#']).next().unwrap_or(rest);
    let parts: Vec<&str> = path.split('/').skip(1).filter(|p| !p.is_empty()).collect();
    let found = |owner: &str, repo: &str, id: &str| TaskRef {
        repo: Some((owner.to_owned(), repo.to_owned())),
        id: id.to_owned(),
    };
    // Walk from the end: the API URL may sit under a prefix (`/api/v3`).
    match parts.as_slice() {
        [.., "agents", "repos", owner, repo, "tasks", id] => found(owner, repo, id),
        [.., "agents", "tasks", id] => TaskRef {
            repo: None,
            id: (*id).to_owned(),
        },
        [owner, repo, "copilot", "tasks", id] => found(owner, repo, id),
        // Anything else: let the SDK say what is wrong with it as an id.
        _ => TaskRef {
            repo: None,
            id: text.to_owned(),
        },
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn durations_parse_and_refuse_what_they_cannot_hold() {
        assert_eq!(duration("30s").unwrap(), Duration::from_secs(30));
        assert_eq!(duration("1h30m").unwrap(), Duration::from_secs(5400));
        assert_eq!(duration("500ms").unwrap(), Duration::from_millis(500));
        assert_eq!(duration("2").unwrap(), Duration::from_secs(2));
        for bad in [
            "soon",
            "",
            "-5",
            "1e19",
            "99999999999d",
            "1e300",
            "NaN",
            "5x",
        ] {
            assert!(duration(bad).is_err(), "{bad}");
        }
        assert!(interval("0").is_err());
        assert!(interval("1e19").is_err());
        assert!(interval("11m").is_err());
    }

    #[test]
    fn since_never_overflows_and_says_too_large() {
        let now = Utc::now();
        let digits_past_f64 = "9".repeat(400);
        let days_past_f64 = format!("{digits_past_f64}d");
        for large in [
            "1e13",
            "1e19",
            "99999999999d",
            "36600d",
            "1e400",
            digits_past_f64.as_str(),
            days_past_f64.as_str(),
        ] {
            let e = since(large, now).unwrap_err();
            assert!(e.contains("too large"), "{large}: {e}");
        }
        for word in ["someday", "inf", "infinity", "NaN", "-inf"] {
            let e = since(word, now).unwrap_err();
            assert!(e.contains("not a time"), "{word}: {e}");
        }
        assert_eq!(
            since("24h", now).unwrap(),
            now - chrono::TimeDelta::hours(24)
        );
        assert!(since("2025-01-31", now).is_ok());
        assert!(since("2025-01-31T12:00:00Z", now).is_ok());
        assert!(since("0001-01-01", now).is_ok());
    }

    #[test]
    fn task_references_take_ids_and_urls() {
        assert_eq!(task_ref("abc").id, "abc");
        let web = task_ref("https://github.com/octo/hello/copilot/tasks/t-1?x=1");
        assert_eq!(web.repo, Some(("octo".into(), "hello".into())));
        assert_eq!(web.id, "t-1");
        let api = task_ref("https://ghe.example.com/api/v3/agents/repos/o/r/tasks/t2");
        assert_eq!(api.repo, Some(("o".into(), "r".into())));
        assert_eq!(api.id, "t2");
        assert_eq!(task_ref("https://api.github.com/agents/tasks/t3").id, "t3");
        assert!(looks_like_repo("octocat/hello-world"));
        assert!(!looks_like_repo("Fix the bug"));
        assert!(!looks_like_repo("fix a/b c"));
    }
}
