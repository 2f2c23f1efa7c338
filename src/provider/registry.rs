//! Every resource type strata knows, by CloudFormation type name.

use super::schema::ResourceSchema;
use super::types;
use super::ResourceProvider;

/// All resource types, grouped by service. Type names are unique (a test
/// checks it).
pub static ALL: &[&ResourceSchema] = &[
    // EC2 networking
    &types::ec2_vpc::SCHEMA,
    &types::ec2_subnet::SCHEMA,
    &types::ec2_route_table::SCHEMA,
    &types::ec2_subnet_route_table_association::SCHEMA,
    &types::ec2_security_group::SCHEMA,
    &types::ec2_vpc_endpoint::SCHEMA,
    // KMS
    &types::kms_key::SCHEMA,
    &types::kms_alias::SCHEMA,
    // Cognito
    &types::cognito_user_pool::SCHEMA,
    &types::cognito_user_pool_client::SCHEMA,
    // DynamoDB
    &types::dynamodb_table::SCHEMA,
    // IAM
    &types::iam_role::SCHEMA,
    // CloudWatch Logs
    &types::logs_log_group::SCHEMA,
    // Lambda
    &types::lambda_function::SCHEMA,
    &types::lambda_permission::SCHEMA,
    // EventBridge Scheduler
    &types::scheduler_schedule_group::SCHEMA,
    &types::scheduler_schedule::SCHEMA,
    // API Gateway (REST)
    &types::apigateway_rest_api::SCHEMA,
    &types::apigateway_authorizer::SCHEMA,
    &types::apigateway_resource::SCHEMA,
    &types::apigateway_method::SCHEMA,
    &types::apigateway_deployment::SCHEMA,
    &types::apigateway_stage::SCHEMA,
    // CloudWatch
    &types::cloudwatch_alarm::SCHEMA,
];

/// The schema of a CloudFormation type name (`AWS::EC2::VPC`), case-sensitive.
pub fn lookup(type_name: &str) -> Option<&'static ResourceSchema> {
    ALL.iter().copied().find(|schema| schema.type_name == type_name)
}

/// The provider (create / read / update / delete) of a type.
pub fn provider(type_name: &str) -> Option<&'static dyn ResourceProvider> {
    match type_name {
        "AWS::EC2::VPC" => Some(&types::ec2_vpc::Provider),
        "AWS::EC2::Subnet" => Some(&types::ec2_subnet::Provider),
        "AWS::EC2::RouteTable" => Some(&types::ec2_route_table::Provider),
        "AWS::EC2::SubnetRouteTableAssociation" => Some(&types::ec2_subnet_route_table_association::Provider),
        "AWS::EC2::SecurityGroup" => Some(&types::ec2_security_group::Provider),
        "AWS::EC2::VPCEndpoint" => Some(&types::ec2_vpc_endpoint::Provider),
        "AWS::KMS::Key" => Some(&types::kms_key::Provider),
        "AWS::KMS::Alias" => Some(&types::kms_alias::Provider),
        "AWS::Cognito::UserPool" => Some(&types::cognito_user_pool::Provider),
        "AWS::Cognito::UserPoolClient" => Some(&types::cognito_user_pool_client::Provider),
        "AWS::DynamoDB::Table" => Some(&types::dynamodb_table::Provider),
        "AWS::IAM::Role" => Some(&types::iam_role::Provider),
        "AWS::Logs::LogGroup" => Some(&types::logs_log_group::Provider),
        "AWS::Lambda::Function" => Some(&types::lambda_function::Provider),
        "AWS::Lambda::Permission" => Some(&types::lambda_permission::Provider),
        "AWS::Scheduler::ScheduleGroup" => Some(&types::scheduler_schedule_group::Provider),
        "AWS::Scheduler::Schedule" => Some(&types::scheduler_schedule::Provider),
        "AWS::ApiGateway::RestApi" => Some(&types::apigateway_rest_api::Provider),
        "AWS::ApiGateway::Authorizer" => Some(&types::apigateway_authorizer::Provider),
        "AWS::ApiGateway::Resource" => Some(&types::apigateway_resource::Provider),
        "AWS::ApiGateway::Method" => Some(&types::apigateway_method::Provider),
        "AWS::ApiGateway::Deployment" => Some(&types::apigateway_deployment::Provider),
        "AWS::ApiGateway::Stage" => Some(&types::apigateway_stage::Provider),
        "AWS::CloudWatch::Alarm" => Some(&types::cloudwatch_alarm::Provider),
        _ => None,
    }
}

