//! A stack spec as a CloudFormation template: a pure function of the parsed
//! spec (no AWS call, no build), so the same stack can be handed to AWS's
//! managed engine. Only CloudFormation's own keys reach the template:
//! strata's `Environments`, `Lifecycle` and `Code.Crate` are translated or
//! dropped here (docs/cloudformation.md lists what maps to what).

use std::collections::BTreeMap;

use serde_json::{json, Map, Value};

use super::strings::{Context, ENVIRONMENT_PARAMETER};
use super::ExportError;
use crate::spec::bind::BoundValue;
use crate::spec::parameters::Parameter;
use crate::spec::{Resource, Stack};

/// The parameter naming the S3 bucket that holds the Lambda zips.
pub const ARTIFACT_BUCKET_PARAMETER: &str = "ArtifactBucket";

/// Types that hold data a deletion or replacement would lose: CloudFormation
/// keeps them (`Retain`) whatever the spec's `PreventDestroy` says.
const STATEFUL_TYPES: &[&str] =
    &["AWS::DynamoDB::Table", "AWS::KMS::Key", "AWS::Logs::LogGroup", "AWS::Cognito::UserPool"];

/// Where the Lambda zips are, once `strata package` has uploaded them.
#[derive(Debug, Clone, Default)]
pub struct Artifacts {
    pub bucket: String,
    /// crate path (`lambdas/order-executor`) -> S3 key of its zip.
    pub keys: BTreeMap<String, String>,
}

/// The S3 key of a crate's zip: the crate's directory name and the zip's
/// SHA-256 (Lambda's base64 `CodeSha256`, written in hex for a key), so the
/// same code always has the same key and is uploaded once.
pub fn artifact_key(crate_path: &str, code_sha256: &str) -> String {
    use base64::Engine;
    let name = crate_path.trim_end_matches('/').rsplit('/').next().unwrap_or(crate_path);
    let digest = base64::engine::general_purpose::STANDARD.decode(code_sha256).unwrap_or_default();
    let hex: String = digest.iter().map(|b| format!("{b:02x}")).collect();
    format!("strata/{name}/{hex}.zip")
}

/// The template of `stack` for environment `environment` (the default of
/// the template's environment parameter); `values` are the environment's
/// parameter values (the defaults of the template's parameters, secrets
/// excepted); `artifacts` names the uploaded Lambda zips when they are known.
pub fn template(
    stack: &Stack,
    environment: &str,
    values: &indexmap::IndexMap<String, BoundValue>,
    artifacts: Option<&Artifacts>,
) -> Result<Value, ExportError> {
    let cx = Context {
        stack_name: &stack.name,
        types: stack.resources.values().map(|r| (r.name.as_str(), r.type_name.as_str())).collect(),
    };
    let mut parameters = Map::new();
    parameters.insert(ENVIRONMENT_PARAMETER.to_owned(), environment_parameter(stack, environment));
    let mut resources = Map::new();
    for resource in stack.resources.values() {
        resources.insert(resource.name.clone(), resource_entry(resource, &cx, artifacts, &mut parameters)?);
    }
    for parameter in stack.parameters.values() {
        if parameters.contains_key(&parameter.name) {
            return Err(ExportError::ParameterClash { name: parameter.name.clone() });
        }
        parameters.insert(parameter.name.clone(), template_parameter(parameter, values.get(&parameter.name)));
    }

    let mut template = Map::new();
    template.insert("AWSTemplateFormatVersion".into(), json!("2010-09-09"));
    if let Some(description) = &stack.description {
        template.insert("Description".into(), json!(description));
    }
    template.insert("Metadata".into(), metadata(stack));
    template.insert("Parameters".into(), Value::Object(parameters));
    template.insert("Resources".into(), Value::Object(resources));
    if !stack.outputs.is_empty() {
        template.insert("Outputs".into(), outputs(stack, &cx)?);
    }
    Ok(Value::Object(template))
}

/// `${env.Name}`: one parameter, defaulting to the exported environment and
/// limited to the environments the spec declares.
fn environment_parameter(stack: &Stack, environment: &str) -> Value {
    let mut known: Vec<&str> = stack.environments.keys().map(String::as_str).collect();
    if !known.contains(&crate::spec::DEFAULT_ENVIRONMENT) {
        known.insert(0, crate::spec::DEFAULT_ENVIRONMENT);
    }
    json!({
        "Type": "String",
        "Description": "The strata environment (env.Name in the spec): part of physical names and of export names",
        "Default": environment,
        "AllowedValues": known,
    })
}

