//! Puts the generated client in `$OUT_DIR`, where `src/lib.rs` includes it.
//!
//! - With the `codegen` feature (on for builds of this workspace, through the
//!   `workspace-codegen` member), the client is generated from `openapi/agents.yaml` by
//!   progenitor, through the same function `cargo xtask codegen` uses.
//! - Without it (every user's build: the packaged crate, a path or git dependency), the committed
//!   snapshot in `generated/` is copied, and no code generator is compiled. When the spec is
//!   beside the crate (a path or git dependency, or `cargo build -p` in this workspace), the
//!   snapshot must have been made from it: each generated file records the spec's fingerprint
//!   in its first line, and a mismatch fails the build, naming the command that fixes it.

#[cfg(feature = "codegen")]
#[path = "codegen.rs"]
mod codegen;
#[cfg(feature = "codegen")]
use codegen::spec_hash;
#[cfg(not(feature = "codegen"))]
#[path = "spec_hash.rs"]
mod spec_hash;

use std::path::{Path, PathBuf};

/// The generated files, in `generated/` and in `$OUT_DIR` (`codegen::CLIENT_FILE`,
/// `codegen::MOCKS_FILE`; the generator is not compiled without the feature).
const FILES: [&str; 2] = ["agents.rs", "agents_httpmock.rs"];

fn main() {
    let manifest = PathBuf::from(std::env::var_os("CARGO_MANIFEST_DIR").expect("cargo sets it"));
    let out = PathBuf::from(std::env::var_os("OUT_DIR").expect("cargo sets it"));
    let spec_path = manifest.join("../../openapi/agents.yaml");

    println!("cargo:rerun-if-changed=spec_hash.rs");
    println!("cargo:rerun-if-changed=generated");
    println!("cargo:rerun-if-changed={}", spec_path.display());
    #[cfg(feature = "codegen")]
    {
        println!("cargo:rerun-if-changed=codegen.rs");
        println!("cargo:rerun-if-changed=codegen_passes.rs");
    }

    let spec = spec_path.exists().then(|| {
        std::fs::read_to_string(&spec_path)
            .unwrap_or_else(|e| fail(&format!("cannot read {}: {e}", spec_path.display())))
    });

    #[cfg(feature = "codegen")]
    {
        assert_eq!(FILES, [codegen::CLIENT_FILE, codegen::MOCKS_FILE]);
        if let Some(spec) = &spec {
            let generated = codegen::generate(spec).unwrap_or_else(|e| fail(&e));
            write(&out.join(codegen::CLIENT_FILE), &generated.client);
            write(&out.join(codegen::MOCKS_FILE), &generated.mocks);
            // The build goes on from the fresh output; the snapshot is `codegen --check`'s job
            // in CI, but a maintainer hears about it now.
            let hash = spec_hash::spec_hash(spec);
            if FILES
                .iter()
                .any(|name| snapshot_hash(&manifest, name) != Some(hash))
            {
                println!(
                    "cargo:warning=the snapshot in crates/agent-tasks-raw/generated/ was not made \
                     from this openapi/agents.yaml: run `cargo xtask codegen` and commit it"
                );
            }
            return;
        }
        println!(
            "cargo:warning=the codegen feature is on but openapi/agents.yaml is not beside the \
             crate: building from the committed snapshot"
        );
    }

    for name in FILES {
        let snapshot = manifest.join("generated").join(name);
        let text = std::fs::read_to_string(&snapshot).unwrap_or_else(|e| {
            fail(&format!(
                "the generated snapshot {} is missing: {e}",
                snapshot.display()
            ))
        });
        if let Some(spec) = &spec {
            let expected = spec_hash::spec_hash(spec);
            let recorded = spec_hash::recorded(&text);
            if recorded != Some(expected) {
                fail(&format!(
                    "crates/agent-tasks-raw/generated/{name} was not made from the \
                     openapi/agents.yaml beside it (it records {}; the spec is {}).\n\
                     This build does not run the code generator (the `codegen` feature is off, as \
                     in `cargo build -p ...`).\n\
                     Fix: run `cargo xtask codegen` at the workspace root (then review and commit \
                     crates/agent-tasks-raw/generated/), or build from the root with plain \
                     `cargo build`, which generates from the spec.",
                    recorded.map_or_else(|| "no fingerprint".to_owned(), spec_hash::tag),
                    spec_hash::tag(expected),
                ));
            }
        }
        write(&out.join(name), &text);
    }
}

/// The fingerprint the committed snapshot file `name` records.
#[cfg(feature = "codegen")]
fn snapshot_hash(manifest: &Path, name: &str) -> Option<u64> {
    let text = std::fs::read_to_string(manifest.join("generated").join(name)).ok()?;
    spec_hash::recorded(&text)
}

fn write(path: &Path, text: &str) {
    std::fs::write(path, text)
        .unwrap_or_else(|e| fail(&format!("cannot write {}: {e}", path.display())));
}

/// Stops the build with `message` alone on stderr (cargo shows it under `--- stderr`).
fn fail(message: &str) -> ! {
    eprintln!("error: {message}");
    std::process::exit(1);
}
