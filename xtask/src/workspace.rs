//! Where the workspace is, and its paths as the commands print them.

use std::path::{Path, PathBuf};

/// The workspace root; `XTASK_ROOT` points the tool at another tree (its own tests use that).
pub fn root() -> PathBuf {
    if let Some(dir) = std::env::var_os("XTASK_ROOT") {
        return PathBuf::from(dir);
    }
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .expect("xtask lives in the workspace")
        .to_path_buf()
}

/// `path` relative to the workspace root, when it lies inside it.
pub fn relative(path: &Path) -> String {
    path.strip_prefix(root())
        .unwrap_or(path)
        .display()
        .to_string()
}
