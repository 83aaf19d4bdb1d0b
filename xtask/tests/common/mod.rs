//! Scratch folders for tests that write fixtures. Each test gets its own folder, emptied first:
//! tests run in parallel, and two tests rebuilding one folder break each other.
#![allow(dead_code)] // Each test file uses only some of these.

use std::fs;
use std::path::{Path, PathBuf};

/// A fresh, empty folder for one test, under cargo's scratch directory for integration tests.
pub fn scratch(test: &str) -> PathBuf {
    let dir = Path::new(env!("CARGO_TARGET_TMPDIR"))
        .join("xtask")
        .join(test);
    let _ = fs::remove_dir_all(&dir);
    fs::create_dir_all(&dir).expect("create a scratch folder");
    dir
}

/// Writes `text` to `root/path`, creating folders as needed.
pub fn write(root: &Path, path: &str, text: &str) {
    let path = root.join(path);
    fs::create_dir_all(path.parent().expect("a file has a parent")).expect("mkdir");
    fs::write(path, text).expect("write a fixture file");
}

/// Every file under `dir`, as paths relative to it with `/`, sorted.
pub fn files(dir: &Path) -> Vec<String> {
    let mut found = Vec::new();
    let mut todo = vec![dir.to_path_buf()];
    while let Some(next) = todo.pop() {
        for entry in fs::read_dir(&next).into_iter().flatten().flatten() {
            let path = entry.path();
            if path.file_name().is_some_and(|name| name == "__pycache__") {
                continue; // Python's compiled cache: not part of a step
            } else if path.is_dir() {
                todo.push(path);
            } else {
                let relative = path.strip_prefix(dir).expect("under dir");
                found.push(relative.to_string_lossy().replace('\\', "/"));
            }
        }
    }
    found.sort();
    found
}
