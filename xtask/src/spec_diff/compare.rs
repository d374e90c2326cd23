//! Comparing: walks two descriptions operation by operation and lists each semantic
//! difference, labelled breaking (for this client) or additive.

use std::collections::{BTreeMap, BTreeSet};

use anyhow::{Context, Result};
use serde_json::{Map, Value};

use super::load::{COMPONENT, agent_operations, merge_all_of};

/// How a difference affects this client, reading the upstream document as the newer one.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum Impact {
    /// The client would send or expect something the API no longer matches.
    Breaking,
    /// New or looser on the API's side; the client keeps working.
    Additive,
}

impl Impact {
    pub(super) fn label(self) -> &'static str {
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
    /// Where each of our named enums is used, with the values upstream has there.
    enum_uses: &'a mut Vec<EnumUse>,
}

/// One place where our spec uses a named enum, and what upstream lists at that place.
struct EnumUse {
    component: String,
    operation: String,
    at: String,
    upstream: BTreeSet<String>,
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
        self.enums(at, &ours, &up, side);
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

    fn enums(&mut self, at: &str, ours: &Value, up: &Value, side: Side) {
        let values = |s: &Value| -> BTreeSet<String> {
            s["enum"]
                .as_array()
                .into_iter()
                .flatten()
                .map(text)
                .collect()
        };
        let (a, b) = (values(ours), values(up));
        if let Some(component) = ours.get(COMPONENT).and_then(Value::as_str)
            && ours.get("enum").is_some()
            && up.get("enum").is_some()
        {
            self.enum_uses.push(EnumUse {
                component: component.to_owned(),
                operation: self.operation.clone(),
                at: at.to_owned(),
                upstream: b.clone(),
            });
        }
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
            // A value we would send that upstream no longer takes breaks a request; one we
            // would accept that upstream no longer sends breaks nothing.
            self.push(
                at,
                "enum-value-removed",
                impact(side == Side::Request),
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
    let mut enum_uses = Vec::new();
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
            enum_uses: &mut enum_uses,
        };
        c.operation(x, y);
        out.extend(c.out);
    }
    explain_shared_enums(&mut out, &enum_uses);
    out.sort();
    Ok(out)
}

/// A value upstream "no longer has" at one place, in an enum our spec names and shares with
/// places where upstream does have it, was added to the shared enum (upstream added it to some
/// of its copies): said so, once per value and enum, instead of once per place as a removal.
fn explain_shared_enums(out: &mut Vec<Difference>, uses: &[EnumUse]) {
    let mut explained: BTreeMap<(String, String), Difference> = BTreeMap::new();
    out.retain(|d| {
        if d.kind != "enum-value-removed" {
            return true;
        }
        let Some(value) = d
            .detail
            .strip_prefix("upstream no longer has `")
            .and_then(|v| v.strip_suffix('`'))
        else {
            return true;
        };
        let Some(here) = uses
            .iter()
            .find(|u| u.operation == d.operation && u.at == d.at)
        else {
            return true;
        };
        let shared: Vec<&EnumUse> = uses
            .iter()
            .filter(|u| u.component == here.component)
            .collect();
        let with: Vec<String> = shared
            .iter()
            .filter(|u| u.upstream.contains(value))
            .map(|u| u.at.clone())
            .collect::<BTreeSet<_>>()
            .into_iter()
            .collect();
        if with.is_empty() {
            return true;
        }
        let without: Vec<String> = shared
            .iter()
            .filter(|u| !u.upstream.contains(value))
            .map(|u| u.at.clone())
            .collect::<BTreeSet<_>>()
            .into_iter()
            .collect();
        let places: BTreeSet<String> = shared.iter().map(|u| u.at.clone()).collect();
        let merged = explained
            .entry((here.component.clone(), value.to_owned()))
            .or_insert_with(|| Difference {
                operation: "*".into(),
                at: format!("schema {}", here.component),
                kind: "enum-value-added-to-shared",
                impact: d.impact,
                detail: format!(
                    "`{value}` is added to the enum `{}` shared by {}; upstream has it at {} but not at {} (upstream added it to some of its copies of the enum, or dropped it from others)",
                    here.component,
                    places.into_iter().collect::<Vec<_>>().join(" and "),
                    with.join(", "),
                    without.join(", ")
                ),
            });
        // Breaking wins: a value the client sends that upstream no longer takes at one place
        // stays breaking, whichever place came first.
        merged.impact = merged.impact.min(d.impact);
        false
    });
    out.extend(explained.into_values());
}

#[cfg(test)]
pub(super) mod tests {
    //! The comparison of two small documents; `deviations` reuses their fixtures.

    use super::*;
    use crate::spec_diff::load::parse_document;

    const OP: &str = "/paths/~1agents~1tasks~1{task_id}/get";

    pub(in crate::spec_diff) fn fixture(name: &str) -> Value {
        let path = format!("{}/tests/fixtures/{name}", env!("CARGO_MANIFEST_DIR"));
        parse_document(&std::fs::read_to_string(&path).unwrap()).unwrap()
    }

    pub(in crate::spec_diff) fn diff(upstream: &Value) -> Vec<Difference> {
        compare(&fixture("ours.yaml"), upstream, &Options::default()).unwrap()
    }

    pub(in crate::spec_diff) fn task_props(doc: &mut Value) -> &mut Map<String, Value> {
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
    fn a_value_added_to_a_shared_enum_is_said_so_and_is_not_a_removal() {
        // Upstream adds `paused` to the task's state only; ours adds it to `State`, which the
        // task's and the sessions' states share.
        let mut ours = fixture("ours.yaml");
        ours["components"]["schemas"]["State"]["enum"]
            .as_array_mut()
            .unwrap()
            .push("paused".into());
        let mut up = fixture("upstream.json");
        task_props(&mut up)["state"]["enum"]
            .as_array_mut()
            .unwrap()
            .push("paused".into());
        let d = compare(&ours, &up, &Options::default()).unwrap();
        let d = only(&d);
        assert_eq!(
            (d.kind, d.impact),
            ("enum-value-added-to-shared", Impact::Additive)
        );
        assert_eq!(d.at, "schema State");
        assert!(
            d.detail
                .contains("`paused` is added to the enum `State` shared by")
                && d.detail.contains("response 200 body.sessions[].state")
                && d.detail
                    .contains("upstream has it at response 200 body.state"),
            "{}",
            d.detail
        );
    }

    #[test]
    fn a_value_upstream_drops_breaks_requests_not_responses() {
        let mut up = fixture("upstream.json");
        task_props(&mut up)["state"]["enum"]
            .as_array_mut()
            .unwrap()
            .retain(|v| v != "completed");
        up.pointer_mut(&format!(
            "{OP}/responses/200/content/application~1json/schema/allOf/1/properties/sessions/items/properties/state/enum"
        ))
        .unwrap()
        .as_array_mut()
        .unwrap()
        .retain(|v| v != "completed");
        let d = diff(&up);
        assert_eq!(d.len(), 2, "{d:#?}");
        for d in &d {
            assert_eq!((d.kind, d.impact), ("enum-value-removed", Impact::Additive));
        }
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
}
