//! `AWS::Scheduler::Schedule`: a fixed EventBridge Scheduler schedule. The
//! ACME stack creates its schedules at run time through the API, but a stack
//! may declare fixed ones; `ScheduleExpression` is checked by `schedule-expr`,
//! the same code the scheduler-manager Lambda validates user input with.

use aws_sdk_scheduler::operation::get_schedule::GetScheduleOutput;
use aws_sdk_scheduler::types::{
    DeadLetterConfig, FlexibleTimeWindow, FlexibleTimeWindowMode, RetryPolicy, ScheduleState, Target,
};
use aws_smithy_types::DateTime;
use serde_json::{json, Map, Value};

use crate::provider::retry::{with_retries, IAM_ROLE_PROPAGATION};
use crate::provider::schema::ResourceSchema;
use crate::provider::types::data_common::{
    attributes, built, is_role_propagation, parse_timestamp, physical_name, retry_while, timestamp_text, At,
};
use crate::provider::{aws_error, Applied, Cx, Live, NotFoundExt, ProviderError, Request};

// ------------------------------------------------------------------ schema --

pub const SCHEMA: ResourceSchema = {
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

    ResourceSchema {
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
    }
};

// ---------------------------------------------------------------- provider --

/// CRUD for this type.
pub struct Provider;

#[async_trait::async_trait]
impl crate::provider::ResourceProvider for Provider {
    /// By group and name (unique together).
    async fn find(&self, cx: &Cx, req: &Request<'_>) -> Result<Option<Applied>, ProviderError> {
        let at = Location::of_request(req)?;
        Ok(describe(cx, &at).await?.and_then(|s| s.arn().map(applied)))
    }

    async fn create(&self, cx: &Cx, req: &Request<'_>) -> Result<Applied, ProviderError> {
        let at = Location::of_request(req)?;
        let d = definition(&At::root(req.properties))?;
        Ok(applied(&create_at(cx, &at, &d).await?))
    }

    async fn read(&self, cx: &Cx, physical_id: &str, recorded: &Value) -> Result<Option<Live>, ProviderError> {
        let at = Location::from_arn(physical_id)?;
        let Some(schedule) = describe(cx, &at).await? else { return Ok(None) };
        Ok(Some(Live {
            properties: properties(&schedule, recorded),
            attributes: applied(physical_id).attributes,
            tags: Default::default(),
        }))
    }

    /// UpdateSchedule with the whole definition. A new `GroupName` moves
    /// the schedule: created in the new group, then deleted from the old
    /// one (a new ARN, so a new physical id).
    async fn update(&self, cx: &Cx, id: &str, _before: &Value, req: &Request<'_>) -> Result<Applied, ProviderError> {
        let current = Location::from_arn(id)?;
        let wanted = Location { name: current.name.clone(), ..Location::of_request(req)? };
        let d = definition(&At::root(req.properties))?;
        if wanted.group != current.group {
            let arn = create_at(cx, &wanted, &d).await?;
            delete_at(cx, &current).await?;
            return Ok(applied(&arn));
        }
        let out = with_retries(|| async {
            cx.clients
                .scheduler()
                .update_schedule()
                .name(&current.name)
                .group_name(&current.group)
                .schedule_expression(&d.expression)
                .set_schedule_expression_timezone(d.timezone.clone())
                .set_start_date(d.start)
                .set_end_date(d.end)
                .set_description(d.description.clone())
                .set_state(d.state.clone())
                .set_kms_key_arn(d.kms_key_arn.clone())
                .flexible_time_window(d.window.clone())
                .target(d.target.clone())
                .send()
                .await
                .map_err(aws_error("scheduler:UpdateSchedule"))
        })
        .await?;
        Ok(applied(out.schedule_arn()))
    }

    async fn delete(&self, cx: &Cx, physical_id: &str, _recorded: &Value) -> Result<(), ProviderError> {
        delete_at(cx, &Location::from_arn(physical_id)?).await
    }
}

// ---------------------------------------------------------------- identity --

/// EventBridge Scheduler's limit on a schedule name.
const MAX_SCHEDULE_NAME: usize = 64;

/// Where a schedule is: its group and name.
#[derive(Debug, Clone, PartialEq, Eq)]
struct Location {
    group: String,
    name: String,
}

