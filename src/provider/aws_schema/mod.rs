//! AWS's own CloudFormation resource provider schemas, embedded at build time
//! from `schemas/aws/` (written by `scripts/update-schemas` from a pinned
//! cfn-lint wheel). They are the judge of what a property may hold: strata's
//! hand-written registry says what strata can deploy, these say what AWS
//! accepts. Parsed and compiled lazily, one type at a time, so a spec pays only
//! for the types it uses.

pub mod iam;
pub mod keywords;
pub mod runtimes;

use std::collections::BTreeSet;
use std::sync::{LazyLock, OnceLock};

use serde_json::Value;

mod embedded {
    include!(concat!(env!("OUT_DIR"), "/aws_schemas.rs"));
}

/// Where the embedded data came from (`schemas/aws/SOURCE.json`).
pub const SOURCE_JSON: &str = include_str!("../../../schemas/aws/SOURCE.json");

/// Every type name in AWS's CloudFormation registry for the region the data
/// was taken from, so an unknown type can be told apart from a misspelt one.
static REGISTRY_TYPES: LazyLock<BTreeSet<&'static str>> =
    LazyLock::new(|| include_str!("../../../schemas/aws/types.txt").lines().collect());

/// Whether `type_name` is a CloudFormation type that AWS knows (whether or not
/// strata can deploy it).
pub fn is_registry_type(type_name: &str) -> bool {
    REGISTRY_TYPES.contains(type_name)
}

/// All CloudFormation type names of AWS's registry.
pub fn registry_types() -> impl Iterator<Item = &'static str> {
    REGISTRY_TYPES.iter().copied()
}

/// One extra rule cfn-lint ships beside the resource schema (for example "a
/// PROVISIONED table needs ProvisionedThroughput"): a JSON Schema applied at
/// `path` under `Properties` (`*` matches every list item).
pub struct ExtensionRule {
    /// cfn-lint's rule id, e.g. `E3639`; `W` rules are warnings and not enforced.
    pub rule: String,
    pub path: String,
    pub description: Option<String>,
    /// The properties the rule's `if` looks at (`BillingMode` for "a
    /// PROVISIONED table needs ProvisionedThroughput"): a finding is
    /// reported at the one the spec sets, the line the user wrote.
    pub trigger: Vec<String>,
    pub validator: jsonschema::Validator,
}

/// The AWS schema of one type, with what strata reads from it.
pub struct AwsSchema {
    pub type_name: &'static str,
    pub raw: Value,
    pub validator: jsonschema::Validator,
    pub extensions: Vec<ExtensionRule>,
}

struct Entry {
    type_name: &'static str,
    resource: &'static str,
    extensions: &'static str,
    compiled: OnceLock<AwsSchema>,
}

static ENTRIES: LazyLock<Vec<Entry>> = LazyLock::new(|| {
    embedded::EMBEDDED
        .iter()
        .map(|&(type_name, resource, extensions)| Entry { type_name, resource, extensions, compiled: OnceLock::new() })
        .collect()
});

/// The JSON Schema of one embedded cfn-lint extension rule (by rule id and
/// path), for documents built from the same data (the editor schema).
pub fn extension_source(type_name: &str, rule: &str, path: &str) -> Option<Value> {
    let entry = ENTRIES.iter().find(|e| e.type_name == type_name)?;
    let rules: Vec<Value> = serde_json::from_str(entry.extensions).ok()?;
    let mut found = rules.into_iter().find(|r| r["rule"] == rule && r["path"] == path)?;
    normalize_patterns(&mut found);
    Some(found["schema"].take())
}

/// The types whose AWS schema is embedded (`schemas/aws/supported.txt`).
pub fn embedded_types() -> impl Iterator<Item = &'static str> {
    embedded::EMBEDDED.iter().map(|e| e.0)
}

/// The AWS schema of a type strata supports, compiled on first use.
///
/// Panics only if the embedded data is broken, which the tests rule out for
/// every embedded type.
pub fn for_type(type_name: &str) -> Option<&'static AwsSchema> {
    let entry = ENTRIES.iter().find(|e| e.type_name == type_name)?;
    Some(entry.compiled.get_or_init(|| compile(entry).unwrap_or_else(|e| panic!("{e}"))))
}

