//! `strata schema`: a JSON Schema of the whole stack-spec format for editors
//! (yaml-language-server in VS Code / Neovim gives completion and inline
//! errors from it). Built from the same data `validate` uses: the spec's own
//! top level, and each supported type's AWS resource schema, with every
//! scalar also accepting a `${...}` reference (whose value is known later)
//! and strata's own additions (`Code: {Crate: ...}`) allowed.

use serde_json::{json, Map, Value};

use crate::provider::aws_schema;
use crate::provider::registry;

/// A string holding a `${...}` reference.
fn reference() -> Value {
    json!({"type": "string", "pattern": "\\$\\{[^}]+\\}"})
}

/// The JSON Schema (draft 2020-12) of a strata stack spec.
pub fn editor_schema() -> Value {
    let mut defs = Map::new();
    let mut per_type = Vec::new();
    for schema in registry::ALL {
        let Some(aws) = aws_schema::for_type(schema.type_name) else { continue };
        let id = schema.type_name.replace("::", "-");
        let mut properties: Value = aws.raw["properties"]
            .as_object()
            .into_iter()
            .flatten()
            .map(|(name, p)| (name.clone(), rewrite(p, &id)))
            .collect::<Map<_, _>>()
            .into();
        if schema.type_name == "AWS::Lambda::Function" {
            // `Code: {Crate: path}`: strata builds and uploads the crate.
            let code = properties["Code"].take();
            properties["Code"] = json!({"anyOf": [
                {"type": "object", "properties": {"Crate": {"type": "string", "description": "a Rust Lambda crate in this Cargo workspace; strata builds, zips and uploads it"}}, "required": ["Crate"], "additionalProperties": false},
                code
            ]});
        }
        for (name, def) in aws.raw["definitions"].as_object().into_iter().flatten() {
            defs.insert(format!("{id}.{name}"), rewrite(def, &id));
        }
        let mut body = json!({"type": "object", "properties": properties, "additionalProperties": false});
        if let Some(required) = aws.raw.get("required") {
            body["required"] = required.clone();
        }
        // cfn-lint's extra rules and strata's service rules that a schema can say.
        let mut extra: Vec<Value> = aws
            .extensions
            .iter()
            .filter(|r| !r.rule.starts_with('W'))
            .filter_map(|r| {
                let schema = aws_schema::extension_source(aws.type_name, &r.rule, &r.path)?;
                Some(nest(&r.path, rewrite(&schema, &id)))
            })
            .collect();
        extra.extend(service_rules(schema.type_name));
        if !extra.is_empty() {
            body["allOf"] = Value::Array(extra);
        }
        per_type.push(json!({
            "if": {"properties": {"Type": {"const": schema.type_name}}, "required": ["Type"]},
            "then": {"properties": {"Properties": body}}
        }));
    }
    let types: Vec<&str> = registry::ALL.iter().map(|s| s.type_name).collect();
    json!({
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "title": "strata stack spec",
        "description": "A strata stack: CloudFormation resource types and property names, ${Name.Attribute} references.",
        "type": "object",
        "required": ["Stack", "Resources"],
        "additionalProperties": false,
        "properties": {
            "Stack": {"type": "string", "description": "the stack's name"},
            "Description": {"type": "string"},
            "Parameters": {"type": "object", "additionalProperties": {"$ref": "#/$defs/Parameter"}},
            "Environments": {"type": "object", "additionalProperties": {"$ref": "#/$defs/Environment"}},
            "Tags": {"type": "object", "additionalProperties": {"type": "string"}},
            "Resources": {"type": "object", "additionalProperties": {"$ref": "#/$defs/Resource"}},
            "Outputs": {"type": "object", "additionalProperties": {
                "type": "object", "required": ["Value"], "additionalProperties": false,
                "properties": {"Value": {"type": "string"}, "Description": {"type": "string"}}
            }}
        },
        "$defs": {
            "Parameter": {
                "type": "object", "required": ["Type"], "additionalProperties": false,
                "properties": {
                    "Type": {"enum": crate::spec::parameters::ParamType::ALL.map(|(n, _)| n)},
                    "Default": {"type": ["string", "number", "array"]},
                    "Description": {"type": "string"},
                    "AllowedValues": {"type": "array"},
                    "AllowedPattern": {"type": "string"},
                    "MinLength": {"type": "integer"}, "MaxLength": {"type": "integer"},
                    "MinValue": {"type": "number"}, "MaxValue": {"type": "number"},
                    "ConstraintDescription": {"type": "string"},
                    "NoEcho": {"type": "boolean", "description": "a secret: never printed or saved in plain text"}
                }
            },
            "Environment": {
                "type": ["object", "null"], "additionalProperties": false,
                "properties": {
                    "Region": {"type": "string"}, "Profile": {"type": "string"},
                    "AccountId": {"type": "string", "pattern": "^[0-9]{12}$"},
                    "State": {"type": "object", "additionalProperties": false, "properties": {
                        "Backend": {"enum": ["local", "s3"]}, "Path": {"type": "string"}, "Bucket": {"type": "string"},
                        "Key": {"type": "string"}, "Region": {"type": "string"}
                    }},
                    "Parameters": {"type": "object", "description": "this environment's parameter values"}
                }
            },
            "Resource": {
                "type": "object", "required": ["Type"], "additionalProperties": false,
                "properties": {
                    "Type": {"enum": types},
                    "Properties": {"type": "object"},
                    "DependsOn": {"anyOf": [{"type": "string"}, {"type": "array", "items": {"type": "string"}}]},
                    "Lifecycle": {"type": "object", "additionalProperties": false, "properties": {
                        "PreventDestroy": {"type": "boolean"},
                        "IgnoreChanges": {"type": "array", "items": {"type": "string"}}
                    }}
                },
                "allOf": per_type
            },
            "aws": Value::Object(defs)
        }
    })
}

