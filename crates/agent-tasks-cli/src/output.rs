//! What the command prints: aligned tables with coloured states on a terminal, plain text when
//! piped, JSON with the API's field names under `--json`, a live status line while waiting, and
//! the demo.

use std::io::Write;
use std::time::{Duration, Instant};

use agent_tasks::{Artifact, Task, TaskState, TaskWithSessions};
use chrono::{DateTime, Utc};

use crate::cli::{EXIT_OK, Failure};

/// Where and how to print.
pub struct Out {
    json: bool,
    tty: bool,
}

impl Out {
    pub fn new(json: bool) -> Self {
        Out {
            json,
            tty: crate::cli::stdout_is_terminal(),
        }
    }

    pub fn error(&self, message: &str) {
        eprintln!("agent-tasks: {message}");
    }

    fn json(&self, value: &impl serde::Serialize) {
        println!(
            "{}",
            serde_json::to_string_pretty(value).expect("the SDK's types serialize")
        );
    }

    fn state(&self, state: &TaskState) -> String {
        paint(self.tty, state)
    }

    pub fn created(&self, task: &Task) {
        if self.json {
            return self.json(task);
        }
        println!(
            "Started task {} in {} ({})",
            task.id,
            repo_of(task),
            self.state(&task.state)
        );
        if let Some(url) = &task.html_url {
            println!("  {url}");
        }
    }

    pub fn created_waiting(&self, task: &Task) {
        if !self.json {
            self.created(task);
        }
    }

    pub fn finished(&self, task: &TaskWithSessions) {
        if self.json {
            return self.json(task);
        }
        let verdict = match &task.state {
            s if s.is_success() => "finished",
            s if s.needs_attention() => "needs your attention",
            s if s.is_terminal() => "ended without success",
            _ => "is still running",
        };
        println!("Task {} {verdict}: {}", task.id, self.state(&task.state));
        if let Some((id, _)) = task.pull_request() {
            println!("  pull request {id} (database id)");
        }
        if let Some(message) = task
            .latest_session()
            .and_then(|s| s.error.as_ref())
            .and_then(|e| e.message.as_deref())
        {
            println!("  error: {message}");
        }
        if let Some(url) = &task.html_url {
            println!("  {url}");
        }
    }

    pub fn list(&self, tasks: &[Task]) {
        if self.json {
            return self.json(&tasks);
        }
        if tasks.is_empty() {
            println!("No tasks match.");
            return;
        }
        let now = Utc::now();
        let rows: Vec<[String; 5]> = tasks
            .iter()
            .map(|t| {
                [
                    t.id.clone(),
                    t.state.to_string(),
                    repo_of(t),
                    ago(now, t.updated_at.unwrap_or(t.created_at)),
                    t.name.clone().unwrap_or_default(),
                ]
            })
            .collect();
        let header = ["ID", "STATE", "REPOSITORY", "UPDATED", "NAME"];
        let mut widths = header.map(str::len);
        for row in &rows {
            for (w, cell) in widths.iter_mut().zip(row) {
                *w = (*w).max(cell.chars().count());
            }
        }
        let line = |cells: [String; 5], state: Option<&TaskState>| {
            let mut text = String::new();
            for (i, cell) in cells.iter().enumerate() {
                let shown = match (i, state) {
                    (1, Some(s)) => paint(self.tty, s),
                    _ => cell.clone(),
                };
                if i + 1 == cells.len() {
                    text.push_str(&shown);
                } else {
                    let pad = widths[i] - cell.chars().count();
                    text.push_str(&shown);
                    text.push_str(&" ".repeat(pad + 2));
                }
            }
            text
        };
        println!("{}", line(header.map(str::to_owned), None));
        for (row, task) in rows.into_iter().zip(tasks) {
            println!("{}", line(row, Some(&task.state)));
        }
    }

