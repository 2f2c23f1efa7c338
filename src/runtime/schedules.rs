//! EventBridge Scheduler, run locally: the local cloud stores schedules but
//! never fires them. Every second the schedules are listed; each one's next
//! fire time comes from `schedule-expr` (rate, cron with its time zone and
//! daylight saving, at; start and end dates), and when due its Lambda target
//! is invoked with the scheduler's context attributes substituted in the
//! Input. DISABLED schedules wait; the flexible window delays delivery by a
//! random part of the window; failures are retried as the schedule's retry
//! policy says (attempts and maximum event age).

use std::collections::HashMap;
use std::time::Duration;

use jiff::tz::TimeZone;
use jiff::Timestamp;
use schedule_expr::ScheduleExpression;

use super::functions::FunctionPool;
use crate::provider::aws_error;

/// EventBridge's defaults when a target has no retry policy.
const DEFAULT_RETRIES: i32 = 185;
const DEFAULT_MAX_AGE_SECONDS: i64 = 86_400;

#[derive(Debug, Clone)]
struct Tracked {
    arn: String,
    expression: ScheduleExpression,
    tz: TimeZone,
    tz_name: String,
    start: Option<Timestamp>,
    end: Option<Timestamp>,
    enabled: bool,
    target_arn: String,
    input: String,
    max_retries: i32,
    max_age: Duration,
    /// Flexible window, when the mode is FLEXIBLE.
    window: Option<Duration>,
    next: Option<Timestamp>,
    modified: Option<i64>,
}

/// Polls and fires until the task is dropped.
pub async fn run(client: aws_sdk_scheduler::Client, functions: FunctionPool) {
    let mut tracked: HashMap<(String, String), Tracked> = HashMap::new();
    loop {
        if let Err(e) = poll(&client, &functions, &mut tracked).await {
            eprintln!("[scheduler] {e}");
        }
        tokio::time::sleep(Duration::from_secs(1)).await;
    }
}

async fn poll(
    client: &aws_sdk_scheduler::Client,
    functions: &FunctionPool,
    tracked: &mut HashMap<(String, String), Tracked>,
) -> Result<(), crate::provider::ProviderError> {
    let listed: Vec<_> = client
        .list_schedules()
        .into_paginator()
        .items()
        .send()
        .collect::<Vec<_>>()
        .await
        .into_iter()
        .collect::<Result<_, _>>()
        .map_err(aws_error("scheduler:ListSchedules"))?;
    let now = Timestamp::now();
    let mut seen = std::collections::HashSet::new();
    for summary in listed {
        let (Some(group), Some(name)) = (summary.group_name(), summary.name()) else { continue };
        let key = (group.to_owned(), name.to_owned());
        seen.insert(key.clone());
        let modified = summary.last_modification_date().map(|d| d.secs());
        if tracked.get(&key).is_some_and(|t| t.modified == modified && modified.is_some()) {
            continue;
        }
        let got = client.get_schedule().group_name(group).name(name).send().await;
        let Ok(s) = got else { continue };
        match describe(&s, now, modified) {
            Ok(mut t) => {
                // Unchanged timing keeps its place: what fired stays fired.
                if let Some(old) = tracked.get(&key) {
                    let same = old.expression == t.expression
                        && (old.tz_name.as_str(), old.start, old.end) == (t.tz_name.as_str(), t.start, t.end);
                    if same {
                        t.next = old.next;
                    }
                }
                tracked.insert(key, t);
            }
            Err(why) => eprintln!("[scheduler] {group}/{name} cannot be run locally: {why}"),
        }
    }
    tracked.retain(|k, _| seen.contains(k));
    for t in tracked.values_mut() {
        let Some(due) = t.next.filter(|n| *n <= now) else { continue };
        t.next = t.expression.next_after(due, &t.tz, t.start, t.end);
        if t.enabled {
            tokio::spawn(deliver(functions.clone(), t.clone(), due));
        }
    }
    Ok(())
}

