//! `cargo xtask spec-diff`: compares `openapi/agents.yaml` with GitHub's published description,
//! operation by operation, semantically.
//!
//! Both documents are read as plain JSON values; every `$ref` is resolved and every `allOf` is
//! merged before comparing, so factoring an inline schema into a named component is not a
//! difference. Descriptions, summaries and examples are ignored unless asked for. Each
//! difference is labelled breaking (for this client) or additive, and checked against the
//! deliberate deviations listed in `openapi/deviations.yaml`.

use std::collections::{BTreeMap, BTreeSet};
use std::fmt::Write as _;

use anyhow::{Context, Result, bail};
use serde_json::{Map, Value};

/// How a difference affects this client, reading the upstream document as the newer one.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum Impact {
    /// The client would send or expect something the API no longer matches.
    Breaking,
    /// New or looser on the API's side; the client keeps working.
    Additive,
}

impl Impact {
    fn label(self) -> &'static str {
        match self {
            Impact::Breaking => "breaking",
            Impact::Additive => "additive",
        }
    }
}

/// One semantic difference between our spec and the upstream description.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub struct Difference {
    /// `METHOD /path`.
    pub operation: String,
    /// Where in the operation: `parameter per_page`, `response 200 body.tasks[].state`, ...
    pub at: String,
    /// What kind of difference: `enum-value-added`, `type`, `property-removed`, ...
    pub kind: &'static str,
    /// Breaking or additive.
    pub impact: Impact,
    /// Ours against upstream, in words.
    pub detail: String,
}

/// Options of a comparison.
#[derive(Clone, Debug, Default)]
pub struct Options {
    /// Also compare descriptions and summaries.
    pub descriptions: bool,
}

/// Whether a schema is read in a request (we send it) or a response (we decode it): the same
/// change can break one and not the other.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Side {
    Request,
    Response,
}

/// Parses a document written in JSON or YAML.
pub fn parse_document(text: &str) -> Result<Value> {
    if let Ok(v) = serde_json::from_str(text) {
        return Ok(v);
    }
    serde_yaml::from_str(text).context("the document is neither JSON nor YAML")
}

const METHODS: [&str; 8] = [
    "get", "put", "post", "delete", "options", "head", "patch", "trace",
];

/// Whether an operation belongs to the Agent tasks API: its tag, or its path.
fn is_agent_tasks(path: &str, operation: &Value) -> bool {
    let tagged = operation["tags"]
        .as_array()
        .is_some_and(|tags| tags.iter().any(|t| t == "agent-tasks"));
    tagged
        || path.starts_with("/agents/repos/{owner}/{repo}/tasks")
        || path.starts_with("/agents/tasks")
}

/// The Agent tasks operations of a document, `METHOD /path` to the operation with every `$ref`
/// resolved and the path item's parameters merged in.
pub fn agent_operations(doc: &Value) -> Result<BTreeMap<String, Value>> {
    let mut out = BTreeMap::new();
    let Some(paths) = doc["paths"].as_object() else {
        bail!("the document has no `paths`");
    };
    for (path, item) in paths {
        let item = resolve(doc, item, 0)?;
        for method in METHODS {
            let Some(op) = item.get(method) else { continue };
            if !is_agent_tasks(path, op) {
                continue;
            }
            let mut op = op.clone();
            if let Some(shared) = item.get("parameters").and_then(Value::as_array) {
                let own = op["parameters"].as_array().cloned().unwrap_or_default();
                let mut merged: Vec<Value> = shared
                    .iter()
                    .filter(|p| {
                        !own.iter()
                            .any(|o| o["name"] == p["name"] && o["in"] == p["in"])
                    })
                    .cloned()
                    .collect();
                merged.extend(own);
                op["parameters"] = Value::Array(merged);
            }
            out.insert(format!("{} {path}", method.to_uppercase()), op);
        }
    }
    Ok(out)
}

