//! The xtask commands as a maintainer runs them, on a scratch copy of the workspace's inputs.

use std::path::{Path, PathBuf};
use std::process::Command;

fn workspace() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .unwrap()
        .to_path_buf()
}

/// A scratch tree with the spec and the deviations, unique per test.
fn scratch(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("agent-tasks-xtask-{name}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(dir.join("openapi")).unwrap();
    for file in ["openapi/agents.yaml", "openapi/deviations.yaml"] {
        std::fs::copy(workspace().join(file), dir.join(file)).unwrap();
    }
    dir
}

fn xtask(root: &Path, args: &[&str]) -> (i32, String) {
    let out = Command::new(env!("CARGO_BIN_EXE_xtask"))
        .args(args)
        .env("XTASK_ROOT", root)
        .output()
        .unwrap();
    let text = format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    (out.status.code().unwrap_or(-1), text)
}

#[test]
fn codegen_check_fails_on_a_hand_edited_snapshot_and_passes_after_codegen() {
    let root = scratch("codegen");
    let (code, out) = xtask(&root, &["codegen"]);
    assert_eq!(code, 0, "{out}");
    let snapshot = root.join("crates/agent-tasks-raw/generated/agents.rs");
    let text = std::fs::read_to_string(&snapshot).unwrap();
    assert!(
        text.starts_with("// @generated from openapi/agents.yaml"),
        "{}",
        &text[..100]
    );
    assert!(text.contains("cargo xtask codegen"));
    assert_eq!(xtask(&root, &["codegen", "--check"]).0, 0);

    std::fs::write(
        &snapshot,
        text.replacen(
            "pub struct Task {",
            "pub struct Task {\n    pub hand_edit: u8,",
            1,
        ),
    )
    .unwrap();
    let (code, out) = xtask(&root, &["codegen", "--check"]);
    assert_eq!(code, 1, "{out}");
    assert!(
        out.contains("STALE crates/agent-tasks-raw/generated/agents.rs"),
        "{out}"
    );
    assert!(
        out.contains("-    pub hand_edit: u8,"),
        "a unified diff: {out}"
    );
    assert!(out.contains("Fix: cargo xtask codegen"), "{out}");

    assert_eq!(xtask(&root, &["codegen"]).0, 0);
    assert_eq!(xtask(&root, &["codegen", "--check"]).0, 0);
    let _ = std::fs::remove_dir_all(&root);
}

#[test]
fn the_committed_snapshot_is_what_the_spec_generates() {
    let (code, out) = xtask(&workspace(), &["codegen", "--check"]);
    assert_eq!(code, 0, "{out}");
}

#[test]
fn spec_diff_exit_codes_follow_the_deviations() {
    let root = scratch("spec-diff");
    let upstream = root.join("upstream.json");
    // The upstream fragment equals our spec but for the deviations listed in the file.
    let ours = std::fs::read_to_string(root.join("openapi/agents.yaml")).unwrap();
    let mut doc: serde_json::Value = serde_yaml::from_str(&ours).unwrap();
    doc["components"]["schemas"]["TaskState"]["enum"]
        .as_array_mut()
        .unwrap()
        .push("paused".into());
    std::fs::write(&upstream, serde_json::to_string(&doc).unwrap()).unwrap();
    std::fs::write(root.join("openapi/deviations.yaml"), "deviations: []\n").unwrap();

    let up = upstream.to_str().unwrap();
    let (code, out) = xtask(&root, &["spec-diff", "--upstream", up]);
    assert_eq!(code, 1, "{out}");
    assert!(
        out.contains(
            "additive response 200 body.tasks[].state [enum-value-added]: upstream adds `paused`"
        ),
        "{out}"
    );
    assert!(
        out.lines().last().unwrap().starts_with("Fix the spec"),
        "{out}"
    );

    std::fs::write(
        root.join("openapi/deviations.yaml"),
        "deviations:\n  - operation: '*'\n    at: '*state'\n    kind: enum-value-added\n    reason: testing\n",
    )
    .unwrap();
    let (code, out) = xtask(&root, &["spec-diff", "--upstream", up]);
    assert_eq!(code, 0, "{out}");
    assert!(out.contains("0 unlisted; 0 stale"), "{out}");

    let (code, out) = xtask(&root, &["spec-diff", "--upstream", "/no/such/file.json"]);
    assert_eq!(code, 2, "{out}");
    assert!(out.contains("reading /no/such/file.json"), "{out}");
    let _ = std::fs::remove_file(&upstream);
    let _ = std::fs::remove_dir_all(&root);
}
