//! The one place that turns `openapi/agents.yaml` into Rust.
//!
//! `build.rs` and `cargo xtask codegen` both include this file (`#[path]`), so the code the
//! crate compiles and the snapshot reviewers read come from the same settings and the same
//! formatting, byte for byte. Each file's first line records the fingerprint of the spec it was
//! made from (`spec_hash.rs`), which a build without the generator checks.

// `build.rs` reads the fingerprint back (`recorded`); the xtask only writes it.
#[allow(dead_code)]
#[path = "spec_hash.rs"]
pub mod spec_hash;

#[path = "codegen_passes.rs"]
mod codegen_passes;

use progenitor::{GenerationSettings, Generator, HooksMode, InterfaceStyle, TagStyle, TypeImpl};

/// What one run of the generator produces.
pub struct Generated {
    /// The client, its builders and its types (`agents.rs`).
    pub client: String,
    /// progenitor's typed httpmock helpers (`agents_httpmock.rs`).
    pub mocks: String,
}

/// File name of the generated client.
pub const CLIENT_FILE: &str = "agents.rs";
/// File name of the generated typed mocks.
pub const MOCKS_FILE: &str = "agents_httpmock.rs";

/// The extension that keeps a string enum of the spec closed: a value only the client sends
/// (a sort order), which the API cannot grow behind its back.
const CLOSED_ENUM: &str = "x-closed-enum";
/// The extension that documents each value of a string enum, in the order of its `enum`.
const ENUM_DESCRIPTIONS: &str = "x-enum-descriptions";

/// A string enum of the spec's components that stays open: a value the server adds decodes as
/// `Unknown(..)` instead of failing the answer.
struct OpenEnum {
    name: String,
    description: Option<String>,
    /// Each value with its description.
    values: Vec<(String, Option<String>)>,
}

/// Generates the client and the typed mocks from the text of the spec.
pub fn generate(spec_yaml: &str) -> Result<Generated, String> {
    let spec: openapiv3::OpenAPI =
        serde_yaml::from_str(spec_yaml).map_err(|e| format!("cannot parse the spec: {e}"))?;

    let mut settings = GenerationSettings::default();
    settings
        .with_interface(InterfaceStyle::Builder)
        .with_tag(TagStyle::Merged)
        .with_hooks(HooksMode::Expected)
        // Headers every request carries (auth, API version, user agent), applied by the
        // `ClientHooks` impl in `lib.rs` whoever built the `reqwest::Client`.
        .with_inner_type(
            "crate::RequestDefaults"
                .parse::<proc_macro2::TokenStream>()
                .map_err(|e| format!("inner type: {e}"))?,
        )
        .with_derive("schemars::JsonSchema")
        .with_derive("PartialEq");
    let open_enums = open_enums(&spec)?;
    for open in &open_enums {
        settings.with_replacement(
            &open.name,
            format!("crate::{}", open.name),
            [TypeImpl::Display, TypeImpl::FromStr].into_iter(),
        );
    }
    // `data` of an artifact is an untagged oneOf without a discriminator: a shape the preview API
    // adds must not fail the whole response, so the hand-written type keeps unknown shapes as JSON.
    settings.with_replacement("ArtifactData", "crate::ArtifactData", std::iter::empty());

    let mut generator = Generator::new(&settings);
    let client = generator
        .generate_tokens(&spec)
        .map_err(|e| format!("progenitor failed on the client: {e}"))?;
    // What progenitor has no setting for: see the file.
    let client = codegen_passes::apply(client)?;
    let mocks = generator
        .httpmock(&mock_spec(&spec), "crate")
        .map_err(|e| format!("progenitor failed on the mocks: {e}"))?;

    let hash = spec_hash::spec_hash(spec_yaml);
    // The API's vocabulary, from the same spec: its open enums (written one value a line, which
    // prettyplease does not do inside a macro) and its operations.
    let mut client = format_file(client, hash, "the client")?;
    for open in &open_enums {
        client.push('\n');
        client.push_str(&open.text());
    }
    client.push('\n');
    client.push_str(&unparse(operations(&spec)?, "OPERATIONS")?);
    Ok(Generated {
        client,
        mocks: format_file(mocks, hash, "the typed mocks")?,
    })
}

/// Rust text for `tokens`, formatted by prettyplease with LF line ends.
fn unparse(tokens: proc_macro2::TokenStream, what: &str) -> Result<String, String> {
    let file: syn::File =
        syn::parse2(tokens).map_err(|e| format!("generated {what} does not parse: {e}"))?;
    Ok(prettyplease::unparse(&file).replace("\r\n", "\n"))
}

