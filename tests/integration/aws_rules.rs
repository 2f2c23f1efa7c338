//! AWS's own rules, judged by AWS's artefacts: a corpus of one-line mistakes
//! in the flagship stack (tests/fixtures/aws-mistakes.txt), each of which AWS
//! rejects, must fail `strata validate` at the mistake's line; and cfn-lint
//! (pinned, in its own virtualenv under $STRATA_HOME), run on the same specs
//! written as CloudFormation templates, must find nothing wrong with the
//! flagship and nothing in the corpus that strata lets through.

use std::collections::BTreeMap;
use std::path::PathBuf;
use std::process::Command;
use std::sync::OnceLock;

use serde_json::Value;

use crate::support::{repo_root, stderr, strata};

/// cfn-lint's version, pinned with the schemas it ships (schemas/aws/SOURCE.json).
const CFN_LINT_VERSION: &str = "1.58.0";

struct Mistake {
    name: String,
    code: String,
    /// 1-based line of the mistake in the edited spec.
    line: usize,
    spec: String,
}

fn flagship() -> String {
    std::fs::read_to_string(repo_root().join("stacks/acme-scheduling.yaml")).unwrap()
}

/// Applies `find -> replace` at the first occurrence; returns the text and the line.
fn edit(text: &str, find: &str, replace: &str) -> (String, usize) {
    let at = text.find(find).unwrap_or_else(|| panic!("`{find}` is not in the flagship stack"));
    let line = text[..at].matches('\n').count() + 1;
    (format!("{}{replace}{}", &text[..at], &text[at + find.len()..]), line)
}

/// One corpus line: name, code, text, replacement (`\n` for a line break),
/// and optionally the text whose line the report points at when that is
/// not the edited line (a rule about a whole mapping).
struct Entry {
    name: String,
    code: String,
    find: String,
    replace: String,
    reported_at: Option<String>,
}

fn corpus() -> Vec<Entry> {
    let text = std::fs::read_to_string(repo_root().join("tests/fixtures/aws-mistakes.txt")).unwrap();
    text.lines()
        .filter(|l| !l.trim().is_empty() && !l.starts_with('#'))
        .map(|l| {
            let f: Vec<String> = l.split(" | ").map(|f| f.trim().replace("\\n", "\n")).collect();
            assert!(matches!(f.len(), 4 | 5), "a corpus line has four or five fields: {l}");
            Entry {
                name: f[0].clone(),
                code: f[1].clone(),
                find: f[2].clone(),
                replace: f[3].clone(),
                reported_at: f.get(4).cloned(),
            }
        })
        .collect()
}

fn mistakes() -> Vec<Mistake> {
    let base = flagship();
    corpus()
        .into_iter()
        .map(|e| {
            let (spec, edited_line) = edit(&base, &e.find, &e.replace);
            let line = match &e.reported_at {
                Some(anchor) => edit(&spec, anchor, anchor).1,
                None => edited_line,
            };
            Mistake { name: e.name, code: e.code, line, spec }
        })
        .collect()
}

#[test]
fn every_aws_mistake_fails_validate_at_its_line() {
    let dir = tempfile::tempdir().unwrap();
    let all = mistakes();
    assert!(all.len() >= 40, "the corpus has {} mistakes; it must keep at least 40", all.len());
    let mut failures = Vec::new();
    for m in &all {
        let file = format!("{}.yaml", m.name);
        std::fs::write(dir.path().join(&file), &m.spec).unwrap();
        let out = strata(dir.path(), &["validate", &file]);
        let report = stderr(&out);
        let at_line = format!("{file}:{}:", m.line);
        if out.status.code() != Some(1) || !report.contains(&m.code) || !report.contains(&at_line) {
            failures.push(format!(
                "{} (want {} at {at_line}, exit {:?}):\n{report}",
                m.name,
                m.code,
                out.status.code()
            ));
        }
    }
    assert!(
        failures.is_empty(),
        "{} of {} mistakes not reported as expected:\n{}",
        failures.len(),
        all.len(),
        failures.join("\n")
    );
}