impl Location {
    /// From the ARN strata records as the physical id.
    fn from_arn(arn: &str) -> Result<Self, ProviderError> {
        let path = arn.split_once(":schedule/").map(|(_, p)| p);
        match path.and_then(|p| p.split_once('/')) {
            Some((group, name)) if !group.is_empty() && !name.is_empty() => {
                Ok(Location { group: group.to_owned(), name: name.to_owned() })
            }
            _ => Err(ProviderError::invalid("physical id", format!("`{arn}` is not a schedule ARN"))),
        }
    }

    fn of_request(req: &Request<'_>) -> Result<Self, ProviderError> {
        let group = At::root(req.properties).str("GroupName")?.unwrap_or_else(|| DEFAULT_GROUP.to_owned());
        Ok(Location { group, name: physical_name(req, "Name", MAX_SCHEDULE_NAME)? })
    }
}

fn applied(arn: &str) -> Applied {
    Applied { physical_id: arn.to_owned(), attributes: attributes([("Arn", json!(arn))]) }
}

async fn describe(cx: &Cx, at: &Location) -> Result<Option<GetScheduleOutput>, ProviderError> {
    cx.clients
        .scheduler()
        .get_schedule()
        .group_name(&at.group)
        .name(&at.name)
        .send()
        .await
        .map_err(aws_error("scheduler:GetSchedule"))
        .found()
}

// ------------------------------------------------------------------ create --

/// The group a schedule without `GroupName` belongs to.
const DEFAULT_GROUP: &str = "default";

/// Everything CreateSchedule takes, and UpdateSchedule again in full
/// (an update replaces the whole schedule definition).
#[derive(Debug, Clone)]
struct Definition {
    expression: String,
    timezone: Option<String>,
    start: Option<DateTime>,
    end: Option<DateTime>,
    description: Option<String>,
    state: Option<ScheduleState>,
    kms_key_arn: Option<String>,
    window: FlexibleTimeWindow,
    target: Target,
}

fn definition(props: &At<'_>) -> Result<Definition, ProviderError> {
    let date = |name: &str| -> Result<Option<DateTime>, ProviderError> {
        props.str(name)?.map(|s| parse_timestamp(name, &s)).transpose()
    };
    let window =
        props.obj("FlexibleTimeWindow")?.ok_or_else(|| ProviderError::invalid("FlexibleTimeWindow", "is required"))?;
    let window = FlexibleTimeWindow::builder()
        .mode(FlexibleTimeWindowMode::from(window.req_str("Mode")?.as_str()))
        .set_maximum_window_in_minutes(window.i32("MaximumWindowInMinutes")?)
        .build()
        .map_err(built("FlexibleTimeWindow"))?;
    Ok(Definition {
        expression: props.req_str("ScheduleExpression")?,
        timezone: props.str("ScheduleExpressionTimezone")?,
        start: date("StartDate")?,
        end: date("EndDate")?,
        description: props.str("Description")?,
        state: props.str("State")?.map(|s| ScheduleState::from(s.as_str())),
        kms_key_arn: props.str("KmsKeyArn")?,
        window,
        target: target(props)?,
    })
}

fn target(props: &At<'_>) -> Result<Target, ProviderError> {
    let t = props.obj("Target")?.ok_or_else(|| ProviderError::invalid("Target", "is required"))?;
    let retry = match t.obj("RetryPolicy")? {
        None => None,
        Some(r) => Some(
            RetryPolicy::builder()
                .set_maximum_event_age_in_seconds(r.i32("MaximumEventAgeInSeconds")?)
                .set_maximum_retry_attempts(r.i32("MaximumRetryAttempts")?)
                .build(),
        ),
    };
    let dead_letter = match t.obj("DeadLetterConfig")? {
        None => None,
        Some(d) => Some(DeadLetterConfig::builder().set_arn(d.str("Arn")?).build()),
    };
    Target::builder()
        .arn(t.req_str("Arn")?)
        .role_arn(t.req_str("RoleArn")?)
        .set_input(t.str("Input")?)
        .set_retry_policy(retry)
        .set_dead_letter_config(dead_letter)
        .build()
        .map_err(built("Target"))
}