fn compile(entry: &Entry) -> Result<AwsSchema, String> {
    let mut raw: Value = serde_json::from_str(entry.resource)
        .map_err(|e| format!("embedded schema of {} is not JSON: {e}", entry.type_name))?;
    normalize_patterns(&mut raw);
    let validator = keywords::options()
        .build(&raw)
        .map_err(|e| format!("embedded schema of {} does not compile: {e}", entry.type_name))?;
    let mut rules: Vec<Value> = serde_json::from_str(entry.extensions)
        .map_err(|e| format!("embedded extensions of {} are not JSON: {e}", entry.type_name))?;
    let mut extensions = Vec::new();
    for rule in &mut rules {
        normalize_patterns(rule);
        let schema = &rule["schema"];
        extensions.push(ExtensionRule {
            rule: rule["rule"].as_str().unwrap_or_default().to_string(),
            path: rule["path"].as_str().unwrap_or_default().to_string(),
            description: schema["description"].as_str().map(str::to_string),
            trigger: schema["if"]["properties"].as_object().map(|p| p.keys().cloned().collect()).unwrap_or_default(),
            validator: keywords::options()
                .build(schema)
                .map_err(|e| format!("extension {} of {} does not compile: {e}", rule["file"], entry.type_name))?,
        });
    }
    Ok(AwsSchema { type_name: entry.type_name, raw, validator, extensions })
}

impl AwsSchema {
    /// Top-level property names, in the schema's order.
    pub fn property_names(&self) -> Vec<&str> {
        self.raw["properties"].as_object().map(|p| p.keys().map(String::as_str).collect()).unwrap_or_default()
    }

    /// The property's schema with `$ref`s to `#/definitions/...` followed.
    pub fn property(&self, name: &str) -> Option<&Value> {
        self.raw["properties"].get(name).map(|p| self.deref(p))
    }

    /// Follows a local `$ref` (AWS schemas use only `#/definitions/...`).
    pub fn deref<'a>(&'a self, schema: &'a Value) -> &'a Value {
        match schema.get("$ref").and_then(Value::as_str).and_then(|r| r.strip_prefix('#')) {
            Some(pointer) => self.raw.pointer(pointer).map(|s| self.deref(s)).unwrap_or(schema),
            None => schema,
        }
    }

    /// Whether the list at `path` (`SecurityGroupIds`, `VpcConfig.SubnetIds`,
    /// `Rules[0].Items`: strata's property paths) is unordered for AWS
    /// (`insertionOrder: false`).
    pub fn is_unordered(&self, path: &str) -> bool {
        let mut current = &self.raw;
        for segment in path.split('.').flat_map(|s| s.split('[')).filter(|s| !s.is_empty()) {
            let schema = self.deref(current);
            current = if segment.ends_with(']') {
                match schema.get("items") {
                    Some(items) => items,
                    None => return false,
                }
            } else {
                match schema.get("properties").and_then(|p| p.get(segment)) {
                    Some(next) => next,
                    None => return false,
                }
            };
        }
        let schema = self.deref(current);
        schema["type"] == "array" && schema["insertionOrder"] == Value::Bool(false)
    }

    /// Required top-level properties.
    pub fn required(&self) -> Vec<&str> {
        string_list(&self.raw["required"])
    }

    /// Top-level property names under one of the schema's pointer lists
    /// (`createOnlyProperties`, `readOnlyProperties`, `writeOnlyProperties`).
    fn top_level(&self, list: &str) -> Vec<&str> {
        string_list(&self.raw[list])
            .into_iter()
            .filter_map(|p| p.strip_prefix("/properties/"))
            .filter(|p| !p.contains('/'))
            .collect()
    }

    /// Properties whose change replaces the resource (AWS's `createOnlyProperties`).
    pub fn create_only(&self) -> Vec<&str> {
        self.top_level("createOnlyProperties")
    }

