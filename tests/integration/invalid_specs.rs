//! The corpus of invalid specs: each file names the diagnostic code it must
//! produce (`# expect: <code>` on its first line); the whole report, with
//! file, line and column, is checked by snapshot.

use crate::support::{repo_root, stderr, strata};

#[test]
fn every_invalid_spec_is_rejected_with_its_diagnostic() {
    let dir = repo_root().join("tests/fixtures/invalid");
    let mut files: Vec<_> = std::fs::read_dir(&dir)
        .unwrap()
        .filter_map(Result::ok)
        .map(|e| e.path())
        .filter(|p| p.extension().is_some_and(|e| e == "yaml"))
        .collect();
    files.sort();
    assert!(files.len() >= 40, "the corpus has {} specs; it must keep at least 40", files.len());
    for path in files {
        let name = path.file_stem().unwrap().to_string_lossy().into_owned();
        let text = std::fs::read_to_string(&path).unwrap();
        let expected = text
            .lines()
            .next()
            .and_then(|l| l.strip_prefix("# expect: "))
            .unwrap_or_else(|| panic!("{name}: first line must be `# expect: <code>`"))
            .trim()
            .to_owned();
        let relative = format!("tests/fixtures/invalid/{name}.yaml");
        let out = strata(&repo_root(), &["validate", &relative]);
        let report = stderr(&out);
        assert_eq!(out.status.code(), Some(1), "{name}: exit status\n{report}");
        assert!(report.contains(&expected), "{name}: expected diagnostic `{expected}` in:\n{report}");
        assert!(report.contains(&format!("{relative}:")), "{name}: the report names file:line:column\n{report}");
        insta::assert_snapshot!(format!("invalid__{name}"), report);
    }
}

#[test]
fn all_errors_of_a_file_are_reported_in_one_run() {
    let out = strata(&repo_root(), &["validate", "tests/fixtures/invalid/many-errors-at-once.yaml"]);
    let report = stderr(&out);
    for code in [
        "spec::invalid-cidr",
        "spec::unknown-property",
        "spec::unknown-type",
        "spec::missing-property",
        "spec::unknown-resource",
    ] {
        assert!(report.contains(code), "missing {code} in:\n{report}");
    }
}
