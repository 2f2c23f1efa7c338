//! One module per resource type, each exporting `pub const SCHEMA`. The
//! registry (`super::registry::ALL`) lists them all; a new type is a new
//! module here plus one line there.

pub mod api_common;
pub mod apigateway_authorizer;
pub mod apigateway_deployment;
pub mod apigateway_method;
pub mod apigateway_resource;
pub mod apigateway_rest_api;
pub mod apigateway_stage;
pub mod cloudwatch_alarm;
pub mod cognito_user_pool;
pub mod cognito_user_pool_client;
pub mod compute_common;
pub mod data_common;
pub mod dynamodb_table;
pub mod ec2_common;
pub mod ec2_route_table;
pub mod ec2_security_group;
pub mod ec2_subnet;
pub mod ec2_subnet_route_table_association;
pub mod ec2_vpc;
pub mod ec2_vpc_endpoint;
pub mod iam_role;
pub mod kms_alias;
pub mod kms_key;
pub mod lambda_function;
pub mod lambda_permission;
pub mod logs_log_group;
pub mod scheduler_schedule;
pub mod scheduler_schedule_group;
pub mod tagging;
