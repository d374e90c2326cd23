//! `agent-tasks doctor [OWNER/REPO]`: checks the setup one step at a time, each with a pass or
//! fail mark and a hint: the token (where it came from, its kind), the host (does it answer,
//! does it serve the Agent tasks API), who the token is, what it may do (list tasks; for a
//! repository, list and start them, checked without starting one), the API version, and the
//! rate budget. Exit 0 when all pass, 4 on an authentication failure, 1 otherwise.

use agent_tasks::client::TokenKind;
use agent_tasks::{Client, Error};
use clap::Args as ClapArgs;
use serde::Serialize;

use crate::args::{Global, RepoOption};
use crate::exit::{self, Failure};
use crate::output::{Out, line};
use crate::text::inert;

/// The arguments of `agent-tasks doctor`.
#[derive(ClapArgs, Debug)]
pub struct Doctor {
    /// A repository to check too (may the token list and start tasks there?).
    #[arg(value_name = "OWNER/REPO")]
    pub positional: Option<String>,
    #[command(flatten)]
    pub repo: RepoOption,
}

/// The fields of a check, which `--json FIELDS` may name.
pub fn json_fields() -> Vec<String> {
    crate::output::fields_of::<Check>()
}

/// One check's result.
#[derive(Debug, Serialize, schemars::JsonSchema)]
struct Check {
    name: &'static str,
    ok: bool,
    detail: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    hint: Option<String>,
    #[serde(skip)]
    auth: bool,
}

impl Check {
    fn pass(name: &'static str, detail: impl Into<String>) -> Check {
        Check {
            name,
            ok: true,
            detail: detail.into(),
            hint: None,
            auth: false,
        }
    }

    fn fail(name: &'static str, detail: impl Into<String>, hint: impl Into<String>) -> Check {
        Check {
            name,
            ok: false,
            detail: detail.into(),
            hint: Some(hint.into()),
            auth: false,
        }
    }

    fn from_error(name: &'static str, e: &Error) -> Check {
        Check {
            name,
            ok: false,
            detail: crate::exit::one_line(e),
            hint: e.hint().map(str::to_owned),
            auth: e.is_auth(),
        }
    }
}

pub async fn run(args: &Doctor, global: &Global, out: &Out) -> Result<u8, Failure> {
    let target =
        crate::repository::resolve(args.positional.as_deref(), &args.repo, global, false).await?;
    let mut checks = Vec::new();
    let client = token_checks(global, &mut checks).await;
    if let Some(client) = &client {
        api_checks(client, target.as_ref(), &mut checks).await;
    }
    report(&checks, out)?;
    Ok(if checks.iter().all(|c| c.ok) {
        exit::OK
    } else if checks.iter().any(|c| c.auth) {
        exit::AUTH
    } else {
        exit::ERROR
    })
}

/// Where the token came from and what kind it is; the client, when one can be built.
async fn token_checks(global: &Global, checks: &mut Vec<Check>) -> Option<Client> {
    let found = match crate::auth::discover(global).await {
        Ok(found) => found,
        Err(f) => {
            let mut check = Check::fail(
                "token",
                f.message,
                "pass --token, set GH_TOKEN, or run `gh auth login`",
            );
            check.auth = true;
            checks.push(check);
            return None;
        }
    };
    let (kind, source) = (found.kind, found.source);
    if kind == TokenKind::Installation {
        let mut check = Check::fail(
            "token",
            format!("from {source}: a {kind}, which this API refuses"),
            "use a user-to-server token: a personal access token, an OAuth app token or a GitHub App user access token",
        );
        check.auth = true;
        checks.push(check);
        return None;
    }
    checks.push(Check::pass("token", format!("from {source}: a {kind}")));
    let base = found.base_url;
    match found.builder.build() {
        Ok(client) => {
            checks.push(Check::pass(
                "settings",
                format!(
                    "base URL {}, API version {}",
                    inert(&base),
                    client.api_version()
                ),
            ));
            Some(client)
        }
        Err(e) => {
            checks.push(Check::from_error("settings", &e));
            None
        }
    }
}

