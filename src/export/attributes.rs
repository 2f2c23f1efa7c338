//! How CloudFormation reads one of a resource's attributes: `Ref` or
//! `Fn::GetAtt`. strata's `${Name.Attribute}` names both the same way; a
//! template must use the one CloudFormation defines for that type and
//! attribute, and the answer comes from AWS's resource schemas, not from a
//! hand-written table of every type.

use crate::provider::aws_schema;

/// The intrinsic function that yields an attribute in a template.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Access {
    /// `{"Ref": Name}`: the attribute is what `Ref` returns for the type.
    Ref,
    /// `{"Fn::GetAtt": [Name, Attribute]}`.
    GetAtt,
}

/// Types whose primary identifier has several properties, so AWS's schema
/// alone does not say what `Ref` returns; these are CloudFormation's
/// documented `Ref` values ("Return values" of each type's reference page)
/// for the attributes strata exposes. A method has no id property at all:
/// strata's `Id` is the method's identity, CloudFormation's `Ref` value.
const REF_OF_COMPOSITE_IDENTIFIER: &[(&str, &str)] =
    &[("AWS::ApiGateway::Stage", "StageName"), ("AWS::ApiGateway::Method", "Id")];

/// Types that predate the registry schemas and expose every top-level
/// property through `Fn::GetAtt` (a subnet's `AvailabilityZone`, a VPC's
/// `CidrBlock`, a security group's `VpcId`), not only the read-only ones.
/// cfn-lint, the judge of the exported templates, keeps the same list
/// (`cfnlint/schema/_getatts.py`, `_all_property_types`).
const EVERY_PROPERTY_IS_AN_ATTRIBUTE: &[&str] = &["AWS::EC2::VPC", "AWS::EC2::Subnet", "AWS::EC2::SecurityGroup"];

/// How a template reads `attribute` of a `type_name` resource; `None` when
/// CloudFormation has no way to (no such attribute).
///
/// The rules, in order: the type's primary identifier, when it is one
/// property, is what `Ref` returns (a table's `TableName`, a function's
/// `FunctionName`, a key's `KeyId`); the documented `Ref` of a type with a
/// composite identifier; a read-only property (AWS sets it) is a `GetAtt`
/// attribute (a function's `Arn`, an API's `RootResourceId`).
pub fn access(type_name: &str, attribute: &str) -> Option<Access> {
    let aws = aws_schema::for_type(type_name)?;
    if aws.primary_identifier() == [attribute] || REF_OF_COMPOSITE_IDENTIFIER.contains(&(type_name, attribute)) {
        return Some(Access::Ref);
    }
    if aws.read_only().contains(&attribute) {
        return Some(Access::GetAtt);
    }
    if EVERY_PROPERTY_IS_AN_ATTRIBUTE.contains(&type_name) && aws.property_names().contains(&attribute) {
        return Some(Access::GetAtt);
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::provider::registry;

    #[test]
    fn ref_is_the_single_primary_identifier() {
        assert_eq!(access("AWS::Lambda::Function", "FunctionName"), Some(Access::Ref));
        assert_eq!(access("AWS::IAM::Role", "RoleName"), Some(Access::Ref));
        assert_eq!(access("AWS::KMS::Key", "KeyId"), Some(Access::Ref));
        assert_eq!(access("AWS::ApiGateway::RestApi", "RestApiId"), Some(Access::Ref));
        assert_eq!(access("AWS::DynamoDB::Table", "TableName"), Some(Access::Ref));
        assert_eq!(access("AWS::Scheduler::ScheduleGroup", "Name"), Some(Access::Ref));
        assert_eq!(access("AWS::EC2::VPC", "VpcId"), Some(Access::Ref));
    }

    #[test]
    fn read_only_properties_are_get_att() {
        assert_eq!(access("AWS::ApiGateway::RestApi", "RootResourceId"), Some(Access::GetAtt));
        assert_eq!(access("AWS::Lambda::Function", "Arn"), Some(Access::GetAtt));
        assert_eq!(access("AWS::IAM::Role", "Arn"), Some(Access::GetAtt));
        // A security group's Ref is its id too, but GroupId is the attribute strata names.
        assert_eq!(access("AWS::EC2::SecurityGroup", "GroupId"), Some(Access::GetAtt));
        assert_eq!(access("AWS::ApiGateway::Resource", "ResourceId"), Some(Access::GetAtt));
    }

    #[test]
    fn composite_identifiers_use_the_documented_ref() {
        assert_eq!(access("AWS::ApiGateway::Stage", "StageName"), Some(Access::Ref));
        assert_eq!(access("AWS::ApiGateway::Method", "Id"), Some(Access::Ref));
        assert_eq!(access("AWS::ApiGateway::Stage", "RestApiId"), None);
    }

    #[test]
    fn writable_properties_are_attributes_only_on_the_old_ec2_types() {
        assert_eq!(access("AWS::EC2::Subnet", "AvailabilityZone"), Some(Access::GetAtt));
        assert_eq!(access("AWS::EC2::SecurityGroup", "VpcId"), Some(Access::GetAtt));
        assert_eq!(access("AWS::Lambda::Function", "Timeout"), None);
    }

    /// Every attribute a spec may reference has a CloudFormation form, so an
    /// export never meets a reference it cannot write.
    #[test]
    fn every_strata_attribute_has_a_cloudformation_form() {
        let missing: Vec<String> = registry::ALL
            .iter()
            .flat_map(|s| s.attributes.iter().map(move |a| (s.type_name, *a)))
            .filter(|(t, a)| access(t, a).is_none())
            .map(|(t, a)| format!("{t}.{a}"))
            .collect();
        assert!(missing.is_empty(), "attributes with no Ref or GetAtt: {missing:?}");
    }
}
