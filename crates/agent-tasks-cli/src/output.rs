//! What the command prints: aligned tables with coloured states on a terminal, plain text when
//! piped, JSON with the API's field names under `--json` (only the fields asked for, filtered
//! by `--jq`). Server text is made inert before it is printed, and a closed pipe
//! (`agent-tasks list | head -1`) ends the command quietly instead of panicking.

use std::io::{IsTerminal, Write};

use agent_tasks::clock::human;
use agent_tasks::{Artifact, StateClass, Task, TaskState, TaskWithSessions};
use chrono::{DateTime, Utc};
use serde_json::Value;

use crate::exit::Failure;
use crate::jq::Jq;
use crate::pulls::PrLink;
use crate::text::{inert, inert_lines};

/// Whether standard output is a terminal that may get colours and a live status line.
pub fn stdout_is_terminal() -> bool {
    std::io::stdout().is_terminal() && std::env::var_os("NO_COLOR").is_none()
}

/// Writes one line to standard output. A closed pipe ends the process quietly (exit 0): the
/// reader has what it wanted.
pub fn line(text: &str) {
    let mut out = std::io::stdout().lock();
    if let Err(e) = writeln!(out, "{text}").and_then(|()| out.flush())
        && e.kind() == std::io::ErrorKind::BrokenPipe
    {
        std::process::exit(0);
    }
}

/// The top-level fields of `T`'s JSON, from its JSON schema (each variant's, for an enum):
/// what `--json FIELDS` may name.
pub fn fields_of<T: schemars::JsonSchema>() -> Vec<String> {
    fn collect(schema: &Value, out: &mut Vec<String>) {
        if let Some(properties) = schema.get("properties").and_then(Value::as_object) {
            out.extend(properties.keys().cloned());
        }
        for key in ["oneOf", "anyOf", "allOf"] {
            for part in schema
                .get(key)
                .and_then(Value::as_array)
                .into_iter()
                .flatten()
            {
                collect(part, out);
            }
        }
    }
    // What is printed is what `T` serializes to (not what it would be read from).
    let schema = schemars::generate::SchemaSettings::default()
        .for_serialize()
        .into_generator()
        .into_root_schema_for::<T>();
    let schema = serde_json::to_value(schema).unwrap_or_default();
    let mut fields = Vec::new();
    collect(&schema, &mut fields);
    fields.sort();
    fields.dedup();
    fields
}

/// The fields of a task as the commands print it: its own (with its sessions, as `view`,
/// `wait` and `create --wait` get it) and its resolved `pull_request`.
pub fn task_fields(sessions: bool) -> Vec<String> {
    let mut fields = if sessions {
        fields_of::<TaskWithSessions>()
    } else {
        fields_of::<Task>()
    };
    fields.push("pull_request".to_owned());
    fields
}

/// A task as JSON, with its `pull_request` object when there is one.
fn with_pr(task: &impl serde::Serialize, pr: Option<&PrLink>) -> Result<Value, Failure> {
    let mut value = serde_json::to_value(task)
        .map_err(|e| Failure::error(format!("cannot write JSON: {e}")))?;
    if let (Some(pr), Value::Object(map)) = (pr, &mut value) {
        map.insert(
            "pull_request".into(),
            serde_json::to_value(pr).unwrap_or(Value::Null),
        );
    }
    Ok(value)
}

/// Where and how to print.
pub struct Out {
    json: Option<JsonMode>,
    tty: bool,
    compact: bool,
}

/// What `--json` asked for.
struct JsonMode {
    fields: Vec<String>,
    jq: Option<Jq>,
}

impl Out {
    /// From the global options; a bad `--jq` expression is a usage error.
    pub fn new(json: Option<&str>, jq: Option<&str>) -> Result<Self, Failure> {
        let jq = jq.map(Jq::compile).transpose().map_err(Failure::usage)?;
        let json = (json.is_some() || jq.is_some()).then(|| JsonMode {
            fields: json
                .unwrap_or("")
                .split(',')
                .map(str::trim)
                .filter(|f| !f.is_empty())
                .map(str::to_owned)
                .collect(),
            jq,
        });
        Ok(Out {
            json,
            tty: stdout_is_terminal(),
            compact: false,
        })
    }

