//! Generates the raw client from `openapi/agents.yaml` at build time.
//!
//! In the workspace the spec is two levels up; in a packaged crate (crates.io) it is not there,
//! so the committed snapshot in `generated/` (kept fresh by `cargo xtask codegen --check`) is
//! used instead.

#[path = "codegen.rs"]
mod codegen;

use std::path::{Path, PathBuf};

fn main() {
    let manifest = PathBuf::from(std::env::var_os("CARGO_MANIFEST_DIR").expect("cargo sets it"));
    let out = PathBuf::from(std::env::var_os("OUT_DIR").expect("cargo sets it"));
    let spec = manifest.join("../../openapi/agents.yaml");

    println!("cargo:rerun-if-changed=codegen.rs");
    println!("cargo:rerun-if-changed=generated");
    println!("cargo:rerun-if-changed={}", spec.display());

    if spec.exists() {
        let text = std::fs::read_to_string(&spec).expect("the spec is readable");
        let generated = codegen::generate(&text).unwrap_or_else(|e| panic!("{e}"));
        write(&out.join(codegen::CLIENT_FILE), &generated.client);
        write(&out.join(codegen::MOCKS_FILE), &generated.mocks);
    } else {
        for name in [codegen::CLIENT_FILE, codegen::MOCKS_FILE] {
            let snapshot = manifest.join("generated").join(name);
            let text = std::fs::read_to_string(&snapshot).unwrap_or_else(|e| {
                panic!(
                    "neither the spec nor the snapshot {} is there: {e}",
                    snapshot.display()
                )
            });
            write(&out.join(name), &text);
        }
    }
}

fn write(path: &Path, text: &str) {
    std::fs::write(path, text).unwrap_or_else(|e| panic!("cannot write {}: {e}", path.display()));
}
