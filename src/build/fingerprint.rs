//! Whether a built Lambda package is current, decided without running cargo.
//!
//! Asking cargo-lambda costs seconds even when nothing changed (it starts
//! cargo, which reads the whole dependency graph), and a no-op plan must not
//! pay that. So each package gets a fingerprint of everything its build reads:
//!
//! - the source files of the crate and of its path dependencies, found through
//!   the manifests (`path = ...`, or `workspace = true` resolved against the
//!   workspace's `[workspace.dependencies]`), transitively;
//! - the workspace's Cargo.toml (profiles, dependency versions), Cargo.lock,
//!   `rust-toolchain(.toml)` and `.cargo/config(.toml)`;
//! - the profile, the target, the pinned cargo-lambda and zig, the variables
//!   that change what cargo builds (`RUSTFLAGS`, `CARGO_PROFILE_*`, ...);
//! - the compiler: `rustc -vV`, cached (see [`rustc_version`]).
//!
//! The fingerprint is recorded next to the zip after a successful build with
//! the zip's size, modification time and CodeSha256; a later run whose
//! fingerprint and zip still match reuses the package without starting cargo.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::UNIX_EPOCH;

use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

use super::{Artifact, BuildError, BuildOptions, GLIBC_TARGET};

/// Bumped when what goes into a fingerprint changes, so old records are stale.
const FORMAT: &str = "strata-lambda-fingerprint/1";

/// Workspace-level files a build reads, hashed when present.
const WORKSPACE_FILES: &[&str] =
    &["Cargo.toml", "Cargo.lock", "rust-toolchain", "rust-toolchain.toml", ".cargo/config", ".cargo/config.toml"];

/// Variables that change what cargo or rustc produce for the same sources.
const BUILD_VARIABLES: &[&str] = &[
    "RUSTFLAGS",
    "CARGO_ENCODED_RUSTFLAGS",
    "CARGO_BUILD_RUSTFLAGS",
    "RUSTC",
    "RUSTC_WRAPPER",
    "RUSTC_WORKSPACE_WRAPPER",
    "RUSTUP_TOOLCHAIN",
];

/// What is recorded next to a built zip.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Record {
    pub fingerprint: String,
    pub code_sha256: String,
    pub zip_size: u64,
    /// The zip's modification time (ns since the epoch): a zip replaced by
    /// something else than this build no longer matches the record.
    pub zip_modified_ns: u128,
}

/// The record's path: `<name>.zip` -> `<name>.fingerprint.json`.
pub fn record_path(zip_path: &Path) -> PathBuf {
    zip_path.with_extension("fingerprint.json")
}

/// The package at `zip_path` if its record says it was built from inputs
/// with this `fingerprint` and the zip is still the one that build wrote.
pub fn current(zip_path: &Path, crate_path: &str, fingerprint: &str) -> Option<Artifact> {
    let text = std::fs::read_to_string(record_path(zip_path)).ok()?;
    let record: Record = serde_json::from_str(&text).ok()?;
    if record.fingerprint != fingerprint {
        return None;
    }
    let (size, modified) = zip_stamp(zip_path)?;
    if size != record.zip_size || modified != record.zip_modified_ns {
        return None;
    }
    Some(Artifact {
        crate_path: crate_path.to_owned(),
        zip_path: zip_path.to_path_buf(),
        code_sha256: record.code_sha256,
        zip_size: record.zip_size,
    })
}

/// Records that the zip just written for `artifact` was built from inputs
/// with this `fingerprint`.
pub fn record(artifact: &Artifact, fingerprint: &str) -> Result<(), BuildError> {
    let (zip_size, zip_modified_ns) = zip_stamp(&artifact.zip_path).ok_or_else(|| BuildError::Io {
        action: "read the metadata of",
        path: artifact.zip_path.display().to_string(),
        source: std::io::Error::other("the zip just written is gone"),
    })?;
    let record = Record {
        fingerprint: fingerprint.to_owned(),
        code_sha256: artifact.code_sha256.clone(),
        zip_size,
        zip_modified_ns,
    };
    let json = serde_json::to_vec_pretty(&record).unwrap_or_default();
    super::write_atomically(&record_path(&artifact.zip_path), &json)
}