    pub fn view(&self, task: &TaskWithSessions) {
        if self.json {
            return self.json(task);
        }
        let field = |name: &str, value: String| println!("{:<15}{value}", format!("{name}:"));
        field(
            "Task",
            task.name.clone().unwrap_or_else(|| "(unnamed)".into()),
        );
        field("ID", task.id.clone());
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
            field("Custom agent", agent.to_owned());
        }
        for artifact in &task.artifacts {
            match artifact {
                Artifact::PullRequest { id, global_id } => field(
                    "Pull request",
                    format!(
                        "database id {id}{}",
                        global_id
                            .as_deref()
                            .map(|g| format!(", node id {g}"))
                            .unwrap_or_default()
                    ),
                ),
                Artifact::Branch { head_ref, base_ref } => {
                    field("Branch", format!("{head_ref} -> {base_ref}"))
                }
                Artifact::Unknown {
                    provider,
                    kind,
                    data,
                } => field("Artifact", format!("{provider}/{kind} {data}")),
                _ => {}
            }
        }
        if let Some(url) = &task.html_url {
            field("Web", url.clone());
        }
        if let Some(url) = &task.url {
            field("API", url.clone());
        }
        println!("{:<15}{}", "Sessions:", task.sessions.len());
        for s in &task.sessions {
            let mut parts = vec![self.state(&s.state)];
            if let Some(m) = &s.model {
                parts.push(format!("model {m}"));
            }
            if let Some(u) = &s.usage {
                parts.push(format!(
                    "{:.1} {}",
                    u.units(),
                    u.kind.as_str().replace('_', " ")
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
            println!("  {}  {}", s.id, parts.join(", "));
            if let Some(message) = s.error.as_ref().and_then(|e| e.message.as_deref()) {
                println!("    error: {message}");
            }
        }
        if task.ai_credits() > 0.0 {
            println!("{:<15}{:.1}", "AI credits:", task.ai_credits());
        }
    }

    pub fn status_line(&self) -> StatusLine {
        StatusLine {
            live: self.tty && !self.json,
            quiet: self.json,
            started: Instant::now(),
            state: None,
            frame: 0,
        }
    }
}

/// The line that shows a waited-for task: redrawn in place on a terminal, a line per change
/// when piped, nothing under `--json`.
pub struct StatusLine {
    live: bool,
    quiet: bool,
    started: Instant,
    state: Option<TaskState>,
    frame: usize,
}

impl StatusLine {
    pub fn update(&mut self, task: &TaskWithSessions) {
        let changed = self.state.as_ref() != Some(&task.state);
        self.state = Some(task.state.clone());
        if self.live {
            self.draw();
        } else if changed && !self.quiet {
            println!("{}  {}", Utc::now().format("%H:%M:%S"), task.state);
        }
    }

    pub fn tick(&mut self) {
        if self.live && self.state.is_some() {
            self.frame += 1;
            self.draw();
        }
    }

    fn draw(&self) {
        const SPIN: [char; 4] = ['|', '/', '-', '\\'];
        let state = self
            .state
            .as_ref()
            .map(|s| paint(true, s))
            .unwrap_or_default();
        print!(
            "\r\x1b[2K{} {state}  {}",
            SPIN[self.frame % SPIN.len()],
            human(self.started.elapsed())
        );
        let _ = std::io::stdout().flush();
    }

    pub fn finish(&mut self) {
        if self.live {
            print!("\r\x1b[2K");
            let _ = std::io::stdout().flush();
        }
    }
}

fn paint(colour: bool, state: &TaskState) -> String {
    if !colour {
        return state.to_string();
    }
    let code = match state {
        TaskState::Completed => "32",
        TaskState::Failed | TaskState::TimedOut | TaskState::Cancelled => "31",
        TaskState::WaitingForUser | TaskState::Idle => "33",
        TaskState::InProgress => "36",
        _ => "2",
    };
    format!("\x1b[{code}m{state}\x1b[0m")
}

/// `OWNER/REPO` from the task's web URL (the API identifies repositories by id only).
fn repo_of(task: &Task) -> String {
    task.html_url
        .as_deref()
        .and_then(|u| u.split_once("://"))
        .map(|(_, rest)| rest.split('/').skip(1).take(2).collect::<Vec<_>>())
        .filter(|parts| parts.len() == 2)
        .map(|parts| parts.join("/"))
        .or_else(|| task.repository_id().map(|id| format!("repository {id}")))
        .unwrap_or_else(|| "-".into())
}

fn ago(now: DateTime<Utc>, then: DateTime<Utc>) -> String {
    let d = now.signed_duration_since(then).to_std().unwrap_or_default();
    format!("{} ago", human(d))
}

fn human(d: Duration) -> String {
    let s = d.as_secs();
    match s {
        0..60 => format!("{s}s"),
        60..3600 => format!("{}m{:02}s", s / 60, s % 60),
        3600..86400 => format!("{}h{:02}m", s / 3600, s % 3600 / 60),
        _ => format!("{}d{:02}h", s / 86400, s % 86400 / 3600),
    }
}

/// `agent-tasks demo`: the whole flow against the fake, in-process.
pub async fn demo(out: &Out) -> Result<u8, Failure> {
    use agent_tasks_fake::{Fake, Outcome, Schedule};
    let fake = Fake::builder()
        .time_scale(20.0)
        .schedule(Schedule {
            queued: Duration::from_secs(4),
            running: Duration::from_secs(40),
        })
        .outcome("flaky", Outcome::WaitingForUser)
        .start()
        .await
        .map_err(|e| Failure::io("cannot start the local fake", e))?;
    let say = |text: &str| {
        if !out.json {
            println!("\n== {text}");
        }
    };
    if !out.json {
        println!(
            "agent-tasks demo: a local fake of GitHub's Agent tasks API runs on {}.",
            fake.url()
        );
        println!("No token, network or Copilot plan is used; the fake's clock runs 20x faster.");
    }
    let client = agent_tasks::Client::builder()
        .token(agent_tasks_fake::DEFAULT_TOKEN)
        .base_url(fake.url())
        .user_agent(concat!(
            "agent-tasks-cli/",
            env!("CARGO_PKG_VERSION"),
            " (demo)"
        ))
        .build()?;
    let repo = client.repo("octocat", "hello-world");

    say(
        "agent-tasks create octocat/hello-world \"Add input validation to the signup form\" --base main --pr --wait",
    );
    let task = repo
        .create_task("Add input validation to the signup form")
        .base_ref("main")
        .create_pull_request(true)
        .send()
        .await?;
    out.created(&task);
    let mut status = out.status_line();
    let mut stream = std::pin::pin!(
        repo.task(&task.id)
            .wait()
            .interval(Duration::from_millis(100))
            .max_interval(Duration::from_millis(400))
            .watch()
    );
    let mut ticker = tokio::time::interval(Duration::from_millis(100));
    let mut last = None;
    loop {
        tokio::select! {
            item = futures_util::StreamExt::next(&mut stream) => match item {
                Some(item) => {
                    let t = item?;
                    status.update(&t);
                    last = Some(t);
                }
                None => break,
            },
            _ = ticker.tick() => status.tick(),
        }
    }
    status.finish();
    let done = last.expect("the watch yields at least once");
    out.finished(&done);

    say(&format!("agent-tasks view octocat/hello-world {}", done.id));
    out.view(&repo.task(&done.id).send().await?);

    say(
        "agent-tasks create octocat/hello-world \"Fix the flaky login test\" (the fake makes this one wait for you)",
    );
    let second = repo.create_task("Fix the flaky login test").send().await?;
    out.created(&second);
    let asked = repo
        .task(&second.id)
        .wait()
        .interval(Duration::from_millis(100))
        .max_interval(Duration::from_millis(400))
        .send()
        .await?;
    out.finished(&asked);

    say("agent-tasks list octocat/hello-world");
    let tasks: Vec<Task> =
        futures_util::TryStreamExt::try_collect(repo.list_tasks().stream()).await?;
    out.list(&tasks);
    if !out.json {
        println!(
            "\nRequests the fake answered: {}. Try `agent-tasks --help`.",
            fake.state().requests_total
        );
    }
    Ok(EXIT_OK)
}
