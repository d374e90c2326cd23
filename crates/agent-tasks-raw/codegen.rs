//! The one place that turns `openapi/agents.yaml` into Rust.
//!
//! `build.rs` and `cargo xtask codegen` both include this file (`#[path]`), so the code the
//! crate compiles and the snapshot reviewers read come from the same settings and the same
//! formatting, byte for byte.

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

    Ok(Generated {
        client: format_file(client, "the client")?,
        mocks: format_file(mocks, "the typed mocks")?,
    })
}

/// The spec the typed mocks are generated from: the same, but with array query parameters
/// (`creator_id`) matched one value at a time. progenitor 0.15's mock generator calls
/// `to_string()` on the whole `Vec`, which does not compile; a mock that matches one of the
/// repeated values is what a test wants anyway.
fn mock_spec(spec: &openapiv3::OpenAPI) -> openapiv3::OpenAPI {
    use openapiv3::{Parameter, ParameterSchemaOrContent, ReferenceOr, SchemaKind, Type};
    let mut spec = spec.clone();
    let Some(components) = spec.components.as_mut() else {
        return spec;
    };
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

fn format_file(tokens: proc_macro2::TokenStream, what: &str) -> Result<String, String> {
    let file: syn::File =
        syn::parse2(tokens).map_err(|e| format!("generated {what} does not parse: {e}"))?;
    let body = prettyplease::unparse(&file).replace("\r\n", "\n");
    Ok(format!(
        "// @generated from openapi/agents.yaml by progenitor ({what}); do not edit.\n\
         // Regenerate with `cargo xtask codegen`.\n\n{body}"
    ))
}
