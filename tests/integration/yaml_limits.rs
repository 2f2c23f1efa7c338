//! Hostile or broken YAML is refused by `strata validate` with a located
//! diagnostic and exit status 1, quickly and in little memory: an alias bomb,
//! runaway nesting, a second document, an oversized file.

use std::process::Command;
use std::time::{Duration, Instant};

use crate::support::Scratch;

/// What one `strata validate stack.yaml` run did, with its peak memory.
struct Run {
    code: Option<i32>,
    stderr: String,
    elapsed: Duration,
    max_rss_kib: u64,
}

/// Runs strata under a small Python parent that reports the child's peak
/// resident set (`RUSAGE_CHILDREN`). Not `wait4` from this test process:
/// Linux keeps the pre-exec high-water mark of a forked child, so a child of
/// this large, multi-threaded test binary would report the test's own memory.
/// The Python parent is ~10 MB, below strata's own baseline, and `ru_maxrss`
/// is a maximum, not a sum, so the figure is strata's.
const MEASURE: &str = "import resource, subprocess, sys\n\
    r = subprocess.run(sys.argv[1:], stdout=subprocess.DEVNULL)\n\
    print(resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss)\n\
    sys.exit(r.returncode)\n";

fn validate_measured(scratch: &Scratch) -> Run {
    let started = Instant::now();
    let out = Command::new("python3")
        .args(["-c", MEASURE, env!("CARGO_BIN_EXE_strata"), "validate", "stack.yaml"])
        .current_dir(scratch.path())
        .env("NO_COLOR", "1")
        .env_remove("CLICOLOR_FORCE")
        .output()
        .expect("python3 runs (the local cloud needs it too)");
    let stdout = String::from_utf8_lossy(&out.stdout);
    let max_rss_kib = stdout.trim().parse().unwrap_or_else(|_| panic!("no peak RSS in {stdout:?}"));
    Run {
        code: out.status.code(),
        stderr: String::from_utf8_lossy(&out.stderr).into_owned(),
        elapsed: started.elapsed(),
        max_rss_kib,
    }
}

fn alias_bomb() -> String {
    let mut src = String::from("a: &a [\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\"]\n");
    for (prev, name) in ["a", "b", "c", "d", "e", "f", "g", "h"].iter().zip(["b", "c", "d", "e", "f", "g", "h", "i"]) {
        src.push_str(&format!("{name}: &{name} [{}]\n", vec![format!("*{prev}"); 9].join(",")));
    }
    src
}

#[test]
fn an_alias_bomb_is_refused_quickly_in_little_memory() {
    let bomb = alias_bomb();
    assert!(bomb.len() <= 360, "the bomb is {} bytes", bomb.len());
    let scratch = Scratch::with_spec(&bomb);
    let run = validate_measured(&scratch);
    eprintln!("alias bomb: {:?}, peak RSS {} KiB", run.elapsed, run.max_rss_kib);
    assert_eq!(run.code, Some(1), "{}", run.stderr);
    assert!(run.stderr.contains("spec::yaml-alias-limit"), "{}", run.stderr);
    assert!(run.stderr.contains("YAML aliases expand to more than 100000 nodes"), "{}", run.stderr);
    // Located at the first `*e` on line 6 (`f: &f [*e,...`), column 8.
    assert!(run.stderr.contains("stack.yaml:6:8"), "{}", run.stderr);
    assert!(run.max_rss_kib < 50 * 1024, "peak RSS {} KiB", run.max_rss_kib);
    assert!(run.elapsed < Duration::from_secs(5), "took {:?}", run.elapsed);
}

#[test]
fn runaway_nesting_is_refused_without_a_stack_overflow() {
    for (what, spec) in [("flow", "[".repeat(100_000)), ("block", format!("Resources:\n  {}x\n", "- ".repeat(100_000)))]
    {
        let scratch = Scratch::with_spec(&spec);
        let run = validate_measured(&scratch);
        assert_eq!(run.code, Some(1), "{what}: {}", run.stderr);
        assert!(run.stderr.contains("spec::yaml-too-deep"), "{what}: {}", run.stderr);
        assert!(run.stderr.contains("the YAML nests deeper than 64 levels"), "{what}: {}", run.stderr);
        let at = if what == "flow" { "stack.yaml:1:" } else { "stack.yaml:2:" };
        assert!(run.stderr.contains(at), "{what}: {}", run.stderr);
        assert!(run.max_rss_kib < 50 * 1024, "{what}: peak RSS {} KiB", run.max_rss_kib);
    }
}

#[test]
fn a_second_document_is_refused_where_it_starts() {
    let spec = "Stack: s\nResources:\n  Logs:\n    Type: AWS::Logs::LogGroup\n---\nResources: {}\n";
    let scratch = Scratch::with_spec(spec);
    let run = validate_measured(&scratch);
    assert_eq!(run.code, Some(1), "{}", run.stderr);
    assert!(run.stderr.contains("spec::yaml-multiple-documents"), "{}", run.stderr);
    assert!(run.stderr.contains("the file holds more than one YAML document"), "{}", run.stderr);
    assert!(run.stderr.contains("stack.yaml:5:1"), "{}", run.stderr);
}

#[test]
fn a_file_over_64_mib_is_refused_unread() {
    let scratch = Scratch::with_spec(&format!("Stack: s\n# {}\n", "x".repeat(64 * 1024 * 1024)));
    let run = validate_measured(&scratch);
    assert_eq!(run.code, Some(1), "{}", run.stderr);
    assert!(run.stderr.contains("spec::too_large"), "{}", run.stderr);
    assert!(run.stderr.contains("is larger than 67108864 bytes (64 MiB)"), "{}", run.stderr);
    assert!(run.max_rss_kib < 50 * 1024, "peak RSS {} KiB", run.max_rss_kib);
}

#[test]
fn a_file_with_thousands_of_errors_reports_the_first_hundred_quickly() {
    let keys: String = (0..50_000).map(|i| format!("k{i}: 1\n")).collect();
    let scratch = Scratch::with_spec(&format!("Stack: s\nResources:\n  Logs:\n    Type: AWS::Logs::LogGroup\n{keys}"));
    let run = validate_measured(&scratch);
    assert_eq!(run.code, Some(1), "{}", run.stderr);
    assert_eq!(run.stderr.matches("unknown key `k").count(), 100, "the first hundred are shown");
    assert!(run.stderr.contains("unknown key `k0`"), "in file order");
    assert!(
        run.stderr.contains("49900 more errors are not shown"),
        "{}",
        &run.stderr[run.stderr.len().saturating_sub(2000)..]
    );
    assert!(run.elapsed < Duration::from_secs(20), "took {:?}", run.elapsed);
}
