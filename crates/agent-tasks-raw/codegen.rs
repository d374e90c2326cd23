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

/// Schemas whose closed enums the preview API may grow. Each is replaced by a hand-written type
/// in the raw crate's `open_enums` module that keeps values it does not know.
const OPEN_ENUMS: &[&str] = &[
    "TaskState",
    "CreatorType",
    "ArtifactProvider",
    "ArtifactType",
    "UsageType",
    "ValidationErrorCode",
];

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
    for name in OPEN_ENUMS {
        settings.with_replacement(
            name,
            format!("crate::{name}"),
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
    let mocks = generator
        .httpmock(&mock_spec(&spec), "crate")
        .map_err(|e| format!("progenitor failed on the mocks: {e}"))?;

    let hash = spec_hash::spec_hash(spec_yaml);
    Ok(Generated {
        client: format_file(client, hash, "the client")?,
        mocks: format_file(mocks, hash, "the typed mocks")?,
    })
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
    let file: syn::File =
        syn::parse2(tokens).map_err(|e| format!("generated {what} does not parse: {e}"))?;
    let body = prettyplease::unparse(&file).replace("\r\n", "\n");
    Ok(format!(
        "// @generated by `cargo xtask codegen` (progenitor) from openapi/agents.yaml ({}): {what}. Do not edit.\n\n{body}",
        spec_hash::tag(hash)
    ))
}
