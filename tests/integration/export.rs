//! `strata export cloudformation`: the flagship (and every stack in
//! stacks/) as a CloudFormation template, checked against AWS's resource
//! schemas, by snapshot, and judged by the pinned cfn-lint with zero errors
//! and zero warnings.

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};
use std::process::Command;

use serde_json::Value;

use crate::aws_rules::cfn_lint_python;
use crate::support::{repo_root, stderr, stdout, strata};

const FLAGSHIP: &str = "stacks/acme-scheduling.yaml";

/// Keys a CloudFormation template may have at the top level.
const TEMPLATE_KEYS: &[&str] = &[
    "AWSTemplateFormatVersion",
    "Description",
    "Metadata",
    "Parameters",
    "Rules",
    "Mappings",
    "Conditions",
    "Transform",
    "Resources",
    "Outputs",
];

/// Keys a resource of a template may have.
const RESOURCE_KEYS: &[&str] =
    &["Type", "Properties", "DependsOn", "DeletionPolicy", "UpdateReplacePolicy", "Metadata", "Condition"];

fn export(spec: &str, args: &[&str]) -> String {
    let mut all = vec!["export", "cloudformation", spec];
    all.extend_from_slice(args);
    let out = strata(&repo_root(), &all);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    stdout(&out)
}

fn export_json(spec: &str, args: &[&str]) -> Value {
    let mut all = vec!["--format", "json"];
    all.extend_from_slice(args);
    serde_json::from_str(&export(spec, &all)).expect("the JSON export parses")
}

/// AWS's schema of a type, as strata embeds it (schemas/aws/resources/).
fn aws_schema(type_name: &str) -> Value {
    let path = repo_root().join("schemas/aws/resources").join(format!("{}.json", type_name.replace("::", "-")));
    serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap()
}

fn read_only(type_name: &str) -> BTreeSet<String> {
    aws_schema(type_name)["readOnlyProperties"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|p| p.as_str()?.strip_prefix("/properties/").map(str::to_owned))
        .collect()
}

/// Every `Ref`, `Fn::GetAtt` and `Fn::Sub` variable in `value`, each checked
/// against the template's resources and parameters; problems are collected.
fn check_intrinsics(value: &Value, template: &Value, problems: &mut Vec<String>) {
    let resources = template["Resources"].as_object().unwrap();
    let parameters = template["Parameters"].as_object().unwrap();
    let check_get_att = |name: &str, attr: &str, problems: &mut Vec<String>| match resources.get(name) {
        None => problems.push(format!("GetAtt of unknown resource {name}")),
        Some(r) => {
            let type_name = r["Type"].as_str().unwrap();
            if !read_only(type_name).contains(attr) {
                problems.push(format!("GetAtt {name}.{attr}: not a read-only property of {type_name}"));
            }
        }
    };
    let check_ref = |name: &str, problems: &mut Vec<String>| {
        if !(resources.contains_key(name) || parameters.contains_key(name) || name.starts_with("AWS::")) {
            problems.push(format!("Ref of unknown {name}"));
        }
    };
    match value {
        Value::Object(map) => {
            if let Some(Value::String(name)) = map.get("Ref") {
                check_ref(name, problems);
            }
            if let Some(get_att) = map.get("Fn::GetAtt") {
                let parts: Vec<&str> = get_att.as_array().unwrap().iter().map(|p| p.as_str().unwrap()).collect();
                check_get_att(parts[0], parts[1], problems);
            }
            if let Some(Value::String(sub)) = map.get("Fn::Sub") {
                for var in sub.split("${").skip(1).filter(|v| !v.starts_with('!')) {
                    let var = &var[..var.find('}').unwrap()];
                    match var.split_once('.') {
                        Some((name, attr)) => check_get_att(name, attr, problems),
                        None => check_ref(var, problems),
                    }
                }
            }
            map.values().for_each(|v| check_intrinsics(v, template, problems));
        }
        Value::Array(items) => items.iter().for_each(|v| check_intrinsics(v, template, problems)),
        _ => {}
    }
}

