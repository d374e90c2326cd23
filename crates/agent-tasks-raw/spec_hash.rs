//! The fingerprint of `openapi/agents.yaml` that each generated file records in its first line.
//!
//! `codegen.rs` writes it; `build.rs` reads it back, so that a build without the generator (the
//! `codegen` feature off) can tell whether the committed snapshot was made from the spec beside
//! it. Standard library only: this file is compiled into every build script of the crate.

/// FNV-1a (64 bits) of the spec's text, with CRLF line ends read as LF, so that a checkout that
/// converts line ends (git's `autocrlf`) does not change the fingerprint.
pub fn spec_hash(text: &str) -> u64 {
    const OFFSET: u64 = 0xcbf2_9ce4_8422_2325;
    const PRIME: u64 = 0x0000_0100_0000_01b3;
    let bytes = text.as_bytes();
    let mut hash = OFFSET;
    for (i, &byte) in bytes.iter().enumerate() {
        if byte == b'\r' && bytes.get(i + 1) == Some(&b'\n') {
            continue;
        }
        hash ^= u64::from(byte);
        hash = hash.wrapping_mul(PRIME);
    }
    hash
}

/// How a generated file's first line names the spec it was made from.
pub fn tag(hash: u64) -> String {
    format!("{TAG_PREFIX}{hash:016x}")
}

const TAG_PREFIX: &str = "spec fnv1a64 ";

/// The fingerprint a generated file's first line records, if it records one.
pub fn recorded(generated: &str) -> Option<u64> {
    let first = generated.lines().next()?;
    let start = first.find(TAG_PREFIX)? + TAG_PREFIX.len();
    let hex = first.get(start..start + 16)?;
    u64::from_str_radix(hex, 16).ok()
}