/// Every known type name, in registry order (for "did you mean" hints and
/// listings).
pub fn type_names() -> impl Iterator<Item = &'static str> {
    ALL.iter().map(|schema| schema.type_name)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::provider::schema::{PropertySchema, ValueType};
    use std::collections::HashSet;

    #[test]
    fn type_names_are_unique_and_each_is_found() {
        let mut seen = HashSet::new();
        for name in type_names() {
            assert!(seen.insert(name), "{name} is registered twice");
            assert_eq!(lookup(name).map(|schema| schema.type_name), Some(name));
        }
        assert_eq!(seen.len(), ALL.len());
        assert!(lookup("AWS::EC2::Vpc").is_none(), "lookup is case-sensitive");
        assert!(lookup("AWS::S3::Bucket").is_none());
    }

    #[test]
    fn type_names_look_like_cloudformation_names() {
        for name in type_names() {
            let parts: Vec<&str> = name.split("::").collect();
            assert_eq!(parts.len(), 3, "{name}");
            assert_eq!(parts[0], "AWS", "{name}");
            assert!(parts.iter().all(|part| !part.is_empty()), "{name}");
        }
    }

    #[test]
    fn id_attribute_is_one_of_the_attributes() {
        for schema in ALL {
            assert!(
                schema.has_attribute(schema.id_attribute),
                "{}: id attribute {} is not listed",
                schema.type_name,
                schema.id_attribute
            );
            let unique: HashSet<&str> = schema.attributes.iter().copied().collect();
            assert_eq!(unique.len(), schema.attributes.len(), "{}", schema.type_name);
        }
    }

    #[test]
    fn taggable_types_that_have_a_tags_property_use_the_usual_list() {
        for schema in ALL {
            if let Some(tags) = schema.property("Tags") {
                assert!(schema.taggable, "{} has Tags but is not taggable", schema.type_name);
                assert_eq!(tags.ty, crate::provider::schema::TAG_LIST, "{}", schema.type_name);
            }
        }
    }

    #[test]
    fn property_names_are_unique_at_every_level() {
        fn check_properties(properties: &[PropertySchema], context: &str) {
            let mut seen = HashSet::new();
            for property in properties {
                assert!(seen.insert(property.name), "{context}: {} listed twice", property.name);
                assert!(
                    property.name.starts_with(|c: char| c.is_ascii_uppercase()),
                    "{context}: {} is not a CloudFormation-style name",
                    property.name
                );
                check_type(&property.ty, &format!("{context}.{}", property.name));
            }
        }
        fn check_type(ty: &ValueType, context: &str) {
            match ty {
                ValueType::List(inner) | ValueType::Map(inner) => check_type(inner, context),
                ValueType::Object(properties) => check_properties(properties, context),
                ValueType::Enum(values) => {
                    assert!(!values.is_empty(), "{context}: empty enum");
                    let unique: HashSet<&str> = values.iter().copied().collect();
                    assert_eq!(unique.len(), values.len(), "{context}: repeated enum value");
                }
                _ => {}
            }
        }
        for schema in ALL {
            check_properties(schema.properties, schema.type_name);
        }
    }

    #[test]
    fn lambda_code_is_required_and_takes_a_crate() {
        let function = lookup("AWS::Lambda::Function").unwrap();
        let code = function.property("Code").unwrap();
        assert!(code.required);
        match code.ty {
            ValueType::Object(keys) => assert!(keys.iter().any(|key| key.name == "Crate")),
            other => panic!("Code is {other:?}"),
        }
    }
}