#[test]
fn exported_flagship_is_a_complete_cloudformation_template() {
    let template = export_json(FLAGSHIP, &[]);
    let text = template.to_string();
    for leftover in ["${stack.", "${env.", "${param", "Crate", "Lifecycle", "Environments"] {
        assert!(!text.contains(leftover), "`{leftover}` left in the template");
    }
    for key in template.as_object().unwrap().keys() {
        assert!(TEMPLATE_KEYS.contains(&key.as_str()), "unknown top-level key {key}");
    }

    let resources = template["Resources"].as_object().unwrap();
    let spec = strata::spec::load_file(&repo_root().join(FLAGSHIP)).unwrap();
    assert_eq!(resources.keys().collect::<Vec<_>>(), spec.resources.keys().collect::<Vec<_>>());
    let mut problems = Vec::new();
    for (name, resource) in resources {
        for key in resource.as_object().unwrap().keys() {
            if !RESOURCE_KEYS.contains(&key.as_str()) {
                problems.push(format!("{name}: unknown resource key {key}"));
            }
        }
        let type_name = resource["Type"].as_str().unwrap();
        let schema = aws_schema(type_name);
        for property in resource["Properties"].as_object().unwrap().keys() {
            if schema["properties"].get(property).is_none() {
                problems.push(format!("{name}: {property} is not a property of {type_name}"));
            }
        }
    }
    check_intrinsics(&template, &template, &mut problems);
    assert!(problems.is_empty(), "{problems:#?}");

    // The examples of Ref and GetAtt.
    let props = |name: &str| &template["Resources"][name]["Properties"];
    assert_eq!(
        props("ApiInvokePermission")["FunctionName"],
        serde_json::json!({"Fn::GetAtt": ["SchedulerManagerFunction", "Arn"]})
    );
    assert_eq!(props("ScheduleResource")["ParentId"], serde_json::json!({"Fn::GetAtt": ["Api", "RootResourceId"]}));
    assert_eq!(props("ScheduleResource")["RestApiId"], serde_json::json!({"Ref": "Api"}));
    assert_eq!(
        props("SchedulerManagerFunction")["Environment"]["Variables"]["SCHEDULE_TABLE_NAME"],
        serde_json::json!({"Ref": "ScheduleDefinitionsTable"})
    );
    assert_eq!(props("Vpc")["Tags"][0]["Value"], serde_json::json!({"Fn::Sub": "acme-scheduling-${EnvironmentName}"}));
    let sid = |role: &str, i: usize| &props(role)["Policies"][0]["PolicyDocument"]["Statement"][i];
    assert_eq!(
        sid("SchedulerManagerRole", 2)["Resource"],
        serde_json::json!({"Fn::Sub": "arn:${AWS::Partition}:scheduler:${AWS::Region}:${AWS::AccountId}:schedule/${ScheduleGroup}/*"})
    );
    // Lambda code: an S3 location from parameters.
    assert_eq!(
        props("OrderExecutorFunction")["Code"],
        serde_json::json!({"S3Bucket": {"Ref": "ArtifactBucket"}, "S3Key": {"Ref": "OrderExecutorFunctionCodeKey"}})
    );
    assert_eq!(template["Parameters"]["EnvironmentName"]["Default"], "local");
    // Stateful resources are kept by CloudFormation.
    for (name, resource) in resources {
        let stateful = ["AWS::DynamoDB::Table", "AWS::KMS::Key", "AWS::Logs::LogGroup", "AWS::Cognito::UserPool"]
            .contains(&resource["Type"].as_str().unwrap());
        let retained = resource.get("DeletionPolicy") == Some(&Value::from("Retain"))
            && resource.get("UpdateReplacePolicy") == Some(&Value::from("Retain"));
        assert_eq!(stateful, retained, "{name}");
    }
    assert_eq!(template["Resources"]["ApiDeployment"]["DependsOn"].as_array().unwrap().len(), 5, "DependsOn is kept");
    // Outputs are exported; stack tags travel in Metadata.
    for (name, output) in template["Outputs"].as_object().unwrap() {
        assert_eq!(
            output["Export"]["Name"],
            serde_json::json!({"Fn::Sub": format!("acme-scheduling-${{EnvironmentName}}-{name}")})
        );
    }
    assert_eq!(template["Metadata"]["Strata"]["StackTags"]["project"], "acme");

    // The whole template, as a user reads it.
    insta::assert_snapshot!("export_flagship_yaml", export(FLAGSHIP, &[]));
}

