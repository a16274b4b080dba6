//! The Python SDK, embedded so that `--strategy my_strategy.py` works with
//! nothing but `python3` on PATH: its files are written once per SDK version
//! under the cache directory's `python-sdk/<hash>/` (or the temp dir) and put
//! first on the child's `PYTHONPATH`.

use std::path::{Path, PathBuf};

use sha2::{Digest, Sha256};

/// `(path inside the package, contents)`, from `python/thetabench/`.
const FILES: [(&str, &str); 8] = [
    ("__init__.py", include_str!("../../../python/thetabench/__init__.py")),
    ("assets.py", include_str!("../../../python/thetabench/assets.py")),
    ("bars.py", include_str!("../../../python/thetabench/bars.py")),
    ("orders.py", include_str!("../../../python/thetabench/orders.py")),
    ("parameters.py", include_str!("../../../python/thetabench/parameters.py")),
    ("runner.py", include_str!("../../../python/thetabench/runner.py")),
    ("strategy.py", include_str!("../../../python/thetabench/strategy.py")),
    ("py.typed", ""),
];

/// The directory to put on `PYTHONPATH`: it holds `thetabench/` as embedded.
/// Written atomically (a temp dir renamed into place), so two processes
/// starting at once both end with a whole copy.
pub fn install(root: &Path) -> std::io::Result<PathBuf> {
    let dir = root.join(version());
    if dir.join("thetabench").join("runner.py").is_file() {
        return Ok(dir);
    }
    std::fs::create_dir_all(root)?;
    let staging = tempfile::Builder::new().prefix(".sdk-").tempdir_in(root)?;
    let package = staging.path().join("thetabench");
    std::fs::create_dir_all(&package)?;
    for (name, contents) in FILES {
        std::fs::write(package.join(name), contents)?;
    }
    match std::fs::rename(staging.path(), &dir) {
        Ok(()) => {
            // Renamed: nothing left for the guard to remove.
            let _ = staging.keep();
            Ok(dir)
        }
        // Another process won the race; its copy is the same bytes.
        Err(_) if dir.join("thetabench").join("runner.py").is_file() => Ok(dir),
        Err(e) => Err(e),
    }
}

/// A short hash of the embedded files: a new SDK gets a new directory.
fn version() -> String {
    let mut hasher = Sha256::new();
    for (name, contents) in FILES {
        hasher.update(name.as_bytes());
        hasher.update([0]);
        hasher.update(contents.as_bytes());
        hasher.update([0]);
    }
    hasher.finalize().iter().take(6).map(|b| format!("{b:02x}")).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn installs_once_per_version_and_reuses_the_copy() {
        let root = tempfile::tempdir().unwrap();
        let dir = install(root.path()).unwrap();
        let runner = dir.join("thetabench").join("runner.py");
        assert_eq!(std::fs::read_to_string(&runner).unwrap(), FILES[5].1);
        assert_eq!(install(root.path()).unwrap(), dir);
        let leftovers: Vec<_> = std::fs::read_dir(root.path()).unwrap().collect();
        assert_eq!(leftovers.len(), 1, "no staging directories left behind");
    }

    #[test]
    fn every_file_of_the_package_is_embedded() {
        let package = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("python/thetabench");
        let mut on_disk: Vec<String> = std::fs::read_dir(package)
            .unwrap()
            .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
            .filter(|name| name.ends_with(".py") || name == "py.typed")
            .collect();
        on_disk.sort();
        let mut embedded: Vec<&str> = FILES.iter().map(|(name, _)| *name).collect();
        embedded.sort();
        assert_eq!(on_disk, embedded);
    }
}
