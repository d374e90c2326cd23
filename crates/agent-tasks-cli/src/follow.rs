//! The one live-status loop: follows one task or several as their states change, with a
//! status line redrawn in place on a terminal, a line per change when piped, and nothing under
//! `--json`. `create --wait`, `wait` and the demo all go through [`follow`].

use std::io::Write;
use std::time::{Duration, Instant};

use agent_tasks::{Task, TaskState};
use futures_util::{Stream, StreamExt};

use crate::exit::Failure;
use agent_tasks::clock::human;

use crate::output::{Out, line, paint};
use crate::text::inert;

/// Follows `stream` (each item a task as it changed) to its end and returns the last state of
/// each task, in the order they first appeared.
pub async fn follow<T, S>(
    mut stream: S,
    out: &Out,
    task_of: fn(&T) -> &Task,
) -> Result<Vec<T>, Failure>
where
    S: Stream<Item = agent_tasks::Result<T>> + Unpin,
{
    let mut status = StatusLine::new(out);
    let mut ticker = tokio::time::interval(Duration::from_millis(250));
    let mut last: Vec<T> = Vec::new();
    loop {
        tokio::select! {
            item = stream.next() => match item {
                Some(Ok(item)) => {
                    let task = task_of(&item);
                    status.update(task);
                    match last.iter().position(|t| task_of(t).id == task.id) {
                        Some(i) => last[i] = item,
                        None => last.push(item),
                    }
                }
                Some(Err(e)) => {
                    status.finish();
                    return Err(e.into());
                }
                None => break,
            },
            _ = ticker.tick() => status.tick(),
        }
    }
    status.finish();
    if last.is_empty() {
        return Err(Failure::error("the wait ended without an answer"));
    }
    Ok(last)
}

/// One line of a change, as `wait` and `watch` print it when piped: when it changed (the
/// task's own time, on the server's clock, as every timestamp printed), the task, and what.
pub fn change_line(task: &Task, what: &str) -> String {
    format!(
        "{}  {}  {what}",
        task.updated_at
            .unwrap_or(task.created_at)
            .format("%H:%M:%S"),
        inert(&task.id)
    )
}

/// The line that shows the followed tasks.
struct StatusLine {
    live: bool,
    quiet: bool,
    started: Instant,
    states: Vec<(String, TaskState)>,
    frame: usize,
}

impl StatusLine {
    fn new(out: &Out) -> Self {
        StatusLine {
            live: out.is_tty() && !out.is_json(),
            quiet: out.is_json(),
            started: Instant::now(),
            states: Vec::new(),
            frame: 0,
        }
    }

    fn update(&mut self, task: &Task) {
        let changed = match self.states.iter_mut().find(|(id, _)| *id == task.id) {
            Some((_, state)) if *state == task.state => false,
            Some((_, state)) => {
                *state = task.state.clone();
                true
            }
            None => {
                self.states.push((task.id.clone(), task.state.clone()));
                true
            }
        };
        if self.live {
            self.draw();
        } else if changed && !self.quiet {
            line(&change_line(task, &inert(task.state.as_str())));
        }
    }

    fn tick(&mut self) {
        if self.live && !self.states.is_empty() {
            self.frame = self.frame.wrapping_add(1);
            self.draw();
        }
    }

    fn draw(&self) {
        const SPIN: [char; 4] = ['|', '/', '-', '\\'];
        let states = match self.states.as_slice() {
            [(_, state)] => paint(true, state),
            many => many
                .iter()
                .map(|(id, state)| {
                    let short: String = id.chars().take(8).collect();
                    format!("{}: {}", inert(&short), paint(true, state))
                })
                .collect::<Vec<_>>()
                .join("  "),
        };
        let mut stdout = std::io::stdout().lock();
        let _ = write!(
            stdout,
            "\r\x1b[2K{} {states}  {}",
            SPIN[self.frame % SPIN.len()],
            human(self.started.elapsed())
        );
        let _ = stdout.flush();
    }

    fn finish(&mut self) {
        if self.live {
            let mut stdout = std::io::stdout().lock();
            let _ = write!(stdout, "\r\x1b[2K");
            let _ = stdout.flush();
        }
    }
}