/// Resolves every `$ref` (local JSON pointers) inside `value`, deeply.
fn resolve(doc: &Value, value: &Value, depth: usize) -> Result<Value> {
    if depth > 64 {
        bail!("`$ref`s nest deeper than 64 levels (a cycle?)");
    }
    Ok(match value {
        Value::Object(map) => {
            if let Some(Value::String(r)) = map.get("$ref") {
                let pointer = r
                    .strip_prefix('#')
                    .with_context(|| format!("only local `$ref`s are supported, got {r}"))?;
                let target = doc
                    .pointer(pointer)
                    .with_context(|| format!("`$ref` {r} points at nothing"))?;
                return resolve(doc, target, depth + 1);
            }
            let mut out = Map::new();
            for (k, v) in map {
                // Examples are data, not schema: their `$ref`s need not resolve for a comparison.
                if k == "examples" || k == "example" {
                    continue;
                }
                out.insert(k.clone(), resolve(doc, v, depth + 1)?);
            }
            Value::Object(out)
        }
        Value::Array(items) => Value::Array(
            items
                .iter()
                .map(|v| resolve(doc, v, depth + 1))
                .collect::<Result<_>>()?,
        ),
        other => other.clone(),
    })
}

/// Merges an `allOf` into one object schema (properties and `required` united), recursively.
fn merge_all_of(schema: &Value) -> Value {
    let Some(parts) = schema.get("allOf").and_then(Value::as_array) else {
        return schema.clone();
    };
    let mut merged = schema.as_object().cloned().unwrap_or_default();
    merged.remove("allOf");
    let mut properties = Map::new();
    let mut required: Vec<Value> = Vec::new();
    let mut ty = None;
    for part in parts.iter().map(merge_all_of) {
        if let Some(p) = part["properties"].as_object() {
            properties.extend(p.clone());
        }
        for r in part["required"].as_array().into_iter().flatten() {
            if !required.contains(r) {
                required.push(r.clone());
            }
        }
        if let Some(t) = part.get("type") {
            ty = Some(t.clone());
        }
    }
    merged.insert("type".into(), ty.unwrap_or_else(|| "object".into()));
    merged.insert("properties".into(), Value::Object(properties));
    if !required.is_empty() {
        merged.insert("required".into(), Value::Array(required));
    }
    Value::Object(merged)
}

/// The outline of a schema: `oneOf(2)`, `object`, `string`, `array`, `any`.
fn shape(schema: &Value) -> String {
    for key in ["oneOf", "anyOf"] {
        if let Some(members) = schema.get(key).and_then(Value::as_array) {
            return format!("{key}({})", members.len());
        }
    }
    match schema.get("type").and_then(Value::as_str) {
        Some(t) => t.to_owned(),
        None if schema.get("properties").is_some() => "object".to_owned(),
        None => "any".to_owned(),
    }
}

struct Comparer<'a> {
    options: &'a Options,
    operation: String,
    out: Vec<Difference>,
}