    /// `--json` fields that are not among `known` (what the command prints): nothing should be
    /// sent when there are any, as gh does.
    pub fn check_fields(&self, known: &[String]) -> Result<(), Failure> {
        let Some(mode) = &self.json else {
            return Ok(());
        };
        let unknown: Vec<&str> = mode
            .fields
            .iter()
            .filter(|f| !known.contains(f))
            .map(String::as_str)
            .collect();
        if unknown.is_empty() {
            return Ok(());
        }
        let mut known = known.to_vec();
        known.sort();
        known.dedup();
        Err(Failure::usage(format!(
            "unknown JSON field{} {}; available: {}",
            if unknown.len() == 1 { "" } else { "s" },
            unknown
                .iter()
                .map(|f| format!("`{}`", inert(f)))
                .collect::<Vec<_>>()
                .join(", "),
            known.join(", ")
        )))
    }

    /// JSON as one document per line (JSON Lines), for commands that print several.
    pub fn compact(mut self) -> Self {
        self.compact = true;
        self
    }

    pub fn is_json(&self) -> bool {
        self.json.is_some()
    }

    pub fn is_tty(&self) -> bool {
        self.tty
    }

    pub fn error(&self, message: &str) {
        eprintln!("agent-tasks: {message}");
    }

    /// Human text, unless the output is JSON.
    pub fn say(&self, text: &str) {
        if self.json.is_none() {
            line(text);
        }
    }

    /// A value as JSON: only the fields asked for, then through `--jq`.
    pub fn json(&self, value: &impl serde::Serialize) -> Result<(), Failure> {
        let Some(mode) = &self.json else {
            return Ok(());
        };
        let mut value = serde_json::to_value(value)
            .map_err(|e| Failure::error(format!("cannot write JSON: {e}")))?;
        if !mode.fields.is_empty() {
            value = select(value, &mode.fields);
        }
        match &mode.jq {
            Some(jq) => {
                for out in jq.run(value).map_err(Failure::error)? {
                    // Like gh and jq -r: a string prints bare.
                    match out {
                        Value::String(s) => line(&s),
                        other => line(&other.to_string()),
                    }
                }
            }
            None if self.compact => line(&value.to_string()),
            None => line(&serde_json::to_string_pretty(&value).unwrap_or_default()),
        }
        Ok(())
    }

    /// A task as JSON, with its `pull_request` object when there is one.
    fn json_with_pr(
        &self,
        task: &impl serde::Serialize,
        pr: Option<&PrLink>,
    ) -> Result<(), Failure> {
        self.json(&with_pr(task, pr)?)
    }

    fn state(&self, state: &TaskState) -> String {
        paint(self.tty, state)
    }

    pub fn created(&self, task: &Task) -> Result<(), Failure> {
        if self.is_json() {
            return self.json(task);
        }
        line(&format!(
            "Started task {} in {} ({})",
            inert(&task.id),
            repo_of(task),
            self.state(&task.state)
        ));
        if let Some(url) = &task.html_url {
            line(&format!("  {}", inert(url)));
        }
        Ok(())
    }

    pub fn finished(&self, task: &TaskWithSessions, pr: Option<&PrLink>) -> Result<(), Failure> {
        if self.is_json() {
            return self.json_with_pr(task, pr);
        }
        let verdict = match task.state.class() {
            Some(StateClass::Succeeded) => "finished",
            Some(StateClass::NeedsAttention) => "needs your attention",
            Some(StateClass::Unsuccessful) => "ended without success",
            Some(StateClass::Active) | None => "is still running",
        };
        line(&format!(
            "Task {} {verdict}: {}",
            inert(&task.id),
            self.state(&task.state)
        ));
        if let Some(pr) = pr {
            line(&format!("  pull request {}", inert(&pr.describe())));
        }
        if let Some(message) = task
            .latest_session()
            .and_then(|s| s.error.as_ref())
            .and_then(|e| e.message.as_deref())
        {
            line(&format!("  error: {}", inert(message)));
        }
        if let Some(url) = &task.html_url {
            line(&format!("  {}", inert(url)));
        }
        Ok(())
    }