    /// Properties AWS sets (never written in a spec, never diffed).
    pub fn read_only(&self) -> Vec<&str> {
        self.top_level("readOnlyProperties")
    }

    /// Properties AWS never returns (secrets): never read back or stored in plain text.
    pub fn write_only(&self) -> Vec<&str> {
        self.top_level("writeOnlyProperties")
    }

    /// The properties that identify a resource (CloudFormation's `Ref` value when one).
    pub fn primary_identifier(&self) -> Vec<&str> {
        string_list(&self.raw["primaryIdentifier"]).into_iter().filter_map(|p| p.strip_prefix("/properties/")).collect()
    }
}

/// AWS's schemas say their patterns are ECMA-262, but some use Python's `\Z`
/// (end of input), which ECMA and Rust's regex engines lack; `$` means the
/// same there (no multi-line flag).
fn normalize_patterns(schema: &mut Value) {
    match schema {
        Value::Object(map) => {
            for (key, value) in map.iter_mut() {
                if let (true, Value::String(p)) = (key == "pattern", &mut *value) {
                    *p = p.replace("\\Z", "$");
                } else {
                    normalize_patterns(value);
                }
            }
        }
        Value::Array(items) => items.iter_mut().for_each(normalize_patterns),
        _ => {}
    }
}

fn string_list(value: &Value) -> Vec<&str> {
    value.as_array().map(|a| a.iter().filter_map(Value::as_str).collect()).unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_embedded_schema_and_extension_compiles() {
        for type_name in embedded_types() {
            let entry = ENTRIES.iter().find(|e| e.type_name == type_name).unwrap();
            if let Err(e) = compile(entry) {
                panic!("{e}");
            }
        }
    }

    #[test]
    fn registry_index_knows_types_strata_cannot_deploy() {
        assert!(is_registry_type("AWS::SQS::Queue"));
        assert!(is_registry_type("AWS::DynamoDB::Table"));
        assert!(!is_registry_type("AWS::DynamoDB::Tabel"));
        assert!(registry_types().count() > 1500);
    }

    #[test]
    fn reads_create_only_and_identifiers_from_the_aws_schema() {
        let table = for_type("AWS::DynamoDB::Table").unwrap();
        assert_eq!(table.create_only(), vec!["TableName", "ImportSourceSpecification"]);
        assert_eq!(table.primary_identifier(), vec!["TableName"]);
        assert!(table.read_only().contains(&"Arn"));
        assert_eq!(table.required(), vec!["KeySchema"]);
    }

    #[test]
    fn knows_which_lists_are_unordered() {
        let endpoint = for_type("AWS::EC2::VPCEndpoint").unwrap();
        assert!(endpoint.is_unordered("SubnetIds"));
        let alarm = for_type("AWS::CloudWatch::Alarm").unwrap();
        assert!(alarm.is_unordered("Metrics[0].MetricStat.Metric.Dimensions"));
        assert!(!alarm.is_unordered("Metrics"));
        assert!(!alarm.is_unordered("Nope.Deeper"));
    }
}

/// strata's hand-written registry against AWS's schemas: where they
/// disagree, AWS wins, and each rule here is one way they could disagree.
#[cfg(test)]
mod conformance {
    use std::collections::BTreeSet;

    use super::*;
    use crate::provider::registry;

    /// Properties strata accepts that AWS's schema does not have, because
    /// strata handles them itself (not sent to AWS as such).
    const STRATA_ONLY: &[(&str, &str)] = &[("AWS::Lambda::Function", "Code.Crate")];

