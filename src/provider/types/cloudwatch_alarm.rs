//! `AWS::CloudWatch::Alarm`: a single-metric alarm (`Namespace`, `MetricName`,
//! `Dimensions`, `Statistic` or `ExtendedStatistic`, `Period`) or a metric-math
//! alarm (`Metrics`); AWS rejects an alarm that mixes the two.

use std::collections::BTreeMap;
use std::time::Duration;

use aws_sdk_cloudwatch::operation::put_metric_alarm::builders::PutMetricAlarmFluentBuilder;
use aws_sdk_cloudwatch::types::{
    ComparisonOperator, Dimension, Metric, MetricAlarm, MetricDataQuery, MetricStat, StandardUnit, Statistic, Tag,
};
use serde_json::{json, Map, Value};

use crate::provider::retry::with_retries;
use crate::provider::schema::ResourceSchema;
use crate::provider::types::data_common::{
    attributes, cloudwatch_local, number_from_f64, order_like, physical_name, At, Wait,
};
use crate::provider::types::tagging::{self, spec_tag_list, TagApi, Tags};
use crate::provider::{aws_error, Applied, Cx, Live, NotFoundExt, ProviderError, Request};

// ------------------------------------------------------------------ schema --

pub const SCHEMA: ResourceSchema = {
    use crate::provider::schema::{ValueType::*, *};

    const DIMENSION: ValueType = Object(&[required("Name", String), required("Value", String)]);

    const METRIC: ValueType = Object(&[
        optional("Namespace", String),
        optional("MetricName", String),
        optional("Dimensions", List(&DIMENSION)),
    ]);

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

    ResourceSchema {
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
    }
};

// ---------------------------------------------------------------- provider --

/// CRUD for this type.
pub struct Provider;

#[async_trait::async_trait]
impl crate::provider::ResourceProvider for Provider {
    /// By name: alarm names are unique per account and region.
    async fn find(&self, cx: &Cx, req: &Request<'_>) -> Result<Option<Applied>, ProviderError> {
        let name = physical_name(req, "AlarmName", MAX_ALARM_NAME)?;
        let Some(alarm) = describe(cx, &name).await? else { return Ok(None) };
        req.tags.claim(SCHEMA.type_name, &name, &live_tags(cx, alarm.alarm_arn().unwrap_or_default()).await?)?;
        Ok(Some(applied(&alarm)))
    }

    async fn create(&self, cx: &Cx, req: &Request<'_>) -> Result<Applied, ProviderError> {
        let name = physical_name(req, "AlarmName", MAX_ALARM_NAME)?;
        let tags = cloudwatch_tags(&req.tags.for_properties(req.properties));
        put_alarm(cx, &name, &At::root(req.properties), Some(tags)).await?;
        Ok(applied(&describe_listed(cx, &name).await?))
    }

    async fn read(&self, cx: &Cx, physical_id: &str, recorded: &Value) -> Result<Option<Live>, ProviderError> {
        let Some(alarm) = describe(cx, physical_id).await? else { return Ok(None) };
        let tags = live_tags(cx, alarm.alarm_arn().unwrap_or_default()).await?;
        let mut props = properties(&alarm, recorded);
        if let Some(list) = spec_tag_list(&tags, recorded) {
            props.insert("Tags".into(), list);
        }
        Ok(Some(Live { properties: Value::Object(props), attributes: applied(&alarm).attributes, tags }))
    }

    async fn update(&self, cx: &Cx, id: &str, _before: &Value, req: &Request<'_>) -> Result<Applied, ProviderError> {
        put_alarm(cx, id, &At::root(req.properties), None).await?;
        let alarm = describe_listed(cx, id).await?;
        let arn = alarm.alarm_arn().unwrap_or_default();
        tagging::converge(
            &CloudWatchTags,
            cx,
            arn,
            &live_tags(cx, arn).await?,
            &req.tags.for_properties(req.properties),
        )
        .await?;
        Ok(applied(&alarm))
    }

