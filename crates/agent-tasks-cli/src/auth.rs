//! The client a command uses, from the command's own chain, as gh has one: the token from
//! `--token`, else `GH_TOKEN`, else `GITHUB_TOKEN`, else `gh auth token` for the API's host;
//! the base URL from `--base-url`, else `GITHUB_API_URL`, else api.github.com. Variables that
//! are empty or only whitespace count as unset. The SDK is then given both explicitly.

use std::time::Duration;

use agent_tasks::client::{DEFAULT_BASE_URL, TokenKind};
use agent_tasks::{Client, ClientBuilder};

use crate::args::Global;
use crate::exit::{AUTH, Failure};

/// The `User-Agent` the command sends.
pub const USER_AGENT: &str = concat!("agent-tasks-cli/", env!("CARGO_PKG_VERSION"));

/// A variable of the environment, trimmed; `None` when unset or blank.
fn var(name: &str) -> Option<String> {
    std::env::var(name)
        .ok()
        .map(|v| v.trim().to_owned())
        .filter(|v| !v.is_empty())
}

/// The API's base URL: `--base-url`, else `GITHUB_API_URL`, else api.github.com (checked when
/// the client is built).
pub fn base_url(global: &Global) -> String {
    global
        .base_url
        .clone()
        .or_else(|| var("GITHUB_API_URL"))
        .unwrap_or_else(|| DEFAULT_BASE_URL.to_owned())
}

/// A client's settings, with where its token came from and what kind it is.
pub struct Found {
    pub builder: ClientBuilder,
    /// `--token`, `GH_TOKEN`, `GITHUB_TOKEN` or `gh auth token`.
    pub source: &'static str,
    pub kind: TokenKind,
    pub base_url: String,
}

/// Builds the client, asking gh for a token when none was given.
pub async fn client(global: &Global) -> Result<Client, Failure> {
    Ok(discover(global).await?.builder.build()?)
}

/// The client's settings, asking gh for a token when none was given.
pub async fn discover(global: &Global) -> Result<Found, Failure> {
    let base_url = base_url(global);
    let given = [
        (
            "--token",
            global.token.as_deref().map(str::trim).map(str::to_owned),
        ),
        ("GH_TOKEN", var("GH_TOKEN")),
        ("GITHUB_TOKEN", var("GITHUB_TOKEN")),
    ];
    let found = match given.into_iter().find_map(|(from, t)| Some((t?, from))) {
        Some(found) => found,
        None => match gh_auth_token(gh_host(&base_url).as_deref()).await {
            Some(token) => (token, "gh auth token"),
            None => {
                return Err(Failure {
                    code: AUTH,
                    message: "no token: pass --token, set GH_TOKEN or GITHUB_TOKEN, or log in with `gh auth login` (or try `agent-tasks demo`)".into(),
                });
            }
        },
    };
    let (token, source) = found;
    let kind = TokenKind::of(&token);
    let mut builder = Client::builder()
        .token(token)
        .base_url(&base_url)
        .user_agent(USER_AGENT);
    if let Some(v) = &global.api_version {
        builder = builder.api_version(v);
    }
    Ok(Found {
        builder,
        source,
        kind,
        base_url,
    })
}

/// `gh auth token [--hostname HOST]`, if gh is installed and answers within five seconds.
async fn gh_auth_token(host: Option<&str>) -> Option<String> {
    let mut command = tokio::process::Command::new("gh");
    command
        .args(["auth", "token"])
        .stdin(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .kill_on_drop(true);
    if let Some(host) = host {
        command.args(["--hostname", host]);
    }
    let output = tokio::time::timeout(Duration::from_secs(5), command.output())
        .await
        .ok()?
        .ok()?;
    // A token is short: anything long is not one.
    if output.stdout.len() > 4096 {
        return None;
    }
    let token = String::from_utf8(output.stdout).ok()?.trim().to_owned();
    (output.status.success() && !token.is_empty()).then_some(token)
}

/// The web host of an API base URL, as gh and git remotes name it: `api.github.com` ->
/// github.com, `HOST/api/v3` -> HOST, `api.SUB.ghe.com` -> SUB.ghe.com.
pub fn gh_host(base_url: &str) -> Option<String> {
    let url = url::Url::parse(base_url).ok()?;
    let host = url.host_str()?.to_ascii_lowercase();
    Some(match host.as_str() {
        "api.github.com" => "github.com".to_owned(),
        h if h.ends_with(".ghe.com") => h.trim_start_matches("api.").to_owned(),
        h => h.to_owned(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn gh_hosts_follow_the_api_url() {
        assert_eq!(
            gh_host("https://api.github.com").as_deref(),
            Some("github.com")
        );
        assert_eq!(
            gh_host("https://ghe.example.com/api/v3").as_deref(),
            Some("ghe.example.com")
        );
        assert_eq!(
            gh_host("https://api.acme.ghe.com").as_deref(),
            Some("acme.ghe.com")
        );
    }
}