/// A spec parameter as CloudFormation's: the same keys, and as `Default`
/// the exported environment's value; a `NoEcho` one gets none (a template
/// is committed and shared), so it is given when the stack is deployed.
fn template_parameter(parameter: &Parameter, value: Option<&BoundValue>) -> Value {
    let mut out = Map::new();
    out.insert("Type".into(), json!(parameter.param_type.name()));
    if let Some(description) = &parameter.description {
        out.insert("Description".into(), json!(description));
    }
    match value {
        Some(v) if !v.secret => {
            let text = match &v.value {
                Value::Array(items) => {
                    items.iter().map(|i| i.as_str().map_or_else(|| i.to_string(), str::to_owned)).collect::<Vec<_>>().join(",")
                }
                Value::String(s) => s.clone(),
                other => other.to_string(),
            };
            out.insert("Default".into(), json!(text));
        }
        _ => {}
    }
    if !parameter.allowed_values.is_empty() {
        out.insert("AllowedValues".into(), json!(parameter.allowed_values));
    }
    let optional = [
        ("AllowedPattern", parameter.allowed_pattern.as_ref().map(|p| json!(p))),
        ("MinLength", parameter.min_length.map(|n| json!(n))),
        ("MaxLength", parameter.max_length.map(|n| json!(n))),
        ("MinValue", parameter.min_value.map(number)),
        ("MaxValue", parameter.max_value.map(number)),
        ("ConstraintDescription", parameter.constraint_description.as_ref().map(|c| json!(c))),
    ];
    for (key, v) in optional {
        if let Some(v) = v {
            out.insert(key.into(), v);
        }
    }
    if parameter.no_echo {
        out.insert("NoEcho".into(), json!(true));
    }
    Value::Object(out)
}

/// A bound as CloudFormation writes it: whole numbers without a fraction.
fn number(n: f64) -> Value {
    if n.fract() == 0.0 && n.abs() < 1e15 {
        json!(n as i64)
    } else {
        json!(n)
    }
}

/// CloudFormation templates have no stack-level tags: they are given when
/// the stack is created (`aws cloudformation deploy --tags`), and
/// CloudFormation copies them onto every resource that takes tags. The
/// template carries them here for whoever deploys it.
fn metadata(stack: &Stack) -> Value {
    let mut strata = Map::new();
    strata.insert("Stack".into(), json!(stack.name));
    if !stack.tags.is_empty() {
        strata.insert("StackTags".into(), json!(stack.tags));
    }
    json!({ "Strata": strata })
}

fn resource_entry(
    resource: &Resource,
    cx: &Context<'_>,
    artifacts: Option<&Artifacts>,
    parameters: &mut Map<String, Value>,
) -> Result<Value, ExportError> {
    let mut entry = Map::new();
    entry.insert("Type".into(), json!(resource.type_name));
    if !resource.depends_on.is_empty() {
        entry.insert("DependsOn".into(), json!(resource.depends_on.iter().map(|(n, _)| n).collect::<Vec<_>>()));
    }
    if resource.lifecycle.prevent_destroy || STATEFUL_TYPES.contains(&resource.type_name.as_str()) {
        entry.insert("DeletionPolicy".into(), json!("Retain"));
        entry.insert("UpdateReplacePolicy".into(), json!("Retain"));
    }
    let mut properties = cx.value(&resource.properties.to_json())?;
    if let Some(code) = properties.get_mut("Code") {
        if let Some(crate_path) = code.get("Crate").and_then(Value::as_str).map(str::to_owned) {
            *code = crate_code(&resource.name, &crate_path, artifacts, parameters);
        }
    }
    if properties.as_object().is_some_and(|p| !p.is_empty()) {
        entry.insert("Properties".into(), properties);
    }
    Ok(Value::Object(entry))
}

/// `Code: {Crate: ...}`: the zip in S3, named by two parameters (the bucket,
/// shared, and one key per function), defaulting to the uploaded zip when
/// `strata package` knows it and without a default otherwise.
fn crate_code(
    function: &str,
    crate_path: &str,
    artifacts: Option<&Artifacts>,
    parameters: &mut Map<String, Value>,
) -> Value {
    let mut bucket = json!({
        "Type": "String",
        "Description": "S3 bucket holding the Lambda zips (`strata package --bucket` uploads them)",
    });
    if let Some(a) = artifacts {
        bucket["Default"] = json!(a.bucket);
    }
    parameters.entry(ARTIFACT_BUCKET_PARAMETER).or_insert(bucket);
    let key_parameter = format!("{function}CodeKey");
    let mut key = json!({
        "Type": "String",
        "Description": format!("S3 key of the zip built from {crate_path} (strata/<crate>/<SHA-256 of the zip>.zip)"),
    });
    if let Some(k) = artifacts.and_then(|a| a.keys.get(crate_path)) {
        key["Default"] = json!(k);
    }
    parameters.insert(key_parameter.clone(), key);
    json!({
        "S3Bucket": { "Ref": ARTIFACT_BUCKET_PARAMETER },
        "S3Key": { "Ref": key_parameter },
    })
}