/// The schedule as the runtime runs it.
fn describe(
    s: &aws_sdk_scheduler::operation::get_schedule::GetScheduleOutput,
    now: Timestamp,
    modified: Option<i64>,
) -> Result<Tracked, String> {
    let expression: ScheduleExpression =
        s.schedule_expression().unwrap_or_default().parse().map_err(|e: schedule_expr::ExprError| e.to_string())?;
    let tz_name = s.schedule_expression_timezone().unwrap_or("UTC").to_owned();
    let tz = TimeZone::get(&tz_name).map_err(|e| e.to_string())?;
    let ts = |d: Option<&aws_smithy_types::DateTime>| d.and_then(|d| Timestamp::from_second(d.secs()).ok());
    let (start, end) = (ts(s.start_date()), ts(s.end_date()));
    let created = ts(s.creation_date()).unwrap_or(now);
    let target = s.target().ok_or("no target")?;
    let retry = target.retry_policy();
    let window = s
        .flexible_time_window()
        .filter(|w| w.mode().as_str() == "FLEXIBLE")
        .and_then(|w| w.maximum_window_in_minutes())
        .map(|m| Duration::from_secs(m as u64 * 60));
    // Counted from creation, so a time that passed before the first poll
    // still fires (late, as a delivery would be).
    let next = expression.next_after(created, &tz, start, end);
    Ok(Tracked {
        arn: s.arn().unwrap_or_default().to_owned(),
        expression,
        tz,
        tz_name,
        start,
        end,
        enabled: s.state().map(|st| st.as_str() == "ENABLED").unwrap_or(true),
        target_arn: target.arn().to_owned(),
        input: target.input().unwrap_or("{}").to_owned(),
        max_retries: retry.and_then(|r| r.maximum_retry_attempts()).unwrap_or(DEFAULT_RETRIES),
        max_age: Duration::from_secs(
            retry.and_then(|r| r.maximum_event_age_in_seconds()).map_or(DEFAULT_MAX_AGE_SECONDS, i64::from) as u64,
        ),
        window,
        next,
        modified,
    })
}

/// The Input with the scheduler's context attributes filled in.
pub fn substitute(input: &str, scheduled: Timestamp, execution_id: &str, schedule_arn: &str, attempt: u32) -> String {
    input
        .replace("<aws.scheduler.scheduled-time>", &scheduled.strftime("%Y-%m-%dT%H:%M:%SZ").to_string())
        .replace("<aws.scheduler.execution-id>", execution_id)
        .replace("<aws.scheduler.schedule-arn>", schedule_arn)
        .replace("<aws.scheduler.attempt-number>", &attempt.to_string())
}

/// One delivery: within the flexible window, retried per the policy.
async fn deliver(functions: FunctionPool, t: Tracked, scheduled: Timestamp) {
    if let Some(window) = t.window {
        let random = u64::from_le_bytes(uuid::Uuid::new_v4().as_bytes()[..8].try_into().unwrap_or([0; 8]));
        let delay = Duration::from_millis(random % window.as_millis().max(1) as u64);
        tokio::time::sleep(delay).await;
    }
    let execution_id = uuid::Uuid::new_v4().to_string();
    let started = std::time::Instant::now();
    let mut backoff = Duration::from_secs(1);
    for attempt in 1..=(t.max_retries.max(0) as u32 + 1) {
        let input = substitute(&t.input, scheduled, &execution_id, &t.arn, attempt);
        let payload: serde_json::Value = serde_json::from_str(&input).unwrap_or(serde_json::Value::String(input));
        match functions.invoke(&t.target_arn, &payload).await {
            Ok(_) => {
                eprintln!("[scheduler] {} fired for {scheduled} (attempt {attempt})", t.arn);
                return;
            }
            Err(e) => {
                eprintln!("[scheduler] {} attempt {attempt} failed: {e}", t.arn);
                if started.elapsed() + backoff > t.max_age {
                    break;
                }
                tokio::time::sleep(backoff).await;
                backoff = (backoff * 2).min(Duration::from_secs(60));
            }
        }
    }
    eprintln!("[scheduler] {} gave up on {scheduled}", t.arn);
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn context_attributes_are_substituted() {
        let t: Timestamp = "2030-01-31T09:30:00Z".parse().unwrap();
        let input = r#"{"scheduleId":"s","scheduledTime":"<aws.scheduler.scheduled-time>","executionId":"<aws.scheduler.execution-id>"}"#;
        assert_eq!(
            substitute(input, t, "e-1", "arn", 1),
            r#"{"scheduleId":"s","scheduledTime":"2030-01-31T09:30:00Z","executionId":"e-1"}"#
        );
    }
}