/// Size and modification time of a file.
fn zip_stamp(path: &Path) -> Option<(u64, u128)> {
    let meta = std::fs::metadata(path).ok()?;
    let modified = meta.modified().ok()?.duration_since(UNIX_EPOCH).ok()?.as_nanos();
    Some((meta.len(), modified))
}

/// The fingerprint of every input of `crate_path`'s package built with
/// `options`: hex SHA-256.
pub fn fingerprint(workspace_root: &Path, crate_path: &str, options: &BuildOptions) -> Result<String, BuildError> {
    let mut hash = Sha256::new();
    let mut field = |key: &str, value: &[u8]| {
        hash.update((key.len() as u64).to_le_bytes());
        hash.update(key.as_bytes());
        hash.update((value.len() as u64).to_le_bytes());
        hash.update(value);
    };
    field("format", FORMAT.as_bytes());
    field("profile", options.profile.as_bytes());
    field("target", GLIBC_TARGET.as_bytes());
    field("toolchain", super::toolchain::REQUIREMENTS.join(" ").as_bytes());
    field("crate", crate_path.as_bytes());
    for name in BUILD_VARIABLES {
        field(name, std::env::var(name).unwrap_or_default().as_bytes());
    }
    let mut profile_vars: Vec<(String, std::ffi::OsString)> = std::env::vars_os()
        .filter_map(|(k, v)| Some((k.into_string().ok()?, v)))
        .filter(|(k, _)| k.starts_with("CARGO_PROFILE_"))
        .collect();
    profile_vars.sort();
    for (name, value) in profile_vars {
        field(&name, value.as_encoded_bytes());
    }
    field("rustc", rustc_version(workspace_root, &options.target_dir)?.as_bytes());
    for file in WORKSPACE_FILES {
        let path = workspace_root.join(file);
        match std::fs::read(&path) {
            Ok(bytes) => field(file, &bytes),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => field(file, b"<absent>"),
            Err(e) => return Err(BuildError::io("read", &path)(e)),
        }
    }
    for dir in crate_dirs(workspace_root, crate_path)? {
        for file in source_files(workspace_root, &dir)? {
            let bytes = std::fs::read(workspace_root.join(&file)).map_err(BuildError::io("read", &file))?;
            field(&file.to_string_lossy(), &bytes);
        }
    }
    Ok(hash.finalize().iter().map(|b| format!("{b:02x}")).collect())
}

/// The crate's directory and those of its path dependencies, transitively,
/// relative to the workspace root, sorted.
fn crate_dirs(workspace_root: &Path, crate_path: &str) -> Result<BTreeSet<PathBuf>, BuildError> {
    let root_manifest = workspace_root.join("Cargo.toml");
    let workspace_paths = workspace_path_dependencies(&read_manifest(&root_manifest)?);
    let mut found = BTreeSet::new();
    let mut todo = vec![normalize(Path::new(crate_path))];
    while let Some(dir) = todo.pop() {
        if !found.insert(dir.clone()) {
            continue;
        }
        let manifest = read_manifest(&workspace_root.join(&dir).join("Cargo.toml"))?;
        for dependency in path_dependencies(&manifest, &workspace_paths) {
            let relative = match dependency {
                DependencyPath::Crate(p) => normalize(&dir.join(p)),
                DependencyPath::Workspace(p) => normalize(&p),
            };
            todo.push(relative);
        }
    }
    Ok(found)
}

/// Where a path dependency is, and relative to what.
#[derive(Debug, PartialEq, Eq)]
enum DependencyPath {
    /// `path = ...` in the crate's own manifest: relative to the crate.
    Crate(PathBuf),
    /// `workspace = true` naming a path dependency of the workspace:
    /// relative to the workspace root.
    Workspace(PathBuf),
}

fn read_manifest(path: &Path) -> Result<toml_edit::DocumentMut, BuildError> {
    let text = std::fs::read_to_string(path).map_err(BuildError::io("read", path))?;
    text.parse().map_err(|e: toml_edit::TomlError| BuildError::Io {
        action: "parse",
        path: path.display().to_string(),
        source: std::io::Error::other(e.to_string()),
    })
}