    /// A table of tasks, and how many there are in all when the API said.
    /// A table of tasks with their pull requests, and how many there are in all when the
    /// API said.
    pub fn list(
        &self,
        tasks: &[Task],
        prs: &[Option<PrLink>],
        total: Option<u64>,
        now: DateTime<Utc>,
    ) -> Result<(), Failure> {
        if self.is_json() {
            let rows: Vec<Value> = tasks
                .iter()
                .zip(prs.iter().chain(std::iter::repeat(&None)))
                .map(|(t, pr)| with_pr(t, pr.as_ref()))
                .collect::<Result<_, _>>()?;
            return self.json(&rows);
        }
        if tasks.is_empty() {
            line("No tasks match.");
            return Ok(());
        }
        let rows: Vec<(Vec<String>, Option<&TaskState>)> = tasks
            .iter()
            .zip(prs.iter().chain(std::iter::repeat(&None)))
            .map(|(t, pr)| {
                let cells = vec![
                    inert(&t.id),
                    t.state.to_string(),
                    repo_of(t),
                    ago(now, t.updated_at.unwrap_or(t.created_at)),
                    pr.as_ref()
                        .map_or_else(|| "-".to_owned(), |p| inert(&p.cell())),
                    inert(t.name.as_deref().unwrap_or_default()),
                ];
                (cells, Some(&t.state))
            })
            .collect();
        self.table(
            &["ID", "STATE", "REPOSITORY", "UPDATED", "PR", "NAME"],
            1,
            &rows,
        );
        if let Some(total) = total
            && total > tasks.len() as u64
        {
            line(&format!(
                "\nShowing {} of {total} tasks; -L to see more",
                tasks.len()
            ));
        }
        Ok(())
    }

    /// An aligned table; the cells of column `state_column` are painted by their row's state.
    pub fn table(
        &self,
        header: &[&str],
        state_column: usize,
        rows: &[(Vec<String>, Option<&TaskState>)],
    ) {
        let mut widths: Vec<usize> = header.iter().map(|h| h.len()).collect();
        for (cells, _) in rows {
            for (w, cell) in widths.iter_mut().zip(cells) {
                *w = (*w).max(cell.chars().count());
            }
        }
        let render = |cells: &[String], state: Option<&TaskState>| {
            let mut text = String::new();
            for (i, cell) in cells.iter().enumerate() {
                match (i == state_column, state) {
                    (true, Some(s)) => text.push_str(&paint(self.tty, s)),
                    _ => text.push_str(cell),
                }
                if i + 1 < cells.len() {
                    let pad = widths
                        .get(i)
                        .copied()
                        .unwrap_or(0)
                        .saturating_sub(cell.chars().count());
                    text.push_str(&" ".repeat(pad + 2));
                }
            }
            text
        };
        let header: Vec<String> = header.iter().map(|h| (*h).to_owned()).collect();
        line(&render(&header, None));
        for (cells, state) in rows {
            line(&render(cells, *state));
        }
    }

