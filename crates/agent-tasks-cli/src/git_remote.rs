//! The repository of the current directory, as gh finds it: the git remote `origin` (or the
//! only remote) whose host is the API's host.

use std::time::Duration;

/// `(owner, repo)` of the current directory's remote on `host` (any host when `None`), if git
/// is installed and the directory is a clone.
pub async fn current_repo(host: Option<&str>) -> Option<(String, String)> {
    let mut command = tokio::process::Command::new("git");
    command
        .args(["config", "--get-regexp", r"^remote\..*\.url$"])
        .stdin(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .kill_on_drop(true);
    let output = tokio::time::timeout(Duration::from_secs(5), command.output())
        .await
        .ok()?
        .ok()?;
    if !output.status.success() || output.stdout.len() > 1 << 20 {
        return None;
    }
    let text = String::from_utf8_lossy(&output.stdout);
    let remotes: Vec<(&str, (String, String, String))> = text
        .lines()
        .filter_map(|line| {
            let (key, url) = line.split_once(' ')?;
            let name = key.strip_prefix("remote.")?.strip_suffix(".url")?;
            Some((name, parse_remote(url.trim())?))
        })
        .filter(|(_, (h, ..))| host.is_none_or(|want| h.eq_ignore_ascii_case(want)))
        .collect();
    let chosen = remotes
        .iter()
        .find(|(name, _)| *name == "origin")
        .or(if remotes.len() == 1 {
            remotes.first()
        } else {
            None
        })?;
    let (_, (_, owner, repo)) = chosen;
    Some((owner.clone(), repo.clone()))
}

/// `(host, owner, repo)` of a remote URL: `https://HOST/OWNER/REPO(.git)`,
/// `ssh://[user@]HOST[:port]/OWNER/REPO(.git)`, `[user@]HOST:OWNER/REPO(.git)`.
pub fn parse_remote(url: &str) -> Option<(String, String, String)> {
    let (host, path) = if let Some((scheme, rest)) = url.split_once("://") {
        if !matches!(scheme, "https" | "http" | "ssh" | "git") {
            return None;
        }
        let (authority, path) = rest.split_once('/')?;
        let host = authority.rsplit('@').next()?;
        let host = host.split(':').next()?;
        (host, path)
    } else {
        let (authority, path) = url.split_once(':')?;
        (authority.rsplit('@').next()?, path)
    };
    let path = path.trim_matches('/');
    let path = path.strip_suffix(".git").unwrap_or(path);
    let (owner, repo) = path.split_once('/')?;
    if host.is_empty() || owner.is_empty() || repo.is_empty() || repo.contains('/') {
        return None;
    }
    Some((host.to_owned(), owner.to_owned(), repo.to_owned()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn remote_urls_of_every_shape_parse() {
        let want = |h: &str| Some((h.to_owned(), "octo".to_owned(), "hello".to_owned()));
        assert_eq!(
            parse_remote("https://github.com/octo/hello.git"),
            want("github.com")
        );
        assert_eq!(
            parse_remote("https://github.com/octo/hello"),
            want("github.com")
        );
        assert_eq!(
            parse_remote("git@github.com:octo/hello.git"),
            want("github.com")
        );
        assert_eq!(
            parse_remote("ssh://git@ghe.example.com:2222/octo/hello.git"),
            want("ghe.example.com")
        );
        assert_eq!(parse_remote("/local/path"), None);
        assert_eq!(parse_remote("https://github.com/only-owner"), None);
    }
}