/// The one-line mistakes issue #10 lists, each AWS rejects.
const ISSUE_MISTAKES: [&str; 12] = [
    "retention-not-allowed",
    "memory-below-minimum",
    "timeout-above-900",
    "iam-action-misspelt",
    "runtime-unknown",
    "billing-provisioned-without-throughput",
    "password-minimum-length-3",
    "auth-flow-unknown",
    "ip-protocol-typo",
    "stage-burst-limit-negative",
    "role-name-too-long",
    "table-name-bad-characters",
];

#[test]
fn mistakes_made_together_are_all_reported_in_one_run() {
    let wanted = ISSUE_MISTAKES;
    let mut text = flagship();
    let mut lines = BTreeMap::new();
    for e in corpus().into_iter().filter(|e| wanted.contains(&e.name.as_str())) {
        let (edited, line) = edit(&text, &e.find, &e.replace);
        text = edited;
        lines.insert(e.name, line);
    }
    assert_eq!(lines.len(), wanted.len());
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("acme.yaml"), &text).unwrap();
    let out = strata(dir.path(), &["validate", "acme.yaml"]);
    let report = stderr(&out);
    assert_eq!(out.status.code(), Some(1), "{report}");
    for (name, line) in lines {
        assert!(report.contains(&format!("acme.yaml:{line}:")), "{name} (line {line}) not reported:\n{report}");
    }
}

#[test]
fn cfn_lint_passes_the_flagship_and_flags_nothing_strata_accepts() {
    let python = cfn_lint_python();
    let dir = tempfile::tempdir().unwrap();
    let all = mistakes();
    let mut files = vec![repo_root().join("stacks/acme-scheduling.yaml")];
    for m in &all {
        let path = dir.path().join(format!("{}.yaml", m.name));
        std::fs::write(&path, &m.spec).unwrap();
        files.push(path);
    }
    let out = Command::new(python)
        .arg(repo_root().join("tests/oracle/cfn_lint_oracle.py"))
        .arg(repo_root())
        .args(&files)
        .output()
        .expect("the cfn-lint oracle runs");
    assert!(out.status.success(), "oracle failed: {}", String::from_utf8_lossy(&out.stderr));
    let results: BTreeMap<String, Vec<Value>> = serde_json::from_slice(&out.stdout).unwrap();
    let flagship_errors = &results[&files[0].display().to_string()];
    assert!(flagship_errors.is_empty(), "cfn-lint finds errors in the flagship stack: {flagship_errors:#?}");

    let mut flagged = 0;
    let mut missed_by_strata = Vec::new();
    for (m, path) in all.iter().zip(&files[1..]) {
        if results[&path.display().to_string()].is_empty() {
            continue;
        }
        flagged += 1;
        let out = strata(dir.path(), &["validate", &format!("{}.yaml", m.name)]);
        if out.status.code() != Some(1) {
            missed_by_strata.push(m.name.clone());
        }
    }
    assert!(missed_by_strata.is_empty(), "cfn-lint rejects these, strata accepts them: {missed_by_strata:?}");
    // The oracle must be judging: most of the corpus is within cfn-lint's reach.
    assert!(flagged * 2 > all.len(), "cfn-lint flagged only {flagged} of {} mistakes", all.len());
    eprintln!("cfn-lint flagged {flagged} of {} mistakes; strata rejects all {}", all.len(), all.len());
}

/// The pinned cfn-lint's Python, installed once into its own virtualenv
/// (like the local cloud's moto) under $STRATA_HOME.
pub fn cfn_lint_python() -> PathBuf {
    static PYTHON: OnceLock<PathBuf> = OnceLock::new();
    PYTHON
        .get_or_init(|| {
            let home = strata::local::LocalCloudConfig::from_env().home;
            let dir = home.join(format!("cfn-lint-{CFN_LINT_VERSION}"));
            let python = dir.join("venv/bin/python");
            if dir.join("installed").exists() {
                return python;
            }
            let _ = std::fs::remove_dir_all(&dir);
            std::fs::create_dir_all(&dir).unwrap();
            run(Command::new("python3").args(["-m", "venv"]).arg(dir.join("venv")));
            run(Command::new(&python)
                .args(["-m", "pip", "install", "--quiet", "--disable-pip-version-check"])
                .arg(format!("cfn-lint=={CFN_LINT_VERSION}")));
            std::fs::write(dir.join("installed"), CFN_LINT_VERSION).unwrap();
            python
        })
        .clone()
}

