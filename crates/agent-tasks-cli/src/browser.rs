//! `--web`: opens a page in the browser, the way gh does: `$BROWSER` if set, else the system's
//! opener; when none can be started, the URL is printed for the user to open.

use crate::output::line;
use crate::text::inert;

pub fn open(url: &str) {
    let url = inert(url);
    let opener = std::env::var("BROWSER")
        .ok()
        .map(|b| b.trim().to_owned())
        .filter(|b| !b.is_empty())
        .unwrap_or_else(|| {
            if cfg!(target_os = "macos") {
                "open".to_owned()
            } else if cfg!(windows) {
                "explorer".to_owned()
            } else {
                "xdg-open".to_owned()
            }
        });
    let started = std::process::Command::new(&opener)
        .arg(&url)
        .stdin(std::process::Stdio::null())
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .spawn()
        .is_ok();
    if started {
        eprintln!("Opening {url} in your browser.");
    } else {
        line(&url);
    }
}