    pub fn view(&self, task: &TaskWithSessions, pr: Option<&PrLink>) -> Result<(), Failure> {
        if self.is_json() {
            return self.json_with_pr(task, pr);
        }
        let field = |name: &str, value: String| line(&format!("{:<15}{value}", format!("{name}:")));
        field(
            "Task",
            task.name
                .as_deref()
                .map(inert)
                .unwrap_or_else(|| "(unnamed)".into()),
        );
        field("ID", inert(&task.id));
        field("State", self.state(&task.state));
        field("Repository", repo_of(task));
        field("Created", task.created_at.to_rfc3339());
        if let Some(t) = task.updated_at {
            field("Updated", t.to_rfc3339());
        }
        if let Some(t) = task.archived_at {
            field("Archived", t.to_rfc3339());
        }
        if let Some(agent) = task.custom_agent_id() {
            field("Custom agent", inert(agent));
        }
        for artifact in &task.artifacts {
            match artifact {
                Artifact::PullRequest { id, global_id } => field(
                    "Pull request",
                    match pr {
                        Some(pr) => inert(&pr.describe()),
                        None => format!(
                            "database id {id}{}",
                            global_id
                                .as_deref()
                                .map(|g| format!(", node id {}", inert(g)))
                                .unwrap_or_default()
                        ),
                    },
                ),
                Artifact::Branch { head_ref, base_ref } => field(
                    "Branch",
                    format!("{} -> {}", inert(head_ref), inert(base_ref)),
                ),
                Artifact::Unknown {
                    provider,
                    kind,
                    data,
                } => field("Artifact", inert(&format!("{provider}/{kind} {data}"))),
                _ => {}
            }
        }
        if let Some(url) = &task.html_url {
            field("Web", inert(url));
        }
        if let Some(url) = &task.url {
            field("API", inert(url));
        }
        line(&format!("{:<15}{}", "Sessions:", task.sessions.len()));
        for s in &task.sessions {
            let mut parts = vec![self.state(&s.state)];
            if let Some(m) = &s.model {
                parts.push(format!("model {}", inert(m)));
            }
            if let Some(u) = &s.usage {
                parts.push(format!(
                    "{:.1} {}",
                    u.units(),
                    inert(&u.kind.as_str().replace('_', " "))
                ));
            }
            if let Some(done) = s.completed_at {
                parts.push(format!(
                    "took {}",
                    human(
                        done.signed_duration_since(s.created_at)
                            .to_std()
                            .unwrap_or_default()
                    )
                ));
            }
            line(&format!("  {}  {}", inert(&s.id), parts.join(", ")));
            if let Some(message) = s.error.as_ref().and_then(|e| e.message.as_deref()) {
                line(&format!(
                    "    error: {}",
                    inert_lines(message).replace('\n', "\n    ")
                ));
            }
        }
        if task.ai_credits() > 0.0 {
            line(&format!("{:<15}{:.1}", "AI credits:", task.ai_credits()));
        }
        Ok(())
    }
}

/// Only `fields` of an object (or of each object of an array).
fn select(value: Value, fields: &[String]) -> Value {
    match value {
        Value::Array(items) => Value::Array(items.into_iter().map(|v| select(v, fields)).collect()),
        Value::Object(mut map) => Value::Object(
            fields
                .iter()
                .filter_map(|f| map.remove(f).map(|v| (f.clone(), v)))
                .collect(),
        ),
        other => other,
    }
}

pub fn paint(colour: bool, state: &TaskState) -> String {
    let text = inert(state.as_str());
    if !colour {
        return text;
    }
    let code = match state.class() {
        Some(StateClass::Succeeded) => "32",
        Some(StateClass::Unsuccessful) => "31",
        Some(StateClass::NeedsAttention) => "33",
        Some(StateClass::Active) => "36",
        None => "2",
    };
    format!("\x1b[{code}m{text}\x1b[0m")
}

/// `OWNER/REPO` from the task's web URL (the API identifies repositories by id only).
pub fn repo_of(task: &Task) -> String {
    task.html_url
        .as_deref()
        .and_then(|u| u.split_once("://"))
        .map(|(_, rest)| rest.split('/').skip(1).take(2).collect::<Vec<_>>())
        .filter(|parts| parts.len() == 2)
        .map(|parts| inert(&parts.join("/")))
        .or_else(|| task.repository_id().map(|id| format!("repository {id}")))
        .unwrap_or_else(|| "-".into())
}

fn ago(now: DateTime<Utc>, then: DateTime<Utc>) -> String {
    let d = now.signed_duration_since(then).to_std().unwrap_or_default();
    format!("{} ago", human(d))
}