    async fn delete(&self, cx: &Cx, physical_id: &str, _recorded: &Value) -> Result<(), ProviderError> {
        let deleted = with_retries(|| async {
            cloudwatch_local::client(cx)
                .delete_alarms()
                .alarm_names(physical_id)
                .send()
                .await
                .map_err(aws_error("cloudwatch:DeleteAlarms"))
        })
        .await;
        deleted.gone_ok()
    }
}

// ---------------------------------------------------------------- identity --

/// CloudWatch's limit on an alarm name.
const MAX_ALARM_NAME: usize = 255;

async fn describe(cx: &Cx, name: &str) -> Result<Option<MetricAlarm>, ProviderError> {
    let out = cloudwatch_local::client(cx)
        .describe_alarms()
        .alarm_names(name)
        .send()
        .await
        .map_err(aws_error("cloudwatch:DescribeAlarms"))?;
    Ok(out.metric_alarms().iter().find(|a| a.alarm_name() == Some(name)).cloned())
}

fn applied(alarm: &MetricAlarm) -> Applied {
    let name = alarm.alarm_name().unwrap_or_default().to_owned();
    Applied {
        physical_id: name.clone(),
        attributes: attributes([("AlarmName", json!(name)), ("Arn", json!(alarm.alarm_arn().unwrap_or_default()))]),
    }
}

fn cloudwatch_tags(tags: &BTreeMap<String, String>) -> Vec<Tag> {
    tags.iter().map(|(k, v)| Tag::builder().key(k).value(v).build()).collect()
}

async fn live_tags(cx: &Cx, arn: &str) -> Result<BTreeMap<String, String>, ProviderError> {
    let out = cloudwatch_local::client(cx)
        .list_tags_for_resource()
        .resource_arn(arn)
        .send()
        .await
        .map_err(aws_error("cloudwatch:ListTagsForResource"))?;
    Ok(out.tags().iter().filter_map(|t| Some((t.key()?.to_owned(), t.value()?.to_owned()))).collect())
}

/// CloudWatch tags an alarm by its ARN, with `[{Key, Value}]`, through the local adapter.
struct CloudWatchTags;

#[async_trait::async_trait]
impl TagApi for CloudWatchTags {
    async fn tag(&self, cx: &Cx, arn: &str, tags: &Tags) -> Result<(), ProviderError> {
        let call = cloudwatch_local::client(cx).tag_resource().resource_arn(arn).set_tags(Some(cloudwatch_tags(tags)));
        call.send().await.map(drop).map_err(aws_error("cloudwatch:TagResource"))
    }

    async fn untag(&self, cx: &Cx, arn: &str, keys: &[String]) -> Result<(), ProviderError> {
        let call = cloudwatch_local::client(cx).untag_resource().resource_arn(arn).set_tag_keys(Some(keys.to_vec()));
        call.send().await.map(drop).map_err(aws_error("cloudwatch:UntagResource"))
    }
}

// ------------------------------------------------------------------ create --

/// An alarm just put is listed by DescribeAlarms (eventually consistent).
const ALARM_LISTED: Wait =
    Wait { what: "CloudWatch alarm listed", limit: Duration::from_secs(60), every: Duration::from_secs(2) };

fn dimensions(at: &At<'_>) -> Result<Vec<Dimension>, ProviderError> {
    at.list("Dimensions")?
        .iter()
        .map(|d| Ok(Dimension::builder().name(d.req_str("Name")?).value(d.req_str("Value")?).build()))
        .collect()
}