/// `[workspace.dependencies]` entries that have a `path`: name -> path.
fn workspace_path_dependencies(root: &toml_edit::DocumentMut) -> BTreeMap<String, PathBuf> {
    let Some(table) = root.get("workspace").and_then(|w| w.get("dependencies")).and_then(|d| d.as_table_like()) else {
        return BTreeMap::new();
    };
    table
        .iter()
        .filter_map(|(name, item)| Some((name.to_owned(), PathBuf::from(item.get("path")?.as_str()?))))
        .collect()
}

/// The path dependencies a build of the crate compiles: `[dependencies]`,
/// `[build-dependencies]` and their `[target.*.…]` forms. Dev-dependencies
/// are not built for a binary.
fn path_dependencies(manifest: &toml_edit::DocumentMut, workspace: &BTreeMap<String, PathBuf>) -> Vec<DependencyPath> {
    let mut tables: Vec<&dyn toml_edit::TableLike> = Vec::new();
    let kinds = ["dependencies", "build-dependencies", "build_dependencies"];
    for kind in kinds {
        if let Some(t) = manifest.get(kind).and_then(|t| t.as_table_like()) {
            tables.push(t);
        }
    }
    if let Some(targets) = manifest.get("target").and_then(|t| t.as_table_like()) {
        for (_, target) in targets.iter() {
            for kind in kinds {
                if let Some(t) = target.get(kind).and_then(|t| t.as_table_like()) {
                    tables.push(t);
                }
            }
        }
    }
    let mut out = Vec::new();
    for table in tables {
        for (name, item) in table.iter() {
            if let Some(path) = item.get("path").and_then(|p| p.as_str()) {
                out.push(DependencyPath::Crate(PathBuf::from(path)));
            } else if item.get("workspace").and_then(|w| w.as_bool()) == Some(true) {
                // A renamed dependency (`package = ...`) keeps its key here.
                if let Some(path) = workspace.get(name) {
                    out.push(DependencyPath::Workspace(path.clone()));
                }
            }
        }
    }
    out
}

/// `a/./b/../c` -> `a/c`, without touching the file system.
fn normalize(path: &Path) -> PathBuf {
    let mut out = PathBuf::new();
    for part in path.components() {
        match part {
            std::path::Component::CurDir => {}
            std::path::Component::ParentDir => {
                if !out.pop() {
                    out.push("..");
                }
            }
            other => out.push(other),
        }
    }
    out
}

/// Every file under `dir` (relative to the root), sorted, skipping hidden
/// entries and `target` directories: what a crate's build can read
/// (`include_str!` of a file next to the sources included).
fn source_files(workspace_root: &Path, dir: &Path) -> Result<Vec<PathBuf>, BuildError> {
    let mut files = Vec::new();
    let mut todo = vec![dir.to_path_buf()];
    while let Some(dir) = todo.pop() {
        let absolute = workspace_root.join(&dir);
        let entries = std::fs::read_dir(&absolute).map_err(BuildError::io("list", &absolute))?;
        for entry in entries {
            let entry = entry.map_err(BuildError::io("list", &absolute))?;
            let name = entry.file_name();
            let name_text = name.to_string_lossy();
            if name_text.starts_with('.') || name_text == "target" {
                continue;
            }
            // Followed through symlinks, as the compiler reads them.
            let meta = std::fs::metadata(entry.path()).map_err(BuildError::io("stat", &entry.path()))?;
            if meta.is_dir() {
                todo.push(dir.join(&name));
            } else if meta.is_file() {
                files.push(dir.join(&name));
            }
        }
    }
    files.sort();
    Ok(files)
}

/// The key `rustc -vV` is cached under: what identifies the compiler that
/// the build will run without running it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
struct RustcKey {
    /// The `rustc` found on PATH (or `$RUSTC`), symlinks resolved.
    path: PathBuf,
    modified_ns: u128,
    size: u64,
    /// When that is rustup's proxy, what decides the toolchain it runs:
    /// `RUSTUP_TOOLCHAIN`, the workspace's rust-toolchain files, rustup's
    /// settings (default toolchain, directory overrides) and the
    /// modification time of every installed toolchain's rustc (an update
    /// replaces it).
    rustup: Vec<String>,
}

