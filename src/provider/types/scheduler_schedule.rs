//! `AWS::Scheduler::Schedule`: a fixed EventBridge Scheduler schedule. The
//! ACME stack creates its schedules at run time through the API, but a stack
//! may declare fixed ones; `ScheduleExpression` is checked by `schedule-expr`,
//! the same code the scheduler-manager Lambda validates user input with.

use crate::provider::schema::{ValueType::*, *};

const RETRY_POLICY: ValueType =
    Object(&[optional("MaximumEventAgeInSeconds", Integer), optional("MaximumRetryAttempts", Integer)]);

const TARGET: ValueType = Object(&[
    required("Arn", String),
    required("RoleArn", String),
    optional("Input", String),
    optional("RetryPolicy", RETRY_POLICY),
    optional("DeadLetterConfig", Object(&[optional("Arn", String)])),
]);

pub const SCHEMA: ResourceSchema = ResourceSchema {
    type_name: "AWS::Scheduler::Schedule",
    properties: &[
        create_only(optional("Name", String)),
        optional("GroupName", String),
        optional("Description", String),
        required("ScheduleExpression", ScheduleExpression),
        optional("ScheduleExpressionTimezone", String),
        optional("StartDate", String),
        optional("EndDate", String),
        optional("State", Enum(&["ENABLED", "DISABLED"])),
        optional("KmsKeyArn", String),
        required(
            "FlexibleTimeWindow",
            Object(&[required("Mode", Enum(&["OFF", "FLEXIBLE"])), optional("MaximumWindowInMinutes", Integer)]),
        ),
        required("Target", TARGET),
    ],
    attributes: &["Arn"],
    id_attribute: "Arn",
    taggable: false,
};

/// CRUD for this type.
pub struct Provider;

#[async_trait::async_trait]
impl crate::provider::ResourceProvider for Provider {
    fn schema(&self) -> &'static ResourceSchema {
        &SCHEMA
    }
}