/// One item of `Metrics` (a metric, or a math expression over others).
fn metric_query(q: &At<'_>) -> Result<MetricDataQuery, ProviderError> {
    let stat = match q.obj("MetricStat")? {
        None => None,
        Some(s) => {
            let metric = s.obj("Metric")?.ok_or_else(|| ProviderError::invalid(s.path_of("Metric"), "is required"))?;
            Some(
                MetricStat::builder()
                    .metric(
                        Metric::builder()
                            .set_namespace(metric.str("Namespace")?)
                            .set_metric_name(metric.str("MetricName")?)
                            .set_dimensions(Some(dimensions(&metric)?))
                            .build(),
                    )
                    .set_period(s.i32("Period")?)
                    .set_stat(s.str("Stat")?)
                    .set_unit(s.str("Unit")?.map(|u| StandardUnit::from(u.as_str())))
                    .build(),
            )
        }
    };
    Ok(MetricDataQuery::builder()
        .id(q.req_str("Id")?)
        .set_metric_stat(stat)
        .set_expression(q.str("Expression")?)
        .set_label(q.str("Label")?)
        .set_return_data(q.bool("ReturnData")?)
        .set_period(q.i32("Period")?)
        .set_account_id(q.str("AccountId")?)
        .build())
}

/// `Threshold`: a double in AWS; the spec's whole numbers (and any other
/// JSON number, or a number in a string) are taken as they are.
fn threshold(props: &At<'_>) -> Result<Option<f64>, ProviderError> {
    match props.get("Threshold") {
        None => Ok(None),
        Some(Value::Number(n)) => Ok(n.as_f64()),
        Some(Value::String(s)) => {
            s.trim().parse().map(Some).map_err(|_| ProviderError::invalid("Threshold", "expected a number"))
        }
        Some(_) => Err(ProviderError::invalid("Threshold", "expected a number")),
    }
}

/// Fills a PutMetricAlarm with the whole alarm from the properties.
fn alarm_request(
    b: PutMetricAlarmFluentBuilder,
    name: &str,
    props: &At<'_>,
) -> Result<PutMetricAlarmFluentBuilder, ProviderError> {
    let metrics = props.list("Metrics")?.iter().map(metric_query).collect::<Result<Vec<_>, _>>()?;
    let dims = dimensions(props)?;
    let comparison = props.req_str("ComparisonOperator")?;
    Ok(b.alarm_name(name)
        .set_alarm_description(props.str("AlarmDescription")?)
        .set_actions_enabled(props.bool("ActionsEnabled")?)
        .set_alarm_actions(props.strings("AlarmActions")?)
        .set_ok_actions(props.strings("OKActions")?)
        .set_insufficient_data_actions(props.strings("InsufficientDataActions")?)
        .comparison_operator(ComparisonOperator::from(comparison.as_str()))
        .set_evaluation_periods(props.i32("EvaluationPeriods")?)
        .set_datapoints_to_alarm(props.i32("DatapointsToAlarm")?)
        .set_threshold(threshold(props)?)
        .set_threshold_metric_id(props.str("ThresholdMetricId")?)
        .set_treat_missing_data(props.str("TreatMissingData")?)
        .set_namespace(props.str("Namespace")?)
        .set_metric_name(props.str("MetricName")?)
        .set_dimensions((!dims.is_empty()).then_some(dims))
        .set_statistic(props.str("Statistic")?.map(|s| Statistic::from(s.as_str())))
        .set_extended_statistic(props.str("ExtendedStatistic")?)
        .set_evaluate_low_sample_count_percentile(props.str("EvaluateLowSampleCountPercentile")?)
        .set_period(props.i32("Period")?)
        .set_unit(props.str("Unit")?.map(|u| StandardUnit::from(u.as_str())))
        .set_metrics((!metrics.is_empty()).then_some(metrics)))
}

async fn put_alarm(cx: &Cx, name: &str, props: &At<'_>, tags: Option<Vec<Tag>>) -> Result<(), ProviderError> {
    with_retries(|| async {
        alarm_request(cloudwatch_local::client(cx).put_metric_alarm(), name, props)?
            .set_tags(tags.clone())
            .send()
            .await
            .map_err(aws_error("cloudwatch:PutMetricAlarm"))
    })
    .await?;
    Ok(())
}

async fn describe_listed(cx: &Cx, name: &str) -> Result<MetricAlarm, ProviderError> {
    ALARM_LISTED.until(cx, name, || describe(cx, name)).await
}

