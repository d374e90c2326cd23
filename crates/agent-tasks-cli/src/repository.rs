//! Which repository a command works on: the one given (positional or `-R`), else the current
//! directory's git remote on the API's host, as gh finds it.

use crate::args::{Global, RepoOption};
use crate::exit::Failure;
use crate::{auth, git_remote, parse};

/// The repository a command works on: the positional, else `-R`, else the current
/// directory's git remote on the API's host. `None` when none is found and none is
/// required.
pub async fn resolve(
    positional: Option<&str>,
    option: &RepoOption,
    global: &Global,
    required: bool,
) -> Result<Option<(String, String)>, Failure> {
    let given = match (positional, option.repo.as_deref()) {
        (Some(p), Some(r)) if !p.eq_ignore_ascii_case(r) => {
            return Err(Failure::usage(format!(
                "two repositories given: `{}` and -R `{}`",
                crate::text::inert(p),
                crate::text::inert(r)
            )));
        }
        (Some(p), _) => Some(p),
        (None, r) => r,
    };
    if let Some(text) = given {
        return parse::repo(text).map(Some).map_err(Failure::usage);
    }
    if !required {
        return Ok(None);
    }
    let base = auth::base_url(global);
    let host = if agent_tasks::validate::is_loopback(&base) {
        None
    } else {
        auth::gh_host(&base)
    };
    match git_remote::current_repo(host.as_deref()).await {
        Some(repo) => Ok(Some(repo)),
        None => Err(Failure::usage(format!(
            "no repository: give OWNER/REPO or -R OWNER/REPO (no git remote of this directory is on {})",
            host.as_deref().unwrap_or("the API's host")
        ))),
    }
}
