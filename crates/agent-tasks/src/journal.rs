//! The journal of a fan-out: a JSON Lines file that records every step before the next one,
//! so that a run killed at any point can be resumed without starting anything twice.
//!
//! The first line names the run (its id, from which each repository's idempotency key is
//! made, and a fingerprint of the prompt and options); each later line is one step of one
//! repository. The last step of a repository says where it is.

use std::collections::HashMap;
use std::fs::{File, OpenOptions};
use std::io::{Read, Write};
use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

use crate::error::{Error, Result};

/// Longest journal read back (a line per step; 200 repositories take a few hundred KiB).
const MAX_JOURNAL_BYTES: u64 = 64 * 1024 * 1024;

/// The first line of a journal.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub(crate) struct Header {
    /// Always `agent-tasks fan-out 1`.
    pub format: String,
    /// The run's id: each repository's idempotency key is made from it.
    pub run: String,
    /// A fingerprint of the prompt and options: a journal resumes only the same fan-out.
    pub fingerprint: String,
}

/// Where a repository is.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum Status {
    /// The creation was about to be sent (a crash after this line leaves its outcome unknown
    /// until the idempotency key is looked up).
    Starting,
    /// The task exists.
    Created,
    /// The creation was refused or could not be sent: no task.
    Failed,
    /// Whether the task exists is not known yet (a rerun looks it up by its key).
    Unknown,
}

/// One step of one repository.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub(crate) struct Step {
    pub repo: String,
    pub status: Status,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub task_id: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub error: Option<String>,
}

/// An open journal, appended to line by line.
pub(crate) struct Journal {
    path: PathBuf,
    file: File,
    pub header: Header,
    /// The last step of each repository, as read back and written since.
    pub last: HashMap<String, Step>,
}

fn invalid(path: &Path, reason: impl std::fmt::Display) -> Error {
    Error::invalid(
        "journal",
        format!("{}: {reason}", path.display().to_string().escape_debug()),
    )
}

impl Journal {
    /// Opens the journal at `path`: a new one for `fingerprint`, or the existing one, which must
    /// be of the same fan-out.
    pub(crate) fn open(
        path: &Path,
        fingerprint: &str,
        new_run: impl FnOnce() -> String,
    ) -> Result<Journal> {
        let exists = path.exists();
        let mut last = HashMap::new();
        let header = if exists {
            let file = File::open(path).map_err(|e| invalid(path, e))?;
            // A device (`/dev/zero`) says it is empty and never ends: only regular files.
            if !file.metadata().map(|m| m.is_file()).unwrap_or(false) {
                return Err(invalid(path, "is not a regular file"));
            }
            let mut text = String::new();
            std::io::Read::take(file, MAX_JOURNAL_BYTES + 1)
                .read_to_string(&mut text)
                .map_err(|e| invalid(path, e))?;
            if text.len() as u64 > MAX_JOURNAL_BYTES {
                return Err(invalid(
                    path,
                    "is larger than any journal this client writes",
                ));
            }
            let mut lines = text.lines();
            let first = lines.next().ok_or_else(|| invalid(path, "is empty"))?;
            let header: Header = serde_json::from_str(first)
                .map_err(|e| invalid(path, format!("is not a fan-out journal ({e})")))?;
            if header.format != FORMAT {
                return Err(invalid(
                    path,
                    format!("has format {:?}, not {FORMAT:?}", header.format),
                ));
            }
            if header.fingerprint != fingerprint {
                return Err(invalid(
                    path,
                    "belongs to a fan-out with another prompt or other options: give this one a new journal file (or that fan-out's own prompt and options, to finish it)",
                ));
            }
            for line in lines {
                if line.trim().is_empty() {
                    continue;
                }
                // A line cut short by a crash cannot be read: as far as the journal knows, its
                // step did not happen, and the rerun takes it again (safely: by its key).
                if let Ok(step) = serde_json::from_str::<Step>(line) {
                    last.insert(step.repo.clone(), step);
                }
            }
            header
        } else {
            Header {
                format: FORMAT.to_owned(),
                run: new_run(),
                fingerprint: fingerprint.to_owned(),
            }
        };
        let mut file = OpenOptions::new()
            .create(true)
            .append(true)
            .open(path)
            .map_err(|e| invalid(path, e))?;
        if !exists {
            let line = serde_json::to_string(&header).map_err(|e| invalid(path, e))?;
            writeln!(file, "{line}")
                .and_then(|()| file.sync_data())
                .map_err(|e| invalid(path, e))?;
        }
        Ok(Journal {
            path: path.to_owned(),
            file,
            header,
            last,
        })
    }

    /// Appends a step and makes it durable before returning.
    pub(crate) fn record(&mut self, step: Step) -> Result<()> {
        let line = serde_json::to_string(&step).map_err(|e| invalid(&self.path, e))?;
        // One write of the whole line, then fsync: a crash leaves the line whole or absent
        // (or, at worst, cut short at the end, which is skipped when read back).
        self.file
            .write_all(format!("{line}\n").as_bytes())
            .and_then(|()| self.file.sync_data())
            .map_err(|e| invalid(&self.path, e))?;
        self.last.insert(step.repo.clone(), step);
        Ok(())
    }
}

/// The journal format this version writes and reads.
pub(crate) const FORMAT: &str = "agent-tasks fan-out 1";
