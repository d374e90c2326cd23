//! `agent-tasks create [OWNER/REPO] PROMPT`: start a task, and with `--wait`/`--follow`
//! follow it to its end.

use std::io::{IsTerminal, Read};

use agent_tasks::TaskWithSessions;

use crate::args::{Create, Global};
use crate::exit::{self, Failure};
use crate::follow::follow;
use crate::output::Out;
use crate::{auth, parse};

/// The largest prompt read from a file or standard input.
pub const MAX_PROMPT_BYTES: u64 = 1024 * 1024;

pub async fn run(args: &Create, global: &Global, out: &Out) -> Result<u8, Failure> {
    let (repo, prompt) = match args.positional.as_slice() {
        [] => (None, None),
        [one] if args.task.prompt_file.is_some() => (Some(one.as_str()), None),
        [one] if args.repo.repo.is_none() && parse::looks_like_repo(one) => {
            return Err(Failure::usage(format!(
                "missing PROMPT: agent-tasks create {} \"what to do\" (or -F FILE)",
                crate::text::inert(one)
            )));
        }
        [one] => (None, Some(one.as_str())),
        [repo, prompt] => (Some(repo.as_str()), Some(prompt.as_str())),
        _ => return Err(Failure::usage("expected [OWNER/REPO] PROMPT")),
    };
    if prompt.is_some() && args.task.prompt_file.is_some() {
        return Err(Failure::usage("give a PROMPT or -F FILE, not both"));
    }
    let Some((owner, name)) = super::repository(repo, &args.repo, global, true).await? else {
        return Err(Failure::usage("no repository"));
    };
    let prompt = read_prompt(prompt, args.task.prompt_file.as_deref())?;
    let client = auth::client(global).await?;
    let mut request = client
        .repo(&owner, &name)
        .create_task(prompt)
        .options(args.task.options());
    if let Some(v) = &args.idempotency_key {
        request = request.idempotency_key(v);
    }
    // The wait's options are refused before the task is started, not after.
    let options = super::wait_options(&args.wait_args);
    if args.wait || args.follow {
        options.check(&client)?;
    }
    let task = request.send().await?;
    if !(args.wait || args.follow) {
        out.created(&task)?;
        return Ok(exit::OK);
    }
    if !out.is_json() {
        out.created(&task)?;
    }
    let wait = client
        .repo(&owner, &name)
        .task(&task.id)
        .wait()
        .options(options);
    let last = follow(wait.stream(), out, |t: &TaskWithSessions| &t.task).await?;
    let Some(task) = last.into_iter().next() else {
        return Err(Failure::error("the wait ended without an answer"));
    };
    let pr = crate::pulls::resolve(&client, &task).await;
    out.finished(&task, pr.as_ref())?;
    Ok(exit::for_state(&task.state))
}

/// The prompt: the argument, or the file (`-` is standard input), at most
/// [`MAX_PROMPT_BYTES`].
pub fn read_prompt(prompt: Option<&str>, file: Option<&str>) -> Result<String, Failure> {
    let too_long = |from: &str| {
        Failure::usage(format!(
            "the prompt from {from} is longer than {} KiB",
            MAX_PROMPT_BYTES / 1024
        ))
    };
    let bytes = match (prompt, file) {
        (Some(p), _) => return Ok(p.to_owned()),
        (None, Some("-")) => {
            let stdin = std::io::stdin();
            if stdin.is_terminal() {
                eprintln!("Reading the prompt from standard input; end it with Ctrl-D.");
            }
            let mut bytes = Vec::new();
            stdin
                .lock()
                .take(MAX_PROMPT_BYTES + 1)
                .read_to_end(&mut bytes)
                .map_err(|e| {
                    Failure::usage(format!("cannot read the prompt from standard input: {e}"))
                })?;
            if bytes.len() as u64 > MAX_PROMPT_BYTES {
                return Err(too_long("standard input"));
            }
            bytes
        }
        (None, Some(path)) => {
            let shown = crate::text::inert(path);
            let file = std::fs::File::open(path)
                .map_err(|e| Failure::usage(format!("cannot read the prompt from {shown}: {e}")))?;
            let mut bytes = Vec::new();
            file.take(MAX_PROMPT_BYTES + 1)
                .read_to_end(&mut bytes)
                .map_err(|e| Failure::usage(format!("cannot read the prompt from {shown}: {e}")))?;
            if bytes.len() as u64 > MAX_PROMPT_BYTES {
                return Err(too_long(&shown));
            }
            bytes
        }
        (None, None) => {
            return Err(Failure::usage(
                "give a PROMPT, or -F FILE (-F - reads standard input)",
            ));
        }
    };
    let text = String::from_utf8(bytes).map_err(|_| Failure::usage("the prompt is not UTF-8"))?;
    if text.trim().is_empty() {
        return Err(Failure::usage("the prompt is empty"));
    }
    Ok(text)
}
