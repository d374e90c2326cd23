//! Loading: reads a description (JSON or YAML), picks its Agent tasks operations, and resolves
//! every `$ref` and merges every `allOf`, so that how a schema is factored is not a difference.

use std::collections::BTreeMap;

use anyhow::{Context, Result, bail};
use serde_json::{Map, Value};

/// Parses a document written in JSON or YAML.
pub fn parse_document(text: &str) -> Result<Value> {
    if let Ok(v) = serde_json::from_str(text) {
        return Ok(v);
    }
    serde_yaml::from_str(text).context("the document is neither JSON nor YAML")
}

/// The key `resolve` adds to a schema that came from `#/components/schemas/NAME`: its name.
pub(super) const COMPONENT: &str = "x-spec-diff-component";

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
                let mut resolved = resolve(doc, target, depth + 1)?;
                // Which named enum this was, so that a difference in an enum shared by several
                // places can say so (`compare` reads it; it is never compared). Enums only: a
                // key added to other schemas would differ from an inline copy of them.
                if let (Some(name), Value::Object(map)) =
                    (pointer.strip_prefix("/components/schemas/"), &mut resolved)
                    && map.contains_key("enum")
                {
                    map.entry(COMPONENT)
                        .or_insert_with(|| Value::String(name.to_owned()));
                }
                return Ok(resolved);
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
pub(super) fn merge_all_of(schema: &Value) -> Value {
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