    /// Walks strata's nested object shapes beside AWS's, collecting every key
    /// strata accepts that AWS's schema does not have at that place.
    fn compare_keys(
        aws: &AwsSchema,
        aws_props: &serde_json::Map<String, Value>,
        strata: &[crate::provider::schema::PropertySchema],
        type_name: &str,
        path: &str,
        wrong: &mut Vec<String>,
    ) {
        use crate::provider::schema::ValueType;
        for p in strata {
            let here = if path.is_empty() { p.name.to_string() } else { format!("{path}.{}", p.name) };
            let Some(aws_prop) = aws_props.get(p.name) else {
                if !STRATA_ONLY.contains(&(type_name, here.as_str())) {
                    wrong.push(format!("{type_name}.{here}"));
                }
                continue;
            };
            let mut aws_prop = aws.deref(aws_prop);
            let mut ty = &p.ty;
            while let ValueType::List(inner) = ty {
                ty = inner;
                aws_prop = aws.deref(aws_prop.get("items").unwrap_or(aws_prop));
            }
            if let (ValueType::Object(inner), Some(nested)) =
                (ty, aws_prop.get("properties").and_then(Value::as_object))
            {
                compare_keys(aws, nested, inner, type_name, &here, wrong);
            }
        }
    }

    #[test]
    fn supported_types_are_exactly_the_embedded_schemas() {
        let strata: BTreeSet<&str> = registry::ALL.iter().map(|s| s.type_name).collect();
        let embedded: BTreeSet<&str> = embedded_types().collect();
        assert_eq!(
            strata, embedded,
            "schemas/aws/supported.txt must list the registry's types (then run scripts/update-schemas)"
        );
    }

    #[test]
    fn every_strata_property_is_an_aws_property() {
        let mut wrong = Vec::new();
        for schema in registry::ALL {
            let aws = for_type(schema.type_name).unwrap();
            let top = aws.raw["properties"].as_object().unwrap();
            compare_keys(aws, top, schema.properties, schema.type_name, "", &mut wrong);
        }
        assert!(wrong.is_empty(), "properties AWS's schemas do not have: {wrong:?}");
    }

    #[test]
    fn aws_required_properties_are_required_by_strata() {
        let mut missing = Vec::new();
        for schema in registry::ALL {
            for name in for_type(schema.type_name).unwrap().required() {
                match schema.property(name) {
                    Some(p) if p.required => {}
                    _ => missing.push(format!("{}.{name}", schema.type_name)),
                }
            }
        }
        assert!(missing.is_empty(), "AWS requires these, strata does not: {missing:?}");
    }

    #[test]
    fn aws_create_only_properties_force_replacement_in_strata() {
        let mut missing = Vec::new();
        for schema in registry::ALL {
            for name in for_type(schema.type_name).unwrap().create_only() {
                if let Some(p) = schema.property(name) {
                    if !p.create_only {
                        missing.push(format!("{}.{name}", schema.type_name));
                    }
                }
            }
        }
        assert!(missing.is_empty(), "AWS's createOnlyProperties that strata's flags miss: {missing:?}");
    }

    #[test]
    fn strata_accepts_no_property_aws_sets_itself() {
        let mut wrong = Vec::new();
        for schema in registry::ALL {
            let read_only = for_type(schema.type_name).unwrap().read_only();
            wrong.extend(
                schema
                    .properties
                    .iter()
                    .filter(|p| read_only.contains(&p.name))
                    .map(|p| format!("{}.{}", schema.type_name, p.name)),
            );
        }
        assert!(wrong.is_empty(), "AWS's readOnlyProperties that a spec may set: {wrong:?}");
    }

    /// Attributes strata defines itself: a method has no id in AWS (it is
    /// named by its API, resource and HTTP method), so strata's `Id` is that
    /// triple, CloudFormation's Ref value of a method.
    const STRATA_ONLY_ATTRIBUTES: &[(&str, &str)] = &[("AWS::ApiGateway::Method", "Id")];

    #[test]
    fn strata_attributes_exist_in_aws_schema_or_are_its_identifier() {
        let mut wrong = Vec::new();
        for schema in registry::ALL {
            let aws = for_type(schema.type_name).unwrap();
            let names = aws.property_names();
            for attribute in schema.attributes {
                if !names.contains(attribute) && !STRATA_ONLY_ATTRIBUTES.contains(&(schema.type_name, *attribute)) {
                    wrong.push(format!("{}.{attribute}", schema.type_name));
                }
            }
        }
        assert!(wrong.is_empty(), "attributes that are no AWS property: {wrong:?}");
    }
}