// -------------------------------------------------------------------- read --

fn dimensions_json(dims: &[Dimension]) -> Value {
    dims.iter().map(|d| json!({ "Name": d.name(), "Value": d.value() })).collect()
}

fn metric_query_json(q: &MetricDataQuery) -> Value {
    let mut m = Map::new();
    m.insert("Id".into(), json!(q.id()));
    if let Some(s) = q.metric_stat() {
        let mut metric = Map::new();
        if let Some(mm) = s.metric() {
            if let Some(ns) = mm.namespace() {
                metric.insert("Namespace".into(), json!(ns));
            }
            if let Some(n) = mm.metric_name() {
                metric.insert("MetricName".into(), json!(n));
            }
            if !mm.dimensions().is_empty() {
                metric.insert("Dimensions".into(), dimensions_json(mm.dimensions()));
            }
        }
        let mut stat = Map::new();
        stat.insert("Metric".into(), Value::Object(metric));
        if let Some(p) = s.period() {
            stat.insert("Period".into(), json!(p));
        }
        if let Some(st) = s.stat() {
            stat.insert("Stat".into(), json!(st));
        }
        if let Some(u) = s.unit() {
            stat.insert("Unit".into(), json!(u.as_str()));
        }
        m.insert("MetricStat".into(), Value::Object(stat));
    }
    for (key, value) in [("Expression", q.expression()), ("Label", q.label()), ("AccountId", q.account_id())] {
        if let Some(v) = value {
            m.insert(key.into(), json!(v));
        }
    }
    if let Some(r) = q.return_data() {
        m.insert("ReturnData".into(), json!(r));
    }
    if let Some(p) = q.period() {
        m.insert("Period".into(), json!(p));
    }
    Value::Object(m)
}

fn properties(a: &MetricAlarm, recorded: &Value) -> Map<String, Value> {
    let mut m = Map::new();
    let mut put = |k: &str, v: Option<Value>| {
        if let Some(v) = v {
            m.insert(k.to_owned(), v);
        }
    };
    let list = |items: &[String]| (!items.is_empty()).then(|| json!(items));
    put("AlarmName", a.alarm_name().map(Value::from));
    put("AlarmDescription", a.alarm_description().map(Value::from));
    put("ActionsEnabled", a.actions_enabled().map(Value::from));
    put("AlarmActions", list(a.alarm_actions()));
    put("OKActions", list(a.ok_actions()));
    put("InsufficientDataActions", list(a.insufficient_data_actions()));
    put("ComparisonOperator", a.comparison_operator().map(|c| json!(c.as_str())));
    put("EvaluationPeriods", a.evaluation_periods().map(Value::from));
    put("DatapointsToAlarm", a.datapoints_to_alarm().map(Value::from));
    put("Threshold", a.threshold().map(number_from_f64));
    put("ThresholdMetricId", a.threshold_metric_id().map(Value::from));
    put("TreatMissingData", a.treat_missing_data().map(Value::from));
    put("Namespace", a.namespace().map(Value::from));
    put("MetricName", a.metric_name().map(Value::from));
    put(
        "Dimensions",
        (!a.dimensions().is_empty()).then(|| {
            Value::Array(order_like(
                dimensions_json(a.dimensions()).as_array().cloned().unwrap_or_default(),
                recorded.get("Dimensions"),
                "Name",
            ))
        }),
    );
    put("Statistic", a.statistic().map(|s| json!(s.as_str())));
    put("ExtendedStatistic", a.extended_statistic().map(Value::from));
    put("EvaluateLowSampleCountPercentile", a.evaluate_low_sample_count_percentile().map(Value::from));
    put("Period", a.period().map(Value::from));
    put("Unit", a.unit().map(|u| json!(u.as_str())));
    let metrics: Vec<Value> = a.metrics().iter().map(metric_query_json).collect();
    put("Metrics", (!metrics.is_empty()).then(|| Value::Array(order_like(metrics, recorded.get("Metrics"), "Id"))));
    m
}
