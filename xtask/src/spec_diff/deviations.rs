//! Deviations: the deliberate differences listed in `openapi/deviations.yaml`, matched against
//! the differences found, and the report that says which are unlisted and which are stale.

use std::collections::BTreeSet;
use std::fmt::Write as _;

use anyhow::{Context, Result, bail};

use super::compare::{Difference, Impact};

/// A deliberate difference, listed with its reason in `openapi/deviations.yaml`.
#[derive(Clone, Debug, serde::Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Deviation {
    /// `METHOD /path`, or a pattern with `*`.
    pub operation: String,
    /// Where, as the report prints it, or a pattern with `*`.
    pub at: String,
    /// The kind, as the report prints it.
    pub kind: String,
    /// Why our spec differs.
    pub reason: String,
}

impl Deviation {
    fn covers(&self, d: &Difference) -> bool {
        self.kind == d.kind && glob(&self.operation, &d.operation) && glob(&self.at, &d.at)
    }
}

#[derive(serde::Deserialize)]
#[serde(deny_unknown_fields)]
struct DeviationFile {
    deviations: Vec<Deviation>,
}

/// Reads the deviations file.
pub fn parse_deviations(text: &str) -> Result<Vec<Deviation>> {
    let file: DeviationFile = serde_yaml::from_str(text).context("reading the deviations")?;
    for d in &file.deviations {
        if d.reason.trim().is_empty() {
            bail!(
                "the deviation {} / {} / {} gives no reason",
                d.operation,
                d.at,
                d.kind
            );
        }
    }
    Ok(file.deviations)
}

/// `*` matches any run of characters; everything else matches itself.
fn glob(pattern: &str, text: &str) -> bool {
    let parts: Vec<&str> = pattern.split('*').collect();
    if parts.len() == 1 {
        return pattern == text;
    }
    let mut rest = text;
    for (i, part) in parts.iter().enumerate() {
        if i == 0 {
            let Some(r) = rest.strip_prefix(part) else {
                return false;
            };
            rest = r;
        } else if i == parts.len() - 1 {
            return rest.ends_with(part);
        } else {
            let Some(pos) = rest.find(part) else {
                return false;
            };
            rest = &rest[pos + part.len()..];
        }
    }
    true
}

/// The outcome of checking differences against the deviations.
pub struct Report {
    /// Every difference, with the deviation that covers it, if any.
    pub differences: Vec<(Difference, Option<usize>)>,
    /// Deviations that cover no difference any more.
    pub stale: Vec<Deviation>,
    /// The report as text.
    pub text: String,
}

impl Report {
    /// Differences no deviation covers.
    pub fn unlisted(&self) -> impl Iterator<Item = &Difference> {
        self.differences
            .iter()
            .filter(|(_, d)| d.is_none())
            .map(|(d, _)| d)
    }

    /// Whether every difference is listed and no listed deviation is stale.
    pub fn passes(&self) -> bool {
        self.unlisted().next().is_none() && self.stale.is_empty()
    }
}

/// Matches differences with deviations and writes the report, grouped by operation.
pub fn report(differences: Vec<Difference>, deviations: &[Deviation]) -> Report {
    let matched: Vec<(Difference, Option<usize>)> = differences
        .into_iter()
        .map(|d| {
            let by = deviations.iter().position(|v| v.covers(&d));
            (d, by)
        })
        .collect();
    let used: BTreeSet<usize> = matched.iter().filter_map(|(_, by)| *by).collect();
    let stale: Vec<Deviation> = deviations
        .iter()
        .enumerate()
        .filter(|(i, _)| !used.contains(i))
        .map(|(_, d)| d.clone())
        .collect();

    let mut text = String::new();
    let mut current = None;
    for (d, by) in &matched {
        if current != Some(&d.operation) {
            let _ = writeln!(text, "\n{}", d.operation);
            current = Some(&d.operation);
        }
        let listed = if by.is_some() {
            "  (listed deviation)"
        } else {
            ""
        };
        let _ = writeln!(
            text,
            "  {:<8} {} [{}]: {}{listed}",
            d.impact.label(),
            d.at,
            d.kind,
            d.detail
        );
    }
    for s in &stale {
        let _ = writeln!(
            text,
            "\nstale deviation (no longer occurs): {} / {} / {}",
            s.operation, s.at, s.kind
        );
    }
    let breaking = matched
        .iter()
        .filter(|(d, _)| d.impact == Impact::Breaking)
        .count();
    let unlisted = matched.iter().filter(|(_, by)| by.is_none()).count();
    let _ = writeln!(
        text,
        "\nspec-diff: {} differences ({breaking} breaking, {} additive); {} listed as deviations, {unlisted} unlisted; {} stale deviations",
        matched.len(),
        matched.len() - breaking,
        matched.len() - unlisted,
        stale.len()
    );
    Report {
        differences: matched,
        stale,
        text,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::spec_diff::compare::tests::{diff, fixture, task_props};

    #[test]
    fn identical_documents_pass_with_no_differences() {
        let r = report(diff(&fixture("upstream.json")), &[]);
        assert!(r.passes(), "{}", r.text);
        assert!(r.text.contains("0 differences"), "{}", r.text);
    }

    #[test]
    fn a_listed_deviation_passes_and_a_stale_one_fails() {
        let mut up = fixture("upstream.json");
        task_props(&mut up)["state"]["enum"]
            .as_array_mut()
            .unwrap()
            .push("paused".into());
        let listed = parse_deviations(
            "deviations:\n  - operation: '*'\n    at: response 200 body.state\n    kind: enum-value-added\n    reason: we follow later\n",
        )
        .unwrap();
        let r = report(diff(&up), &listed);
        assert!(r.passes(), "{}", r.text);
        assert!(r.text.contains("(listed deviation)"));

        let unlisted = report(diff(&up), &[]);
        assert!(!unlisted.passes());
        assert!(unlisted.text.contains("1 unlisted"), "{}", unlisted.text);

        let stale = report(diff(&fixture("upstream.json")), &listed);
        assert!(!stale.passes());
        assert_eq!(stale.stale.len(), 1);
        assert!(stale.text.contains("stale deviation"), "{}", stale.text);
    }

    #[test]
    fn a_deviation_needs_a_reason() {
        let e = parse_deviations(
            "deviations:\n  - operation: '*'\n    at: x\n    kind: y\n    reason: ' '\n",
        )
        .unwrap_err();
        assert!(e.to_string().contains("no reason"));
    }

    #[test]
    fn globs_match() {
        assert!(glob("*", "anything"));
        assert!(glob(
            "response 20* body*.creator",
            "response 200 body.tasks[].creator"
        ));
        assert!(!glob(
            "response 20* body*.creator",
            "response 200 body.tasks[].creator_type"
        ));
        assert!(glob("GET /a", "GET /a") && !glob("GET /a", "GET /ab"));
    }
}
