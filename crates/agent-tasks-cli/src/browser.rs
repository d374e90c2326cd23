//! `--web`: opens a page in the browser, the way gh does: `$BROWSER` if set, else the system's
//! opener. When the system has no opener, the URL is printed for the user to open; a browser
//! that fails (it cannot be started, or exits with an error) is an error that names the page.

use std::time::Duration;

use crate::exit::Failure;
use crate::output::line;
use crate::text::inert;

/// How long a browser command is watched for an early failure; one still running then (a
/// browser that stays open) has done its job.
const WATCH: Duration = Duration::from_secs(2);

pub async fn open(url: &str) -> Result<(), Failure> {
    // A page of the server's must be a web page, not an option for the browser (`-x`).
    if !(url.starts_with("https://") || url.starts_with("http://")) {
        return Err(Failure::error(format!(
            "the task's page `{}` is not an http(s) URL; not opening it",
            inert(url)
        )));
    }
    let url = inert(url);
    // `$BROWSER` may carry arguments (`firefox --new-window`), split on spaces as gh does.
    let chosen: Option<Vec<String>> = std::env::var("BROWSER")
        .ok()
        .map(|b| b.split_whitespace().map(str::to_owned).collect::<Vec<_>>())
        .filter(|words| !words.is_empty());
    let mut words = chosen.clone().unwrap_or_else(|| {
        vec![if cfg!(target_os = "macos") {
            "open".to_owned()
        } else if cfg!(windows) {
            "explorer".to_owned()
        } else {
            "xdg-open".to_owned()
        }]
    });
    let opener = words.remove(0);
    let failed = |why: String| {
        Failure::error(format!(
            "the browser `{}` {why}; open the page yourself: {url}",
            inert(&opener)
        ))
    };
    let child = tokio::process::Command::new(&opener)
        .args(&words)
        .arg(&url)
        .stdin(std::process::Stdio::null())
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .spawn();
    let mut child = match child {
        Ok(child) => child,
        // No opener on this system (a server, a container): the page, for the user to open.
        Err(_) if chosen.is_none() => {
            line(&url);
            return Ok(());
        }
        Err(e) => return Err(failed(format!("(BROWSER) cannot be started: {e}"))),
    };
    match tokio::time::timeout(WATCH, child.wait()).await {
        Ok(Ok(status)) if !status.success() => Err(failed(format!("failed ({status})"))),
        Ok(Err(e)) => Err(failed(format!("failed: {e}"))),
        _ => {
            eprintln!("Opening {url} in your browser.");
            Ok(())
        }
    }
}