impl Comparer<'_> {
    fn push(&mut self, at: &str, kind: &'static str, impact: Impact, detail: String) {
        self.out.push(Difference {
            operation: self.operation.clone(),
            at: at.to_owned(),
            kind,
            impact,
            detail,
        });
    }

    fn describe(&mut self, at: &str, ours: &Value, up: &Value) {
        if !self.options.descriptions {
            return;
        }
        for key in ["summary", "description"] {
            if ours.get(key) != up.get(key) {
                self.push(
                    at,
                    "description",
                    Impact::Additive,
                    format!("{key} differs"),
                );
            }
        }
    }

    fn schema(&mut self, at: &str, ours: &Value, up: &Value, side: Side) {
        let ours = merge_all_of(ours);
        let up = merge_all_of(up);
        self.describe(at, &ours, &up);
        let (so, su) = (shape(&ours), shape(&up));
        if so != su {
            let narrowing = so != "any";
            self.push(
                at,
                "shape",
                if narrowing {
                    Impact::Breaking
                } else {
                    Impact::Additive
                },
                format!("ours is {so}, upstream is {su}"),
            );
            return;
        }
        for key in ["oneOf", "anyOf"] {
            if let (Some(a), Some(b)) = (ours[key].as_array(), up[key].as_array()) {
                for (i, (x, y)) in a.iter().zip(b).enumerate() {
                    self.schema(&format!("{at}<{key} {i}>"), x, y, side);
                }
                return;
            }
        }
        if ours.get("format") != up.get("format") {
            self.push(
                at,
                "format",
                Impact::Breaking,
                format!(
                    "format: ours {}, upstream {}",
                    text(&ours["format"]),
                    text(&up["format"])
                ),
            );
        }
        let (no, nu) = (flag(&ours, "nullable"), flag(&up, "nullable"));
        if no != nu {
            let breaking = match side {
                Side::Response => nu && !no,
                Side::Request => no && !nu,
            };
            self.push(
                at,
                "nullable",
                impact(breaking),
                format!("nullable: ours {no}, upstream {nu}"),
            );
        }
        if flag(&ours, "deprecated") != flag(&up, "deprecated") {
            self.push(
                at,
                "deprecated",
                Impact::Additive,
                format!(
                    "deprecated: ours {}, upstream {}",
                    flag(&ours, "deprecated"),
                    flag(&up, "deprecated")
                ),
            );
        }
        if ours.get("default") != up.get("default") {
            self.push(
                at,
                "default",
                Impact::Breaking,
                format!(
                    "default: ours {}, upstream {}",
                    text(&ours["default"]),
                    text(&up["default"])
                ),
            );
        }
        self.enums(at, &ours, &up);
        self.bounds(at, &ours, &up);
        if ours.get("additionalProperties") != up.get("additionalProperties") {
            self.push(
                at,
                "additional-properties",
                Impact::Breaking,
                format!(
                    "additionalProperties: ours {}, upstream {}",
                    text(&ours["additionalProperties"]),
                    text(&up["additionalProperties"])
                ),
            );
        }
        if let (Some(a), Some(b)) = (ours.get("items"), up.get("items")) {
            self.schema(&format!("{at}[]"), a, b, side);
        }
        self.properties(at, &ours, &up, side);
    }

    fn enums(&mut self, at: &str, ours: &Value, up: &Value) {
        let values = |s: &Value| -> BTreeSet<String> {
            s["enum"]
                .as_array()
                .into_iter()
                .flatten()
                .map(text)
                .collect()
        };
        let (a, b) = (values(ours), values(up));
        if ours.get("enum").is_some() != up.get("enum").is_some() {
            let breaking = up.get("enum").is_some();
            self.push(
                at,
                "enum",
                impact(breaking),
                format!("enum: ours {a:?}, upstream {b:?}"),
            );
            return;
        }
        for added in b.difference(&a) {
            self.push(
                at,
                "enum-value-added",
                Impact::Additive,
                format!("upstream adds `{added}`"),
            );
        }
        for removed in a.difference(&b) {
            self.push(
                at,
                "enum-value-removed",
                Impact::Breaking,
                format!("upstream no longer has `{removed}`"),
            );
        }
    }

    fn bounds(&mut self, at: &str, ours: &Value, up: &Value) {
        for (key, lower) in [
            ("minimum", true),
            ("maximum", false),
            ("minLength", true),
            ("maxLength", false),
            ("minItems", true),
            ("maxItems", false),
        ] {
            let (a, b) = (ours[key].as_f64(), up[key].as_f64());
            if a == b {
                continue;
            }
            let narrowed = match (a, b) {
                (None, Some(_)) => true,
                (Some(_), None) => false,
                (Some(a), Some(b)) => {
                    if lower {
                        b > a
                    } else {
                        b < a
                    }
                }
                (None, None) => false,
            };
            self.push(
                at,
                "bounds",
                impact(narrowed),
                format!(
                    "{key}: ours {}, upstream {}",
                    text(&ours[key]),
                    text(&up[key])
                ),
            );
        }
    }

    fn properties(&mut self, at: &str, ours: &Value, up: &Value, side: Side) {
        let empty = Map::new();
        let a = ours["properties"].as_object().unwrap_or(&empty);
        let b = up["properties"].as_object().unwrap_or(&empty);
        let required = |s: &Value, name: &str| {
            s["required"]
                .as_array()
                .is_some_and(|r| r.iter().any(|x| x == name))
        };
        let child = |name: &str| {
            if at.is_empty() {
                name.to_owned()
            } else {
                format!("{at}.{name}")
            }
        };
        for (name, schema) in b {
            if !a.contains_key(name) {
                let needed = required(up, name) && side == Side::Request;
                self.push(
                    &child(name),
                    "property-added",
                    impact(needed),
                    format!(
                        "upstream adds {} property `{name}` ({})",
                        if required(up, name) {
                            "required"
                        } else {
                            "optional"
                        },
                        shape(schema)
                    ),
                );
            }
        }
        for name in a.keys() {
            if !b.contains_key(name) {
                self.push(
                    &child(name),
                    "property-removed",
                    Impact::Breaking,
                    format!("upstream no longer has `{name}`"),
                );
            }
        }
        for (name, x) in a {
            let Some(y) = b.get(name) else { continue };
            let (ro, ru) = (required(ours, name), required(up, name));
            if ro != ru {
                let breaking = match side {
                    Side::Response => ro && !ru,
                    Side::Request => ru && !ro,
                };
                self.push(
                    &child(name),
                    "required",
                    impact(breaking),
                    format!("required: ours {ro}, upstream {ru}"),
                );
            }
            self.schema(&child(name), x, y, side);
        }
    }

    fn operation(&mut self, ours: &Value, up: &Value) {
        self.describe("operation", ours, up);
        if ours.get("operationId") != up.get("operationId") {
            self.push(
                "operation id",
                "operation-id",
                Impact::Additive,
                format!(
                    "operationId: ours {}, upstream {}",
                    text(&ours["operationId"]),
                    text(&up["operationId"])
                ),
            );
        }
        self.parameters(ours, up);
        self.request_body(ours, up);
        self.responses(ours, up);
    }

    fn parameters(&mut self, ours: &Value, up: &Value) {
        let index = |op: &Value| -> BTreeMap<(String, String), Value> {
            op["parameters"]
                .as_array()
                .into_iter()
                .flatten()
                .map(|p| ((text(&p["in"]), text(&p["name"])), p.clone()))
                .collect()
        };
        let (a, b) = (index(ours), index(up));
        for ((loc, name), p) in &b {
            if !a.contains_key(&(loc.clone(), name.clone())) {
                let required = flag(p, "required");
                let moved = a.keys().any(|(_, n)| n == name);
                let kind = if moved {
                    "parameter-moved"
                } else {
                    "parameter-added"
                };
                self.push(
                    &format!("parameter {name}"),
                    kind,
                    impact(required || moved),
                    format!(
                        "upstream has {} {loc} parameter `{name}`",
                        if required {
                            "a required"
                        } else {
                            "an optional"
                        }
                    ),
                );
            }
        }
        for ((loc, name), p) in &a {
            let at = format!("parameter {name}");
            let Some(q) = b.get(&(loc.clone(), name.clone())) else {
                if !b.keys().any(|(_, n)| n == name) {
                    self.push(
                        &at,
                        "parameter-removed",
                        Impact::Breaking,
                        format!("upstream has no {loc} parameter `{name}`"),
                    );
                }
                continue;
            };
            self.describe(&at, p, q);
            let (ro, ru) = (flag(p, "required"), flag(q, "required"));
            if ro != ru {
                self.push(
                    &at,
                    "required",
                    impact(ru && !ro),
                    format!("required: ours {ro}, upstream {ru}"),
                );
            }
            for key in ["style", "explode", "allowReserved"] {
                if p.get(key) != q.get(key) {
                    self.push(
                        &at,
                        "serialization",
                        Impact::Breaking,
                        format!("{key}: ours {}, upstream {}", text(&p[key]), text(&q[key])),
                    );
                }
            }
            if flag(p, "deprecated") != flag(q, "deprecated") {
                self.push(
                    &at,
                    "deprecated",
                    Impact::Additive,
                    format!(
                        "deprecated: ours {}, upstream {}",
                        flag(p, "deprecated"),
                        flag(q, "deprecated")
                    ),
                );
            }
            self.schema(&at, &p["schema"], &q["schema"], Side::Request);
        }
    }

    fn request_body(&mut self, ours: &Value, up: &Value) {
        let (a, b) = (&ours["requestBody"], &up["requestBody"]);
        match (a.is_null(), b.is_null()) {
            (true, true) => return,
            (true, false) => {
                let required = flag(b, "required");
                self.push(
                    "request body",
                    "request-body-added",
                    impact(required),
                    "upstream takes a request body".into(),
                );
                return;
            }
            (false, true) => {
                self.push(
                    "request body",
                    "request-body-removed",
                    Impact::Breaking,
                    "upstream takes no request body".into(),
                );
                return;
            }
            (false, false) => {}
        }
        self.describe("request body", a, b);
        if flag(a, "required") != flag(b, "required") {
            self.push(
                "request body",
                "required",
                impact(flag(b, "required")),
                format!(
                    "required: ours {}, upstream {}",
                    flag(a, "required"),
                    flag(b, "required")
                ),
            );
        }
        self.content("request", &a["content"], &b["content"], Side::Request);
    }

    fn content(&mut self, at: &str, a: &Value, b: &Value, side: Side) {
        let types = |c: &Value| -> BTreeSet<String> {
            c.as_object()
                .into_iter()
                .flatten()
                .map(|(k, _)| k.clone())
                .collect()
        };
        let (ta, tb) = (types(a), types(b));
        for t in tb.difference(&ta) {
            self.push(
                at,
                "media-type-added",
                Impact::Additive,
                format!("upstream also serves `{t}`"),
            );
        }
        for t in ta.difference(&tb) {
            self.push(
                at,
                "media-type-removed",
                Impact::Breaking,
                format!("upstream no longer serves `{t}`"),
            );
        }
        for t in ta.intersection(&tb) {
            let label = if ta.len() == 1 {
                format!("{at} body")
            } else {
                format!("{at} body ({t})")
            };
            self.schema(&label, &a[t]["schema"], &b[t]["schema"], side);
        }
    }

    fn responses(&mut self, ours: &Value, up: &Value) {
        let empty = Map::new();
        let a = ours["responses"].as_object().unwrap_or(&empty);
        let b = up["responses"].as_object().unwrap_or(&empty);
        for code in b.keys() {
            if !a.contains_key(code) {
                self.push(
                    &format!("response {code}"),
                    "response-added",
                    Impact::Additive,
                    format!("upstream documents a {code} answer"),
                );
            }
        }
        for (code, x) in a {
            let at = format!("response {code}");
            let Some(y) = b.get(code) else {
                self.push(
                    &at,
                    "response-removed",
                    Impact::Breaking,
                    format!("upstream no longer documents a {code} answer"),
                );
                continue;
            };
            self.describe(&at, x, y);
            let ha = x["headers"].as_object().cloned().unwrap_or_default();
            let hb = y["headers"].as_object().cloned().unwrap_or_default();
            let lower = |m: &Map<String, Value>| -> BTreeMap<String, Value> {
                m.iter()
                    .map(|(k, v)| (k.to_ascii_lowercase(), v.clone()))
                    .collect()
            };
            let (ha, hb) = (lower(&ha), lower(&hb));
            for (name, h) in &hb {
                match ha.get(name) {
                    None => self.push(
                        &format!("{at} header {name}"),
                        "header-added",
                        Impact::Additive,
                        format!("upstream sends `{name}`"),
                    ),
                    Some(g) => self.schema(
                        &format!("{at} header {name}"),
                        &g["schema"],
                        &h["schema"],
                        Side::Response,
                    ),
                }
            }
            for name in ha.keys().filter(|n| !hb.contains_key(*n)) {
                self.push(
                    &format!("{at} header {name}"),
                    "header-removed",
                    Impact::Breaking,
                    format!("upstream no longer sends `{name}`"),
                );
            }
            self.content(&at, &x["content"], &y["content"], Side::Response);
        }
    }
}