/// Creates the schedule; a role created moments ago may not be
/// assumable yet (retried as IAM propagation). Not `with_retries`: its
/// ConflictException here means the schedule exists, which
/// `retry::classify` would retry as a concurrent modification.
async fn create_at(cx: &Cx, at: &Location, d: &Definition) -> Result<String, ProviderError> {
    let out = retry_while(IAM_ROLE_PROPAGATION, is_role_propagation, || async {
        cx.clients
            .scheduler()
            .create_schedule()
            .name(&at.name)
            .group_name(&at.group)
            .schedule_expression(&d.expression)
            .set_schedule_expression_timezone(d.timezone.clone())
            .set_start_date(d.start)
            .set_end_date(d.end)
            .set_description(d.description.clone())
            .set_state(d.state.clone())
            .set_kms_key_arn(d.kms_key_arn.clone())
            .flexible_time_window(d.window.clone())
            .target(d.target.clone())
            .send()
            .await
            .map_err(aws_error("scheduler:CreateSchedule"))
    })
    .await?;
    Ok(out.schedule_arn().to_owned())
}

// -------------------------------------------------------------------- read --

fn properties(s: &GetScheduleOutput, recorded: &Value) -> Value {
    let mut m = Map::new();
    let mut put = |k: &str, v: Option<Value>| {
        if let Some(v) = v {
            m.insert(k.to_owned(), v);
        }
    };
    let recorded_text = |k: &str| recorded.get(k).and_then(Value::as_str);
    put("Name", s.name().map(Value::from));
    put("GroupName", s.group_name().map(Value::from));
    put("Description", s.description().filter(|d| !d.is_empty()).map(Value::from));
    put("ScheduleExpression", s.schedule_expression().map(Value::from));
    put("ScheduleExpressionTimezone", s.schedule_expression_timezone().map(Value::from));
    put("StartDate", s.start_date().map(|d| json!(timestamp_text(d, recorded_text("StartDate")))));
    put("EndDate", s.end_date().map(|d| json!(timestamp_text(d, recorded_text("EndDate")))));
    put("State", s.state().map(|st| json!(st.as_str())));
    put("KmsKeyArn", s.kms_key_arn().map(Value::from));
    put(
        "FlexibleTimeWindow",
        s.flexible_time_window().map(|w| {
            let mut fw = Map::new();
            fw.insert("Mode".into(), json!(w.mode().as_str()));
            if let Some(minutes) = w.maximum_window_in_minutes() {
                fw.insert("MaximumWindowInMinutes".into(), json!(minutes));
            }
            Value::Object(fw)
        }),
    );
    put("Target", s.target().map(target_json));
    Value::Object(m)
}

fn target_json(t: &Target) -> Value {
    let mut m = Map::new();
    m.insert("Arn".into(), json!(t.arn()));
    m.insert("RoleArn".into(), json!(t.role_arn()));
    if let Some(input) = t.input() {
        m.insert("Input".into(), json!(input));
    }
    if let Some(r) = t.retry_policy() {
        let mut rp = Map::new();
        if let Some(age) = r.maximum_event_age_in_seconds() {
            rp.insert("MaximumEventAgeInSeconds".into(), json!(age));
        }
        if let Some(attempts) = r.maximum_retry_attempts() {
            rp.insert("MaximumRetryAttempts".into(), json!(attempts));
        }
        m.insert("RetryPolicy".into(), Value::Object(rp));
    }
    if let Some(arn) = t.dead_letter_config().and_then(|d| d.arn()) {
        m.insert("DeadLetterConfig".into(), json!({ "Arn": arn }));
    }
    Value::Object(m)
}

// ------------------------------------------------------------------ delete --

async fn delete_at(cx: &Cx, at: &Location) -> Result<(), ProviderError> {
    let deleted = with_retries(|| async {
        cx.clients
            .scheduler()
            .delete_schedule()
            .group_name(&at.group)
            .name(&at.name)
            .send()
            .await
            .map_err(aws_error("scheduler:DeleteSchedule"))
    })
    .await;
    deleted.gone_ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_arn_names_group_and_schedule() {
        let at = Location::from_arn("arn:aws:scheduler:us-east-1:123456789012:schedule/acme-local/nightly").unwrap();
        assert_eq!(at, Location { group: "acme-local".into(), name: "nightly".into() });
        assert!(Location::from_arn("arn:aws:scheduler:us-east-1:123456789012:schedule-group/acme").is_err());
    }
}