/// Every string enum of the spec's components but those marked [`CLOSED_ENUM`].
fn open_enums(spec: &openapiv3::OpenAPI) -> Result<Vec<OpenEnum>, String> {
    use openapiv3::{ReferenceOr, SchemaKind, Type};
    let Some(components) = &spec.components else {
        return Ok(Vec::new());
    };
    let mut out = Vec::new();
    for (name, schema) in &components.schemas {
        let ReferenceOr::Item(schema) = schema else {
            continue;
        };
        let SchemaKind::Type(Type::String(string)) = &schema.schema_kind else {
            continue;
        };
        let data = &schema.schema_data;
        if string.enumeration.is_empty()
            || data.extensions.get(CLOSED_ENUM).and_then(|v| v.as_bool()) == Some(true)
        {
            continue;
        }
        let values: Vec<String> = string.enumeration.iter().flatten().cloned().collect();
        let descriptions: Vec<Option<String>> = match data.extensions.get(ENUM_DESCRIPTIONS) {
            None => vec![None; values.len()],
            Some(list) => {
                let list = list.as_array().filter(|l| l.len() == values.len()).ok_or_else(|| {
                    format!("{name}: {ENUM_DESCRIPTIONS} must list one text per value of its enum, in order")
                })?;
                list.iter().map(|d| d.as_str().map(str::to_owned)).collect()
            }
        };
        // Each value becomes a variant: it needs a name of its own, which is not `Unknown`
        // (the variant for values the crate does not know).
        let mut names = std::collections::BTreeSet::new();
        for value in &values {
            let variant = variant_name(value);
            if !variant.starts_with(|c: char| c.is_ascii_alphabetic())
                || variant == "Unknown"
                || !names.insert(variant.clone())
            {
                return Err(format!(
                    "{name}: the value {value:?} makes the variant name {variant:?}, which is empty, starts with a digit, is `Unknown` or is another value's: codegen.rs (variant_name) needs a rule for it"
                ));
            }
        }
        out.push(OpenEnum {
            name: name.clone(),
            description: data.description.clone(),
            values: values.into_iter().zip(descriptions).collect(),
        });
    }
    Ok(out)
}

impl OpenEnum {
    /// The enum, as an invocation of the raw crate's `open_enum!` macro, one value a line.
    fn text(&self) -> String {
        let doc = |text: &Option<String>, fallback: &str, indent: &str| {
            let text = text.as_deref().unwrap_or(fallback);
            let line = text.split_whitespace().collect::<Vec<_>>().join(" ");
            format!("{indent}#[doc = {line:?}]\n")
        };
        let mut out = String::from("open_enum! {\n");
        out.push_str(&doc(&self.description, &self.name, "    "));
        out.push_str(&format!("    {} {{\n", self.name));
        for (value, description) in &self.values {
            out.push_str(&doc(description, &format!("`{value}`"), "        "));
            out.push_str(&format!("        {} => {value:?},\n", variant_name(value)));
        }
        out.push_str("    }\n}\n");
        out
    }
}

/// The Rust name of an enum value: `in_progress` -> `InProgress`.
fn variant_name(value: &str) -> String {
    value
        .split(|c: char| !c.is_ascii_alphanumeric())
        .filter(|part| !part.is_empty())
        .map(|part| {
            let mut chars = part.chars();
            chars.next().map_or_else(String::new, |first| {
                first.to_ascii_uppercase().to_string() + chars.as_str()
            })
        })
        .collect()
}

/// `OPERATIONS`: every operation of the spec, in its order, as the raw crate's `Operation`.
fn operations(spec: &openapiv3::OpenAPI) -> Result<proc_macro2::TokenStream, String> {
    let mut entries = Vec::new();
    for (path, item) in spec.paths.iter() {
        let openapiv3::ReferenceOr::Item(item) = item else {
            return Err(format!("{path}: a path item by reference is not supported"));
        };
        for (method, operation) in item.iter() {
            let id = operation
                .operation_id
                .as_deref()
                .ok_or_else(|| format!("{} {path} has no operationId", method.to_uppercase()))?;
            entries.push(format!(
                "crate::Operation {{ id: {id:?}, method: {:?}, path: {path:?} }},",
                method.to_uppercase()
            ));
        }
    }
    format!(
        "#[doc = \"Every operation of the spec, in its order: what the SDK, the fake and the CLI \
         must each cover (their coverage tests read this list).\"] \
         pub const OPERATIONS: &[crate::Operation] = &[{}];",
        entries.join(" ")
    )
    .parse()
    .map_err(|e| format!("OPERATIONS does not parse: {e}"))
}

/// The spec the typed mocks are generated from: the same, but
///
/// - with array query parameters (`creator_id`) matched one value at a time: progenitor 0.15's
///   mock generator calls `to_string()` on the whole `Vec`, which does not compile, and a mock
///   that matches one of the repeated values is what a test wants anyway;
/// - with error answers in JSON: the client takes them in any media type (raw), but a test
///   answers with GitHub's error shape, so `then.not_found(&BasicError { .. })` stays typed.
fn mock_spec(spec: &openapiv3::OpenAPI) -> openapiv3::OpenAPI {
    use openapiv3::{Parameter, ParameterSchemaOrContent, ReferenceOr, SchemaKind, Type};
    let mut spec = spec.clone();
    let Some(components) = spec.components.as_mut() else {
        return spec;
    };
    for response in components.responses.values_mut() {
        if let ReferenceOr::Item(response) = response
            && let Some(media) = response.content.shift_remove("*/*")
        {
            response
                .content
                .insert("application/json".to_owned(), media);
        }
    }
    for parameter in components.parameters.values_mut() {
        let ReferenceOr::Item(Parameter::Query { parameter_data, .. }) = parameter else {
            continue;
        };
        let ParameterSchemaOrContent::Schema(ReferenceOr::Item(schema)) =
            &mut parameter_data.format
        else {
            continue;
        };
        if let SchemaKind::Type(Type::Array(array)) = &schema.schema_kind
            && let Some(ReferenceOr::Item(items)) = &array.items
        {
            *schema = (**items).clone();
        }
    }
    spec
}

fn format_file(tokens: proc_macro2::TokenStream, hash: u64, what: &str) -> Result<String, String> {
    let body = unparse(tokens, what)?;
    Ok(format!(
        "// @generated by `cargo xtask codegen` (progenitor) from openapi/agents.yaml ({}): {what}. Do not edit.\n\n{body}",
        spec_hash::tag(hash)
    ))
}