#[derive(Debug, Serialize, Deserialize)]
struct RustcCache {
    key: RustcKey,
    version: String,
}

/// `rustc -vV`, run in the workspace (so toolchain overrides apply) and
/// cached in the target dir under a [`RustcKey`]: running it through rustup
/// costs tens of milliseconds on every plan otherwise.
pub fn rustc_version(workspace_root: &Path, target_dir: &Path) -> Result<String, BuildError> {
    let rustc = std::env::var_os("RUSTC").filter(|v| !v.is_empty()).map(PathBuf::from);
    let rustc = rustc.unwrap_or_else(|| PathBuf::from("rustc"));
    let key = rustc_key(&rustc, workspace_root);
    let cache_path = target_dir.join(super::PACKAGE_DIR).join("rustc-version.json");
    if let Some(key) = &key {
        let cached: Option<RustcCache> =
            std::fs::read_to_string(&cache_path).ok().and_then(|t| serde_json::from_str(&t).ok());
        if let Some(cached) = cached.filter(|c| &c.key == key) {
            return Ok(cached.version);
        }
    }
    let output = Command::new(&rustc)
        .arg("-vV")
        .current_dir(workspace_root)
        .stdin(Stdio::null())
        .output()
        .map_err(BuildError::io("run", &rustc))?;
    if !output.status.success() {
        return Err(BuildError::Toolchain {
            what: format!("`{} -vV` failed: {}", rustc.display(), super::toolchain::combined(&output)),
            hint: String::from("install Rust with rustup (https://rustup.rs)"),
        });
    }
    let version = String::from_utf8_lossy(&output.stdout).into_owned();
    if let Some(key) = key {
        let json = serde_json::to_vec(&RustcCache { key, version: version.clone() }).unwrap_or_default();
        // Only a cache: a failure to write it costs the next run 20 ms.
        let _ = super::write_atomically(&cache_path, &json);
    }
    Ok(version)
}

/// The cache key for `rustc`, or None when it cannot be found (then rustc
/// is run, and its error reported).
fn rustc_key(rustc: &Path, workspace_root: &Path) -> Option<RustcKey> {
    let found = if rustc.components().count() > 1 { workspace_root.join(rustc) } else { on_path(rustc)? };
    let path = found.canonicalize().ok()?;
    let meta = std::fs::metadata(&path).ok()?;
    let modified_ns = meta.modified().ok()?.duration_since(UNIX_EPOCH).ok()?.as_nanos();
    let is_rustup = path.file_name().is_some_and(|n| n.to_string_lossy().starts_with("rustup"));
    let rustup = if is_rustup { rustup_state(workspace_root)? } else { Vec::new() };
    Some(RustcKey { path, modified_ns, size: meta.len(), rustup })
}

/// The first `name` on PATH.
fn on_path(name: &Path) -> Option<PathBuf> {
    std::env::split_paths(&std::env::var_os("PATH")?).map(|dir| dir.join(name)).find(|p| p.is_file())
}