/// An AWS (sub)schema for the editor: local `$ref`s point into `$defs/aws`
/// under the type's prefix, and every scalar also takes a `${...}` reference.
fn rewrite(schema: &Value, id: &str) -> Value {
    match schema {
        Value::Object(map) => {
            let mut out = Map::new();
            for (key, value) in map {
                let value = match key.as_str() {
                    "$ref" => match value.as_str().and_then(|r| r.strip_prefix("#/definitions/")) {
                        Some(name) => Value::String(format!("#/$defs/aws/{}", pointer_escape(&format!("{id}.{name}")))),
                        None => value.clone(),
                    },
                    // AWS's own keywords the editor does not know.
                    "requiredXor" | "requiredOr" | "dependentExcluded" | "insertionOrder" | "relationshipRef"
                    | "tagging" | "format" => continue,
                    "properties" | "patternProperties" | "definitions" => Value::Object(
                        value.as_object().into_iter().flatten().map(|(k, v)| (k.clone(), rewrite(v, id))).collect(),
                    ),
                    _ => rewrite(value, id),
                };
                out.insert(key.clone(), value);
            }
            let scalar =
                matches!(out.get("type").and_then(Value::as_str), Some("string" | "integer" | "number" | "boolean"));
            if scalar || out.contains_key("enum") {
                return json!({"anyOf": [Value::Object(out), reference()]});
            }
            Value::Object(out)
        }
        Value::Array(items) => Value::Array(items.iter().map(|i| rewrite(i, id)).collect()),
        other => other.clone(),
    }
}

/// `schema` applied at `path` under Properties (`*` = every list item).
fn nest(path: &str, schema: Value) -> Value {
    let segments: Vec<&str> = path.split('/').filter(|s| !s.is_empty()).collect();
    segments.iter().rev().fold(schema, |inner, segment| match *segment {
        "*" => json!({"items": inner}),
        key => json!({"properties": {key: inner}}),
    })
}

/// The service rules of `spec::aws_service_rules` that a JSON Schema can
/// express (a literal value only: `${...}` is checked once resolved).
fn service_rules(type_name: &str) -> Vec<Value> {
    let literal = |schema: Value| json!({"anyOf": [schema, reference()]});
    match type_name {
        "AWS::Lambda::Function" => vec![json!({
            "if": {"not": {"required": ["CapacityProviderConfig"]}},
            "then": {"properties": {"MemorySize": literal(json!({"type": "integer", "maximum": 10240}))}}
        })],
        "AWS::EC2::SecurityGroup" => {
            let rule = json!({"items": {"properties": {"IpProtocol": literal(json!({
                "anyOf": [
                    {"type": "string", "pattern": "^(tcp|udp|icmp|icmpv6|TCP|UDP|ICMP|ICMPv6|-1)$"},
                    {"type": "string", "pattern": "^([0-9]|[1-9][0-9]|1[0-9][0-9]|2[0-4][0-9]|25[0-5])$"},
                    {"type": "integer", "minimum": -1, "maximum": 255}
                ]
            }))}}});
            vec![json!({"properties": {"SecurityGroupIngress": rule.clone(), "SecurityGroupEgress": rule}})]
        }
        "AWS::DynamoDB::Table" => vec![json!({"properties": {"TableName": {"anyOf": [
            {"type": "string", "pattern": "^[a-zA-Z0-9_.-]{3,255}$"},
            {"type": "string", "pattern": "^([a-zA-Z0-9_.-]|\\$\\{[^}]+\\})+$"}
        ]}}})],
        _ => Vec::new(),
    }
}

fn pointer_escape(s: &str) -> String {
    s.replace('~', "~0").replace('/', "~1")
}