fn impact(breaking: bool) -> Impact {
    if breaking {
        Impact::Breaking
    } else {
        Impact::Additive
    }
}

fn flag(v: &Value, key: &str) -> bool {
    v.get(key).and_then(Value::as_bool).unwrap_or(false)
}

fn text(v: &Value) -> String {
    match v {
        Value::Null => "none".into(),
        Value::String(s) => s.clone(),
        other => other.to_string(),
    }
}

/// Compares the Agent tasks operations of two documents.
pub fn compare(ours: &Value, upstream: &Value, options: &Options) -> Result<Vec<Difference>> {
    let a = agent_operations(ours).context("in our spec")?;
    let b = agent_operations(upstream).context("in the upstream description")?;
    let mut out = Vec::new();
    for op in b.keys().filter(|k| !a.contains_key(*k)) {
        out.push(Difference {
            operation: op.clone(),
            at: "operation".into(),
            kind: "operation-added",
            impact: Impact::Additive,
            detail: "upstream has an operation our spec lacks".into(),
        });
    }
    for (op, x) in &a {
        let Some(y) = b.get(op) else {
            out.push(Difference {
                operation: op.clone(),
                at: "operation".into(),
                kind: "operation-removed",
                impact: Impact::Breaking,
                detail: "upstream no longer has this operation".into(),
            });
            continue;
        };
        let mut c = Comparer {
            options,
            operation: op.clone(),
            out: Vec::new(),
        };
        c.operation(x, y);
        out.extend(c.out);
    }
    out.sort();
    Ok(out)
}

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

    const OP: &str = "/paths/~1agents~1tasks~1{task_id}/get";

    fn fixture(name: &str) -> Value {
        let path = format!("{}/tests/fixtures/{name}", env!("CARGO_MANIFEST_DIR"));
        parse_document(&std::fs::read_to_string(&path).unwrap()).unwrap()
    }

    fn diff(upstream: &Value) -> Vec<Difference> {
        compare(&fixture("ours.yaml"), upstream, &Options::default()).unwrap()
    }

    fn task_props(doc: &mut Value) -> &mut Map<String, Value> {
        doc.pointer_mut(&format!(
            "{OP}/responses/200/content/application~1json/schema/allOf/0/properties"
        ))
        .unwrap()
        .as_object_mut()
        .unwrap()
    }

    fn only(diffs: &[Difference]) -> &Difference {
        assert_eq!(diffs.len(), 1, "{diffs:#?}");
        &diffs[0]
    }

    #[test]
    fn identical_documents_differ_in_nothing_though_one_uses_refs_and_all_of() {
        // Ours factors the schemas into components and $refs; upstream writes them inline, with
        // other descriptions and examples, next to an operation of another API.
        assert_eq!(diff(&fixture("upstream.json")), vec![]);
        let r = report(diff(&fixture("upstream.json")), &[]);
        assert!(r.passes(), "{}", r.text);
        assert!(r.text.contains("0 differences"), "{}", r.text);
    }

    #[test]
    fn descriptions_count_only_when_asked() {
        let d = compare(
            &fixture("ours.yaml"),
            &fixture("upstream.json"),
            &Options { descriptions: true },
        )
        .unwrap();
        assert!(
            d.iter()
                .any(|d| d.kind == "description" && d.at == "operation"),
            "{d:#?}"
        );
        assert!(d.iter().all(|d| d.impact == Impact::Additive));
    }

    #[test]
    fn a_new_enum_value_is_additive() {
        let mut up = fixture("upstream.json");
        task_props(&mut up)["state"]["enum"]
            .as_array_mut()
            .unwrap()
            .push("paused".into());
        let d = diff(&up);
        let d = only(&d);
        assert_eq!((d.kind, d.impact), ("enum-value-added", Impact::Additive));
        assert_eq!(d.at, "response 200 body.state");
        assert!(d.detail.contains("paused"));
    }

    #[test]
    fn a_removed_response_field_is_breaking() {
        let mut up = fixture("upstream.json");
        task_props(&mut up).remove("session_count");
        let d = diff(&up);
        let d = only(&d);
        assert_eq!((d.kind, d.impact), ("property-removed", Impact::Breaking));
        assert_eq!(d.at, "response 200 body.session_count");
    }

    #[test]
    fn a_new_optional_field_is_additive() {
        let mut up = fixture("upstream.json");
        task_props(&mut up).insert("priority".into(), serde_json::json!({"type": "integer"}));
        let d = diff(&up);
        assert_eq!(
            (only(&d).kind, only(&d).impact),
            ("property-added", Impact::Additive)
        );
    }

    #[test]
    fn a_new_operation_is_reported() {
        let mut up = fixture("upstream.json");
        up["paths"]["/agents/tasks/{task_id}/cancel"] = serde_json::json!({
            "post": {"operationId": "agent-tasks/cancel", "tags": ["agent-tasks"], "responses": {"202": {"description": "ok"}}}
        });
        let d = diff(&up);
        let d = only(&d);
        assert_eq!((d.kind, d.impact), ("operation-added", Impact::Additive));
        assert_eq!(d.operation, "POST /agents/tasks/{task_id}/cancel");
    }

    #[test]
    fn a_changed_type_is_breaking() {
        let mut up = fixture("upstream.json");
        task_props(&mut up)["session_count"] = serde_json::json!({"type": "string"});
        let d = diff(&up);
        let d = only(&d);
        assert_eq!((d.kind, d.impact), ("shape", Impact::Breaking));
        assert!(
            d.detail.contains("ours is integer, upstream is string"),
            "{}",
            d.detail
        );
    }

    #[test]
    fn a_new_required_parameter_is_breaking() {
        let mut up = fixture("upstream.json");
        up.pointer_mut(&format!("{OP}/parameters")).unwrap().as_array_mut().unwrap().push(
            serde_json::json!({"name": "org", "in": "query", "required": true, "schema": {"type": "string"}}),
        );
        let d = diff(&up);
        let d = only(&d);
        assert_eq!((d.kind, d.impact), ("parameter-added", Impact::Breaking));
        assert_eq!(d.at, "parameter org");
    }

    #[test]
    fn narrowed_bounds_and_new_answers_are_labelled() {
        let mut up = fixture("upstream.json");
        *up.pointer_mut(&format!("{OP}/parameters/1/schema/maximum"))
            .unwrap() = 50.into();
        up.pointer_mut(&format!("{OP}/responses")).unwrap()["429"] =
            serde_json::json!({"description": "slow down"});
        let d = diff(&up);
        assert_eq!(d.len(), 2, "{d:#?}");
        assert!(
            d.iter()
                .any(|d| d.kind == "bounds" && d.impact == Impact::Breaking)
        );
        assert!(
            d.iter()
                .any(|d| d.kind == "response-added" && d.impact == Impact::Additive)
        );
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