/// What the API says: who, whether it serves Agent tasks, what the token may do, the budget.
async fn api_checks(client: &Client, target: Option<&(String, String)>, checks: &mut Vec<Check>) {
    match client.current_user().await {
        Ok(me) => checks.push(Check::pass(
            "who",
            format!("the token is {} (user id {})", inert(&me.login), me.id),
        )),
        Err(e) => {
            // An answer, even a refusal, means the host is there; no answer means it is not.
            let name = if e.status().is_some() { "who" } else { "host" };
            checks.push(Check::from_error(name, &e));
            return;
        }
    }
    match client.list_tasks().per_page(1).send().await {
        Ok(page) => {
            checks.push(Check::pass(
                "agent tasks API",
                format!("{} serves it, with API version {}", inert(client.base_url()), client.api_version()),
            ));
            checks.push(Check::pass(
                "list tasks",
                match page.total_active_count {
                    Some(n) => format!("may list your tasks ({n} active)"),
                    None => "may list your tasks".to_owned(),
                },
            ));
        }
        Err(e) if e.is_not_found() => checks.push(Check::fail(
            "agent tasks API",
            format!("{} answers 404 on /agents/tasks", inert(client.base_url())),
            "this host does not serve the Agent tasks API (GitHub Enterprise Server may not have it yet); check --base-url",
        )),
        Err(e) if e.status().is_some_and(|s| s.as_u16() == 400) => {
            checks.push(Check::fail(
                "api version",
                crate::exit::one_line(&e),
                "try --api-version 2022-11-28 or 2026-03-10",
            ))
        }
        Err(e) => checks.push(Check::from_error("list tasks", &e)),
    }
    if let Some((owner, name)) = target {
        let repo = format!("{owner}/{name}");
        match client
            .repo(owner, name)
            .list_tasks()
            .per_page(1)
            .send()
            .await
        {
            Ok(_) => checks.push(Check::pass(
                "repository",
                format!("may list the tasks of {}", inert(&repo)),
            )),
            Err(e) => checks.push(Check::from_error("repository", &e)),
        }
        // Whether tasks may be started, without starting one: starting needs write access.
        match client.repository(owner, name).await {
            Ok(r) if r.permissions.is_some_and(|p| p.push) => checks.push(Check::pass(
                "start tasks",
                format!("may push to {}: tasks can be started there (given the \"Agent tasks\" write permission and a Copilot plan)", inert(&repo)),
            )),
            Ok(r) if r.permissions.is_none() => checks.push(Check::fail(
                "start tasks",
                format!("GitHub did not say what the token may do in {}", inert(&repo)),
                "a fine-grained token needs the \"Agent tasks\" repository permission (read and write)",
            )),
            Ok(_) => {
                let mut check = Check::fail(
                    "start tasks",
                    format!("the token may only read {}", inert(&repo)),
                    "starting tasks needs write access: the \"Agent tasks\" repository permission (read and write)",
                );
                check.auth = true;
                checks.push(check);
            }
            Err(e) => checks.push(Check::from_error("start tasks", &e)),
        }
    }
    match client.rate_limit() {
        Some(limit) if limit.remaining == 0 => checks.push(Check::fail(
            "rate limit",
            format!(
                "spent: 0 of {} left until {}",
                limit.limit,
                limit.reset.to_rfc3339()
            ),
            "wait for the reset",
        )),
        Some(limit) => checks.push(Check::pass(
            "rate limit",
            format!(
                "{} of {} left, resets at {}",
                limit.remaining,
                limit.limit,
                limit.reset.to_rfc3339()
            ),
        )),
        None => checks.push(Check::pass("rate limit", "the host reports no rate limit")),
    }
}

fn report(checks: &[Check], out: &Out) -> Result<(), Failure> {
    if out.is_json() {
        return out.json(&checks);
    }
    for c in checks {
        let mark = match (c.ok, out.is_tty()) {
            (true, true) => "\x1b[32m✓\x1b[0m",
            (true, false) => "✓",
            (false, true) => "\x1b[31m✗\x1b[0m",
            (false, false) => "✗",
        };
        line(&format!("{mark} {}: {}", c.name, c.detail));
        if let Some(hint) = &c.hint {
            line(&format!("    hint: {hint}"));
        }
    }
    Ok(())
}