/// The environment picks the parameter's default; an undeclared one is refused.
#[test]
fn export_takes_the_environment_and_writes_the_file() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("acme.json");
    let spec = repo_root().join(FLAGSHIP);
    let out = strata(
        dir.path(),
        &[
            "export",
            "cloudformation",
            spec.to_str().unwrap(),
            "--env",
            "prod",
            "--format",
            "json",
            "--out",
            "acme.json",
        ],
    );
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    assert!(stdout(&out).is_empty());
    let template: Value = serde_json::from_str(&std::fs::read_to_string(&file).unwrap()).unwrap();
    assert_eq!(template["Parameters"]["EnvironmentName"]["Default"], "prod");
    assert_eq!(template["Parameters"]["EnvironmentName"]["AllowedValues"], serde_json::json!(["local", "prod"]));

    let out = strata(dir.path(), &["export", "cloudformation", spec.to_str().unwrap(), "--env", "staging"]);
    assert_eq!(out.status.code(), Some(1));
    assert!(stderr(&out).contains("environment `staging` is not declared"), "{}", stderr(&out));
}

/// The PyYAML of cfn-lint's virtualenv: an independent YAML reader (YAML 1.1).
fn pyyaml_to_json(yaml: &Path) -> Value {
    let out = Command::new(cfn_lint_python())
        .args(["-c", "import json, sys, yaml; print(json.dumps(yaml.safe_load(open(sys.argv[1]))))"])
        .arg(yaml)
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    serde_json::from_slice(&out.stdout).unwrap()
}

#[test]
fn yaml_and_json_exports_are_the_same_template() {
    let json = export_json(FLAGSHIP, &[]);
    let yaml = export(FLAGSHIP, &["--format", "yaml"]);
    assert_eq!(strata::spec::yaml::parse(&yaml).unwrap().0.to_json(), json, "strata's YAML reader");
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("t.yaml"), &yaml).unwrap();
    assert_eq!(pyyaml_to_json(&dir.path().join("t.yaml")), json, "PyYAML");
}

/// Every stack in stacks/ that validates, each of its environments.
fn exportable_stacks() -> Vec<(PathBuf, Vec<String>)> {
    let mut stacks: Vec<PathBuf> = std::fs::read_dir(repo_root().join("stacks"))
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|e| e == "yaml"))
        .collect();
    stacks.sort();
    stacks
        .into_iter()
        .filter_map(|p| {
            let stack = strata::spec::load_file(&p).ok()?;
            let mut envs: Vec<String> = stack.environments.keys().cloned().collect();
            if !envs.iter().any(|e| e == "local") {
                envs.insert(0, "local".into());
            }
            Some((p, envs))
        })
        .collect()
}

/// cfn-lint's errors and warnings (informational findings are not failures).
pub fn cfn_lint(template: &Path, region: &str) -> Vec<Value> {
    let python = cfn_lint_python();
    let out = Command::new(python.with_file_name("cfn-lint"))
        .args(["--format", "json", "--regions", region, "--"])
        .arg(template)
        .output()
        .expect("cfn-lint runs");
    let findings: Vec<Value> = serde_json::from_slice(&out.stdout)
        .unwrap_or_else(|e| panic!("cfn-lint printed no JSON ({e}): {}", String::from_utf8_lossy(&out.stderr)));
    findings.into_iter().filter(|f| f["Level"] != "Informational").collect()
}

#[test]
fn cfn_lint_passes_every_exported_stack_with_no_error_or_warning() {
    let dir = tempfile::tempdir().unwrap();
    let stacks = exportable_stacks();
    assert!(stacks.iter().any(|(p, _)| p.ends_with(FLAGSHIP)), "the flagship validates");
    let mut failures = Vec::new();
    for (spec, envs) in &stacks {
        let stack = strata::spec::load_file(spec).unwrap();
        for env in envs {
            let file = dir.path().join(format!("{}-{env}.yaml", stack.name));
            let out = strata(
                &repo_root(),
                &["export", "cloudformation", spec.to_str().unwrap(), "--env", env, "--out", file.to_str().unwrap()],
            );
            assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
            let region = stack.environments.get(env).and_then(|e| e.region.clone()).unwrap_or("us-east-1".into());
            let findings = cfn_lint(&file, &region);
            if !findings.is_empty() {
                failures.push(format!("{} --env {env}: {findings:#?}", spec.display()));
            }
        }
    }
    assert!(failures.is_empty(), "cfn-lint findings:\n{}", failures.join("\n"));
}
