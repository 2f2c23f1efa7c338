//! `AWS::CloudWatch::Alarm`: a single-metric alarm (`Namespace`, `MetricName`,
//! `Dimensions`, `Statistic` or `ExtendedStatistic`, `Period`) or a metric-math
//! alarm (`Metrics`); AWS rejects an alarm that mixes the two.

use crate::provider::schema::{ValueType::*, *};

const DIMENSION: ValueType = Object(&[required("Name", String), required("Value", String)]);

const METRIC: ValueType =
    Object(&[optional("Namespace", String), optional("MetricName", String), optional("Dimensions", List(&DIMENSION))]);

const METRIC_STAT: ValueType = Object(&[
    required("Metric", METRIC),
    required("Period", Integer),
    // Sum, Average, SampleCount, p99, ...
    required("Stat", String),
    optional("Unit", String),
]);

/// One item of `Metrics` (CloudFormation's `MetricDataQuery`): a metric
/// (`MetricStat`) or a math expression over other items' `Id`s. Exactly one
/// item of an alarm has `ReturnData: true`, the series the alarm watches.
const METRIC_DATA_QUERY: ValueType = Object(&[
    // Starts with a lower-case letter.
    required("Id", String),
    optional("MetricStat", METRIC_STAT),
    optional("Expression", String),
    optional("Label", String),
    optional("ReturnData", Boolean),
    optional("Period", Integer),
    optional("AccountId", String),
]);

const COMPARISON_OPERATOR: ValueType = Enum(&[
    "GreaterThanOrEqualToThreshold",
    "GreaterThanThreshold",
    "LessThanThreshold",
    "LessThanOrEqualToThreshold",
    "LessThanLowerOrGreaterThanUpperThreshold",
    "LessThanLowerThreshold",
    "GreaterThanUpperThreshold",
]);

/// CloudFormation's `Threshold` is a Double. strata's schema has no number
/// type yet, so thresholds are whole numbers for now (milliseconds, percent,
/// counts), which every alarm of the flagship stack needs.
pub const THRESHOLD: PropertySchema = optional("Threshold", Integer);

pub const SCHEMA: ResourceSchema = ResourceSchema {
    type_name: "AWS::CloudWatch::Alarm",
    properties: &[
        create_only(optional("AlarmName", String)),
        optional("AlarmDescription", String),
        optional("ActionsEnabled", Boolean),
        optional("AlarmActions", List(&String)),
        optional("OKActions", List(&String)),
        optional("InsufficientDataActions", List(&String)),
        required("ComparisonOperator", COMPARISON_OPERATOR),
        required("EvaluationPeriods", Integer),
        optional("DatapointsToAlarm", Integer),
        THRESHOLD,
        // For anomaly-detection alarms instead of a fixed Threshold.
        optional("ThresholdMetricId", String),
        optional("TreatMissingData", Enum(&["breaching", "notBreaching", "ignore", "missing"])),
        // Single-metric form.
        optional("Namespace", String),
        optional("MetricName", String),
        optional("Dimensions", List(&DIMENSION)),
        optional("Statistic", Enum(&["SampleCount", "Average", "Sum", "Minimum", "Maximum"])),
        optional("ExtendedStatistic", String),
        optional("EvaluateLowSampleCountPercentile", String),
        optional("Period", Integer),
        optional("Unit", String),
        // Metric-math form.
        optional("Metrics", List(&METRIC_DATA_QUERY)),
        optional("Tags", TAG_LIST),
    ],
    attributes: &["AlarmName", "Arn"],
    id_attribute: "AlarmName",
    taggable: true,
};

/// CRUD for this type.
pub struct Provider;

#[async_trait::async_trait]
impl crate::provider::ResourceProvider for Provider {
    fn schema(&self) -> &'static ResourceSchema {
        &SCHEMA
    }
}
