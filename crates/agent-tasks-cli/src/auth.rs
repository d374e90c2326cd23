//! The client a command uses: the token from `--token`, else the SDK's `from_env` (`GH_TOKEN`,
//! `GITHUB_TOKEN`; the base URL from `GITHUB_API_URL`), else `gh auth token` for the API's
//! host. The CLI reads no other environment variable for this.

use std::time::Duration;

use agent_tasks::{Client, ClientBuilder};

use crate::args::Global;
use crate::exit::{AUTH, Failure};

/// The `User-Agent` the command sends.
pub const USER_AGENT: &str = concat!("agent-tasks-cli/", env!("CARGO_PKG_VERSION"));

/// The builder the global options describe, before the token fallback to gh.
pub fn builder(global: &Global) -> ClientBuilder {
    let mut builder = ClientBuilder::from_env().user_agent(USER_AGENT);
    if let Some(url) = &global.base_url {
        builder = builder.base_url(url);
    }
    if let Some(token) = &global.token {
        builder = builder.token(token.trim());
    }
    if let Some(v) = &global.api_version {
        builder = builder.api_version(v);
    }
    builder
}

/// Builds the client, asking gh for a token when none was given.
pub async fn client(global: &Global) -> Result<Client, Failure> {
    Ok(discover(global).await?.0.build()?)
}

/// The builder with a token, and where the token came from: `--token`, `GH_TOKEN`,
/// `GITHUB_TOKEN` or `gh auth token`.
pub async fn discover(global: &Global) -> Result<(ClientBuilder, &'static str), Failure> {
    use agent_tasks::client::TokenSource;
    let mut builder = builder(global);
    let source = match builder.token_source() {
        Some(TokenSource::GhToken) => "GH_TOKEN",
        Some(TokenSource::GithubToken) => "GITHUB_TOKEN",
        Some(_) => "--token",
        None => {
            let host = gh_host(builder.base_url_or_default());
            match gh_auth_token(host.as_deref()).await {
                Some(token) => {
                    builder = builder.token(token);
                    "gh auth token"
                }
                None => {
                    return Err(Failure {
                        code: AUTH,
                        message: "no token: pass --token, set GH_TOKEN or GITHUB_TOKEN, or log in with `gh auth login` (or try `agent-tasks demo`)".into(),
                    });
                }
            }
        }
    };
    Ok((builder, source))
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

/// Whether the base URL points at this machine (tests, the fake): then any git remote host
/// will do.
pub fn is_loopback(base_url: &str) -> bool {
    let Ok(url) = url::Url::parse(base_url) else {
        return false;
    };
    match url.host() {
        Some(url::Host::Domain(d)) => d.eq_ignore_ascii_case("localhost"),
        Some(url::Host::Ipv4(ip)) => ip.is_loopback(),
        Some(url::Host::Ipv6(ip)) => ip.is_loopback(),
        None => false,
    }
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
        assert!(is_loopback("http://127.0.0.1:8787"));
        assert!(!is_loopback("https://api.github.com"));
    }
}
