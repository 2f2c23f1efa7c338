//! Lambda packaging of the REAL `lambdas/order-executor` crate: the binary
//! must start on Amazon Linux 2023 (needs no glibc symbol newer than 2.34)
//! and the package must be reproducible (same CodeSha256 twice).
//!
//! The build uses `STRATA_LAMBDA_PROFILE` when set, else `lambda-ci` (release
//! semantics without fat LTO, see docs/decisions.md): what is checked here
//! does not depend on the optimisation level, and a cold fat-LTO build would
//! not fit the test run.

use std::io::{Cursor, Read};
use std::path::{Path, PathBuf};
use std::sync::Mutex;

use object::read::elf::ElfFile64;
use object::Endianness;
use strata::build::{self, BuildOptions};

const CRATE: &str = "lambdas/order-executor";

/// The two tests share one build: they run in parallel otherwise, and the
/// second would only wait on cargo's lock.
static BUILD_LOCK: Mutex<()> = Mutex::new(());

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

fn options() -> BuildOptions {
    let mut options = BuildOptions::from_env(&root());
    if std::env::var_os(build::PROFILE_VAR).is_none() {
        options.profile = "lambda-ci".to_owned();
    }
    options
}

fn package() -> build::Artifact {
    let _guard = BUILD_LOCK.lock().unwrap_or_else(|e| e.into_inner());
    match build::package_with(&root(), CRATE, &options()) {
        Ok(artifact) => artifact,
        Err(err) => panic!("{:?}", miette::Report::new(err)),
    }
}

/// The `bootstrap` entry of a Lambda zip, and its unix mode.
fn bootstrap(zip_path: &Path) -> (Vec<u8>, Option<u32>) {
    let bytes = std::fs::read(zip_path).expect("read the zip");
    let mut archive = zip::ZipArchive::new(Cursor::new(bytes)).expect("a zip");
    assert_eq!(archive.len(), 1, "one entry");
    let mut file = archive.by_name("bootstrap").expect("bootstrap in the zip");
    let mode = file.unix_mode();
    let mut binary = Vec::new();
    file.read_to_end(&mut binary).expect("read bootstrap");
    (binary, mode)
}

/// Every `GLIBC_x.y[.z]` version the ELF's version-needs section requires.
fn glibc_versions_needed(elf: &[u8]) -> Vec<Vec<u32>> {
    let file = ElfFile64::<Endianness>::parse(elf).expect("an ELF64 binary");
    let endian = file.endian();
    let sections = file.elf_section_table();
    let (mut needs, link) =
        sections.gnu_verneed(endian, elf).expect("version needs").expect("a .gnu.version_r section");
    let strings = sections.strings(endian, elf, link).expect("its string table");
    let mut versions = Vec::new();
    while let Some((_need, mut auxes)) = needs.next().expect("a Verneed") {
        while let Some(aux) = auxes.next().expect("a Vernaux") {
            let name = String::from_utf8_lossy(aux.name(endian, strings).expect("a version name")).into_owned();
            if let Some(v) = name.strip_prefix("GLIBC_") {
                versions.push(v.split('.').map(|p| p.parse::<u32>().expect("numeric version")).collect());
            }
        }
    }
    versions
}

#[test]
fn order_executor_needs_no_glibc_newer_than_amazon_linux_2023() {
    let artifact = package();
    let (binary, mode) = bootstrap(&artifact.zip_path);
    assert_eq!(mode.map(|m| m & 0o777), Some(0o755), "bootstrap is executable");
    let versions = glibc_versions_needed(&binary);
    assert!(!versions.is_empty(), "a glibc binary names the glibc versions it needs");
    let highest = versions.iter().max().expect("at least one");
    assert!(*highest <= vec![2, 34], "needs GLIBC_{highest:?}, Amazon Linux 2023 has 2.34");
    eprintln!("order-executor: highest GLIBC needed {highest:?}, zip {} bytes", artifact.zip_size);
}

/// Builds with cargo whatever the recorded fingerprint says.
fn rebuild() -> build::Artifact {
    let _guard = BUILD_LOCK.lock().unwrap_or_else(|e| e.into_inner());
    let options = BuildOptions { rebuild: true, ..options() };
    match build::package_with(&root(), CRATE, &options) {
        Ok(artifact) => artifact,
        Err(err) => panic!("{:?}", miette::Report::new(err)),
    }
}

#[test]
fn building_twice_gives_the_same_code_sha256() {
    let first = rebuild();
    let first_zip = std::fs::read(&first.zip_path).expect("read the zip");
    let second = rebuild();
    assert_eq!(first.code_sha256, second.code_sha256);
    assert_eq!(first.code_sha256, build::code_sha256(&first_zip));
    assert_eq!(first.zip_size, first_zip.len() as u64);
    assert!(first.zip_path.ends_with("strata-lambda/order-executor.zip"), "{}", first.zip_path.display());
}

#[test]
fn a_path_that_is_not_a_crate_is_refused() {
    let err = build::package_with(&root(), "lambdas/no-such-lambda", &options()).unwrap_err();
    assert!(matches!(err, build::BuildError::NoCrate { .. }), "{err:?}");
}

/// Both Lambdas' package sizes and build times, for the record (not run by
/// default: the second Lambda adds minutes to a cold build).
/// `cargo test --test integration lambda_build::measure -- --ignored --nocapture`
#[test]
#[ignore]
fn measure_both_lambdas() {
    for crate_path in ["lambdas/order-executor", "lambdas/scheduler-manager"] {
        let start = std::time::Instant::now();
        let artifact = build::package_with(&root(), crate_path, &options()).expect("package");
        let (binary, _) = bootstrap(&artifact.zip_path);
        let highest = glibc_versions_needed(&binary).into_iter().max();
        eprintln!(
            "{crate_path}: {:?} (profile {}), binary {} bytes, zip {} bytes, CodeSha256 {}, highest GLIBC {highest:?}",
            start.elapsed(),
            options().profile,
            binary.len(),
            artifact.zip_size,
            artifact.code_sha256
        );
    }
}