/// What picks rustup's toolchain, and each toolchain's rustc with its
/// modification time; None when rustup's home cannot be read (no caching).
fn rustup_state(workspace_root: &Path) -> Option<Vec<String>> {
    let home = match std::env::var_os("RUSTUP_HOME").filter(|v| !v.is_empty()) {
        Some(h) => PathBuf::from(h),
        None => PathBuf::from(std::env::var_os("HOME")?).join(".rustup"),
    };
    let mut state = vec![
        std::env::var("RUSTUP_TOOLCHAIN").unwrap_or_default(),
        std::fs::read_to_string(workspace_root.join("rust-toolchain")).unwrap_or_default(),
        std::fs::read_to_string(workspace_root.join("rust-toolchain.toml")).unwrap_or_default(),
        std::fs::read_to_string(home.join("settings.toml")).ok()?,
    ];
    let mut toolchains: Vec<PathBuf> =
        std::fs::read_dir(home.join("toolchains")).ok()?.filter_map(|e| e.ok().map(|e| e.path())).collect();
    toolchains.sort();
    for toolchain in toolchains {
        let rustc = toolchain.join("bin").join("rustc");
        let modified = std::fs::metadata(&rustc)
            .and_then(|m| m.modified())
            .ok()
            .and_then(|t| t.duration_since(UNIX_EPOCH).ok())
            .map_or(0, |d| d.as_nanos());
        state.push(format!("{} {modified}", rustc.display()));
    }
    Some(state)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A workspace with two Lambda crates sharing a library crate (one by a
    /// workspace path dependency, one by a relative path), and a crate
    /// outside both.
    fn workspace() -> tempfile::TempDir {
        let dir = tempfile::tempdir().unwrap();
        let write = |path: &str, text: &str| {
            let path = dir.path().join(path);
            std::fs::create_dir_all(path.parent().unwrap()).unwrap();
            std::fs::write(path, text).unwrap();
        };
        write(
            "Cargo.toml",
            "[workspace]\nmembers = [\"fa\", \"fb\", \"shared\", \"other\"]\n\n[workspace.dependencies]\nshared = { path = \"shared\" }\nserde = \"1\"\n",
        );
        write("Cargo.lock", "# lock\n");
        write("fa/Cargo.toml", "[package]\nname = \"fa\"\n[dependencies]\nshared.workspace = true\nserde.workspace = true\n[dev-dependencies]\nother = { path = \"../other\" }\n");
        write("fa/src/main.rs", "fn main() {}\n");
        write(
            "fb/Cargo.toml",
            "[package]\nname = \"fb\"\n[target.'cfg(unix)'.dependencies]\nshared = { path = \"../shared\" }\n",
        );
        write("fb/src/main.rs", "fn main() {}\n");
        write("fb/target/debug/junk", "build output\n");
        write("shared/Cargo.toml", "[package]\nname = \"shared\"\n");
        write("shared/src/lib.rs", "pub fn x() {}\n");
        write("other/Cargo.toml", "[package]\nname = \"other\"\n");
        write("other/src/lib.rs", "pub fn y() {}\n");
        dir
    }

    fn options(dir: &Path) -> BuildOptions {
        BuildOptions { profile: String::from("lambda-ci"), target_dir: dir.join("target"), rebuild: false }
    }

    #[test]
    fn path_dependencies_are_followed_but_not_dev_dependencies() {
        let ws = workspace();
        let dirs: Vec<PathBuf> = crate_dirs(ws.path(), "fa").unwrap().into_iter().collect();
        assert_eq!(dirs, [PathBuf::from("fa"), PathBuf::from("shared")]);
        let dirs: Vec<PathBuf> = crate_dirs(ws.path(), "./fb").unwrap().into_iter().collect();
        assert_eq!(dirs, [PathBuf::from("fb"), PathBuf::from("shared")]);
    }

    /// The real Lambdas: their shared crate and the schedule parser are
    /// inputs, strata's own sources are not. acme-core's optional
    /// dependency on local-cloud (its `test-support` feature) counts too:
    /// features are not resolved, so optional dependencies are inputs
    /// (one rebuild too many at worst, never one too few).
    #[test]
    fn the_lambdas_of_this_workspace_read_their_path_dependencies() {
        let root = Path::new(env!("CARGO_MANIFEST_DIR"));
        let dirs: Vec<PathBuf> = crate_dirs(root, "lambdas/scheduler-manager").unwrap().into_iter().collect();
        let expected = ["crates/local-cloud", "crates/schedule-expr", "lambdas/acme-core", "lambdas/scheduler-manager"];
        assert_eq!(dirs, expected.map(PathBuf::from));
        let dirs: Vec<PathBuf> = crate_dirs(root, "lambdas/order-executor").unwrap().into_iter().collect();
        let expected = ["crates/local-cloud", "lambdas/acme-core", "lambdas/order-executor"];
        assert_eq!(dirs, expected.map(PathBuf::from));
    }

    #[test]
    fn target_dirs_and_hidden_files_are_not_sources() {
        let ws = workspace();
        std::fs::write(ws.path().join("fb/.hidden"), "x").unwrap();
        let files = source_files(ws.path(), Path::new("fb")).unwrap();
        assert_eq!(files, [PathBuf::from("fb/Cargo.toml"), PathBuf::from("fb/src/main.rs")]);
    }

    /// Each input changes the fingerprint of the crates that use it, and only
    /// theirs.
    #[test]
    fn a_change_moves_only_the_fingerprints_of_crates_that_read_it() {
        let ws = workspace();
        let root = ws.path();
        let opts = options(root);
        let both = || (fingerprint(root, "fa", &opts).unwrap(), fingerprint(root, "fb", &opts).unwrap());
        let start = both();
        assert_eq!(start, both(), "same inputs, same fingerprints");

        std::fs::write(root.join("fa/src/main.rs"), "fn main() { println!(); }\n").unwrap();
        let after_fa = both();
        assert_ne!(after_fa.0, start.0, "fa's own source");
        assert_eq!(after_fa.1, start.1, "fb does not read fa");

        std::fs::write(root.join("shared/src/lib.rs"), "pub fn x() -> u8 { 1 }\n").unwrap();
        let after_shared = both();
        assert_ne!(after_shared.0, after_fa.0, "fa uses shared");
        assert_ne!(after_shared.1, after_fa.1, "fb uses shared");

        std::fs::write(root.join("other/src/lib.rs"), "pub fn y() -> u8 { 2 }\n").unwrap();
        assert_eq!(both(), after_shared, "a dev-dependency is not built into the binary");

        std::fs::write(root.join("fb/target/debug/junk"), "new build output\n").unwrap();
        assert_eq!(both(), after_shared, "build output is not an input");

        std::fs::write(root.join("Cargo.lock"), "# lock 2\n").unwrap();
        let after_lock = both();
        assert!(after_lock.0 != after_shared.0 && after_lock.1 != after_shared.1, "Cargo.lock");

        let release = BuildOptions { profile: String::from("release"), ..opts.clone() };
        assert_ne!(fingerprint(root, "fa", &release).unwrap(), after_lock.0, "the profile");
    }

    #[test]
    fn a_record_matches_only_its_fingerprint_and_its_zip() {
        let dir = tempfile::tempdir().unwrap();
        let zip_path = dir.path().join("fa.zip");
        std::fs::write(&zip_path, b"zip bytes").unwrap();
        let artifact = Artifact {
            crate_path: String::from("fa"),
            zip_path: zip_path.clone(),
            code_sha256: super::super::code_sha256(b"zip bytes"),
            zip_size: 9,
        };
        record(&artifact, "f1").unwrap();
        assert_eq!(current(&zip_path, "fa", "f1"), Some(artifact.clone()));
        assert_eq!(current(&zip_path, "fa", "f2"), None, "other inputs");
        std::fs::write(&zip_path, b"other zip").unwrap();
        let later = std::time::SystemTime::now() + std::time::Duration::from_secs(5);
        std::fs::File::options().write(true).open(&zip_path).unwrap().set_modified(later).unwrap();
        assert_eq!(current(&zip_path, "fa", "f1"), None, "the zip was replaced");
        std::fs::remove_file(&zip_path).unwrap();
        assert_eq!(current(&zip_path, "fa", "f1"), None, "the zip is gone");
    }

    #[test]
    fn rustc_version_is_cached_under_the_compiler_it_describes() {
        let dir = tempfile::tempdir().unwrap();
        let first = rustc_version(dir.path(), dir.path()).unwrap();
        assert!(first.contains("release:"), "{first}");
        let cache = dir.path().join(super::super::PACKAGE_DIR).join("rustc-version.json");
        let text = std::fs::read_to_string(&cache).expect("cached");
        // A cache entry for another compiler is not used.
        let mut entry: serde_json::Value = serde_json::from_str(&text).unwrap();
        entry["version"] = serde_json::Value::from("planted");
        std::fs::write(&cache, entry.to_string()).unwrap();
        assert_eq!(rustc_version(dir.path(), dir.path()).unwrap(), "planted", "the cache is read");
        entry["key"]["modified_ns"] = serde_json::Value::from(1);
        std::fs::write(&cache, entry.to_string()).unwrap();
        assert_eq!(rustc_version(dir.path(), dir.path()).unwrap(), first, "a stale key runs rustc again");
    }
}
