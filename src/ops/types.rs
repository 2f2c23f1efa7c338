//! `strata types [TYPE]`: what strata can deploy, and for one type every
//! property with AWS's rules for it, from the same data `validate` uses
//! (AWS's resource schema and strata's registry), so the documentation
//! cannot drift from the checks.

use serde::Serialize;
use serde_json::Value;

use super::OpsError;
use crate::provider::aws_schema::{self, AwsSchema};
use crate::provider::registry;
use crate::provider::schema::ResourceSchema;

/// One supported type in the listing.
#[derive(Debug, Serialize)]
pub struct TypeSummary {
    pub type_name: &'static str,
    pub attributes: Vec<&'static str>,
}

/// Everything `strata types <TYPE>` shows.
#[derive(Debug, Serialize)]
pub struct TypeDoc {
    pub type_name: String,
    pub description: Option<String>,
    pub properties: Vec<PropertyDoc>,
    /// `${Name.Attribute}` attributes.
    pub attributes: Vec<&'static str>,
    /// What `${Name.<id>}` and CloudFormation's `Ref` give.
    pub identifier: &'static str,
}

#[derive(Debug, Serialize)]
pub struct PropertyDoc {
    pub name: String,
    /// `string`, `integer`, `list of string`, `mapping`, ...
    pub kind: String,
    pub required: bool,
    pub forces_replacement: bool,
    /// Whether strata can deploy it (AWS has properties strata does not manage yet).
    pub supported: bool,
    /// AWS's value rules: allowed values, pattern, range, length, items.
    pub rules: Vec<String>,
}

pub fn list() -> Vec<TypeSummary> {
    registry::ALL.iter().map(|s| TypeSummary { type_name: s.type_name, attributes: s.attributes.to_vec() }).collect()
}

pub fn describe(type_name: &str) -> Result<TypeDoc, OpsError> {
    let (Some(schema), Some(aws)) = (registry::lookup(type_name), aws_schema::for_type(type_name)) else {
        return Err(OpsError::UnknownType {
            type_name: type_name.to_string(),
            in_registry: aws_schema::is_registry_type(type_name),
        });
    };
    let read_only = aws.read_only();
    let properties = aws
        .property_names()
        .into_iter()
        .filter(|name| !read_only.contains(name))
        .map(|name| property_doc(schema, aws, name))
        .collect();
    Ok(TypeDoc {
        type_name: type_name.to_string(),
        description: aws.raw["description"].as_str().map(first_sentence),
        properties,
        attributes: schema.attributes.to_vec(),
        identifier: schema.id_attribute,
    })
}

fn property_doc(schema: &ResourceSchema, aws: &AwsSchema, name: &str) -> PropertyDoc {
    let prop = aws.property(name).unwrap_or(&Value::Null);
    PropertyDoc {
        name: name.to_string(),
        kind: kind(aws, prop),
        required: aws.required().contains(&name) || schema.property(name).is_some_and(|p| p.required),
        forces_replacement: schema.forces_replacement(name),
        supported: schema.property(name).is_some(),
        rules: rules(aws, prop),
    }
}

fn kind(aws: &AwsSchema, prop: &Value) -> String {
    let prop = aws.deref(prop);
    match prop["type"].as_str() {
        Some("array") => format!("list of {}", kind(aws, &prop["items"])),
        Some("object") => "mapping".into(),
        Some(t) => t.to_string(),
        None if prop.get("properties").is_some() => "mapping".into(),
        None if prop.get("oneOf").or(prop.get("anyOf")).is_some() => {
            let branches =
                prop.get("oneOf").or(prop.get("anyOf")).and_then(Value::as_array).cloned().unwrap_or_default();
            let mut kinds: Vec<String> = branches.iter().map(|b| kind(aws, b)).collect();
            kinds.dedup();
            kinds.join(" or ")
        }
        None => prop["type"]
            .as_array()
            .map(|t| {
                let name = |t: &str| if t == "object" { "mapping".to_string() } else { t.to_string() };
                t.iter().filter_map(Value::as_str).map(name).collect::<Vec<_>>().join(" or ")
            })
            .unwrap_or_else(|| "any".into()),
    }
}

fn rules(aws: &AwsSchema, prop: &Value) -> Vec<String> {
    let prop = aws.deref(prop);
    let mut out = Vec::new();
    let join = |v: &Value| {
        v.as_array()
            .map(|a| a.iter().map(|x| x.to_string().trim_matches('"').to_string()).collect::<Vec<_>>().join(", "))
    };
    if let Some(values) = join(&prop["enum"]) {
        out.push(format!("one of: {values}"));
    }
    if let Some(p) = prop["pattern"].as_str() {
        out.push(format!("pattern: {p}"));
    }
    let range = |lo: &str, hi: &str, what: &str| match (&prop[lo], &prop[hi]) {
        (Value::Null, Value::Null) => None,
        (l, Value::Null) => Some(format!("{what} >= {l}")),
        (Value::Null, h) => Some(format!("{what} <= {h}")),
        (l, h) => Some(format!("{what} {l} - {h}")),
    };
    out.extend(range("minimum", "maximum", "value"));
    out.extend(range("minLength", "maxLength", "length"));
    out.extend(range("minItems", "maxItems", "items"));
    if prop["type"] == "array" {
        if let Some(values) = join(&aws.deref(&prop["items"])["enum"]) {
            out.push(format!("items one of: {values}"));
        }
    }
    out
}

fn first_sentence(text: &str) -> String {
    let text = text.replace("``", "`");
    match text.find(". ") {
        Some(end) => text[..=end].to_string(),
        None => text,
    }
}