fn run(cmd: &mut Command) {
    let out = cmd.output().unwrap_or_else(|e| panic!("{cmd:?}: {e}"));
    assert!(out.status.success(), "{cmd:?} failed: {}", String::from_utf8_lossy(&out.stderr));
}

/// A value known only at plan time (here `${env.Region}`) is checked once
/// the plan resolves it, before anything is changed.
#[test]
fn values_known_at_plan_time_are_checked_before_any_change() {
    let spec = "Stack: demo\nResources:\n  Logs:\n    Type: AWS::Logs::LogGroup\n    Properties:\n      LogGroupName: /demo/${env.Region}/app logs\n      RetentionInDays: 7\n";
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("stack.yaml"), spec).unwrap();
    let validated = strata(dir.path(), &["validate", "stack.yaml"]);
    assert_eq!(validated.status.code(), Some(0), "the region is not known at validate time: {}", stderr(&validated));
    let planned = strata(dir.path(), &["plan", "stack.yaml", "--state", "none.json"]);
    let report = stderr(&planned);
    assert_eq!(planned.status.code(), Some(1), "{report}");
    assert!(report.contains("aws::pattern") && report.contains("stack.yaml:6:"), "{report}");
    assert!(!dir.path().join("none.json").exists(), "nothing may be applied or recorded");
}

/// `strata schema` gives editors the same rules: the flagship validates
/// against it, and the issue's mistakes that a JSON Schema can see (a value
/// without references, no IAM data) are rejected by it.
#[test]
fn editor_schema_accepts_the_flagship_and_rejects_the_mistakes() {
    let dir = tempfile::tempdir().unwrap();
    let out = strata(dir.path(), &["schema", "--out", "strata.schema.json"]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let schema: Value =
        serde_json::from_str(&std::fs::read_to_string(dir.path().join("strata.schema.json")).unwrap()).unwrap();
    let validator = jsonschema::options().build(&schema).expect("the editor schema compiles");
    let as_json = |text: &str| strata::spec::yaml::parse(text).unwrap().0.to_json();

    let errors: Vec<String> =
        validator.iter_errors(&as_json(&flagship())).map(|e| format!("{} at {}", e, e.instance_path())).collect();
    assert!(errors.is_empty(), "the flagship fails the editor schema: {errors:#?}");

    // A JSON Schema cannot know IAM's actions, nor a name built from references.
    let beyond_a_schema = ["iam-action-misspelt", "role-name-too-long"];
    let rejected_by_editor: Vec<&str> = ISSUE_MISTAKES
        .into_iter()
        .filter(|m| !beyond_a_schema.contains(m))
        .chain(["memory-above-lambda-maximum", "key-type-unknown"])
        .collect();
    for m in mistakes().iter().filter(|m| rejected_by_editor.contains(&m.name.as_str())) {
        assert!(!validator.is_valid(&as_json(&m.spec)), "the editor schema accepts {}", m.name);
    }
}

/// `strata types <T>` documents a type from the same data validate uses.
#[test]
fn types_shows_a_types_properties_with_aws_rules() {
    let out = strata(&repo_root(), &["types", "AWS::DynamoDB::Table"]);
    let text = crate::support::stdout(&out);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let line_of = |name: &str| text.lines().find(|l| l.trim_start().starts_with(name)).unwrap_or_default().to_string();
    assert!(line_of("TableName ").contains("forces replacement"), "{text}");
    assert!(line_of("KeySchema ").contains("required"), "{text}");
    assert!(text.contains("one of: PAY_PER_REQUEST, PROVISIONED"), "{text}");
    assert!(line_of("KeySchema ").contains("list of mapping"), "{text}");
    assert!(text.contains("Attributes (${Name.Attribute}): "), "{text}");

    let out = strata(&repo_root(), &["types", "AWS::S3::Bucket"]);
    assert_eq!(out.status.code(), Some(1));
    let report = stderr(&out).replace('\n', " ");
    assert!(report.contains("AWS::S3::Bucket") && report.contains("CloudFormation type"), "{report}");
}