/// Every output, exported as `<stack>-<environment>-<output>` so other
/// stacks can import it (`Fn::ImportValue`) and two environments of the same
/// stack in one account do not collide.
fn outputs(stack: &Stack, cx: &Context<'_>) -> Result<Value, ExportError> {
    let mut out = Map::new();
    for (name, output) in &stack.outputs {
        let mut entry = Map::new();
        if let Some(description) = &output.description {
            entry.insert("Description".into(), json!(description));
        }
        entry.insert("Value".into(), cx.value(&output.value.to_json())?);
        entry.insert(
            "Export".into(),
            json!({ "Name": { "Fn::Sub": format!("{}-${{{ENVIRONMENT_PARAMETER}}}-{name}", stack.name) } }),
        );
        out.insert(name.clone(), Value::Object(entry));
    }
    Ok(Value::Object(out))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn artifact_keys_name_the_zip_by_its_hash_in_hex() {
        // base64 of 32 zero bytes
        let key = artifact_key("lambdas/order-executor", "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=");
        assert_eq!(key, format!("strata/order-executor/{}.zip", "0".repeat(64)));
    }

    fn stack(text: &str) -> Stack {
        crate::spec::load_str(std::path::Path::new("t.yaml"), text.to_owned()).unwrap()
    }

    #[test]
    fn no_strata_key_reaches_the_template() {
        let s = stack(
            "Stack: demo\nEnvironments:\n  prod:\n    Region: eu-west-1\nTags:\n  team: a\nResources:\n  Logs:\n    Type: AWS::Logs::LogGroup\n    Lifecycle:\n      IgnoreChanges: [RetentionInDays]\n    Properties:\n      LogGroupName: /x/${env.Name}\n      RetentionInDays: 7\n  Fn:\n    Type: AWS::Lambda::Function\n    Properties:\n      Code:\n        Crate: lambdas/order-executor\n      Runtime: provided.al2023\n      Handler: bootstrap\n      Role: arn:aws:iam::123456789012:role/x\n",
        );
        let t = template(&s, "prod", &indexmap::IndexMap::new(), None).unwrap();
        let text = t.to_string();
        for leaked in ["Lifecycle", "IgnoreChanges", "Crate", "Environments", "${env.", "${stack."] {
            assert!(!text.contains(leaked), "{leaked} in {text}");
        }
        assert_eq!(t["Parameters"]["EnvironmentName"]["Default"], "prod");
        assert_eq!(t["Parameters"]["EnvironmentName"]["AllowedValues"], json!(["local", "prod"]));
        assert_eq!(t["Resources"]["Logs"]["DeletionPolicy"], "Retain");
        assert!(t["Resources"]["Fn"].get("DeletionPolicy").is_none());
        assert_eq!(t["Resources"]["Fn"]["Properties"]["Code"]["S3Key"], json!({"Ref": "FnCodeKey"}));
        assert!(t["Parameters"]["FnCodeKey"].get("Default").is_none());
        assert_eq!(t["Metadata"]["Strata"]["StackTags"], json!({"team": "a"}));
    }

    #[test]
    fn parameters_keep_their_constraints_and_secrets_get_no_default() {
        let text = "Stack: demo\nParameters:\n  Retention:\n    Type: Number\n    Default: 7\n    AllowedValues: [7, 30]\n  Token:\n    Type: String\n    NoEcho: true\n    Default: s3cret\nResources:\n  Logs:\n    Type: AWS::Logs::LogGroup\n    Properties:\n      LogGroupName: /x/${param.Token}\n      RetentionInDays: ${param.Retention}\n";
        let binding = crate::spec::Binding { environment: "local".into(), inputs: crate::spec::Inputs::default() };
        let bound = crate::spec::load_str_for(std::path::Path::new("t.yaml"), text.to_owned(), Some(&binding)).unwrap();
        let t = template(&stack(text), "local", &bound.values, None).unwrap();
        assert_eq!(t["Parameters"]["Retention"], json!({"Type": "Number", "Default": "7", "AllowedValues": ["7", "30"]}));
        assert_eq!(t["Parameters"]["Token"], json!({"Type": "String", "NoEcho": true}));
        assert_eq!(t["Resources"]["Logs"]["Properties"]["RetentionInDays"], json!({"Ref": "Retention"}));
        assert!(!t.to_string().contains("s3cret"));
    }
}
