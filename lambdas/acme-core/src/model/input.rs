use serde::{Deserialize, Serialize};

/// The JSON a schedule's `Target.Input` produces for each delivery: the
/// contract between scheduler-manager (which writes the template) and
/// order-executor (which receives it with the placeholders filled in).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ScheduleInput {
    pub schedule_id: String,
    pub scheduled_time: String,
    pub execution_id: String,
}

impl ScheduleInput {
    /// Scheduler context attribute replaced by the delivery's scheduled time.
    pub const SCHEDULED_TIME_PLACEHOLDER: &'static str = "<aws.scheduler.scheduled-time>";
    /// Scheduler context attribute replaced by the delivery's execution id.
    pub const EXECUTION_ID_PLACEHOLDER: &'static str = "<aws.scheduler.execution-id>";

    /// The template stored as the schedule target's `Input`.
    pub fn template(schedule_id: &str) -> Self {
        ScheduleInput {
            schedule_id: schedule_id.to_owned(),
            scheduled_time: Self::SCHEDULED_TIME_PLACEHOLDER.to_owned(),
            execution_id: Self::EXECUTION_ID_PLACEHOLDER.to_owned(),
        }
    }

    pub fn to_json(&self) -> String {
        serde_json::json!({
            "scheduleId": self.schedule_id,
            "scheduledTime": self.scheduled_time,
            "executionId": self.execution_id,
        })
        .to_string()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn template_carries_the_scheduler_context_attributes() {
        let json: serde_json::Value = serde_json::from_str(&ScheduleInput::template("abc").to_json()).unwrap();
        assert_eq!(
            json,
            serde_json::json!({
                "scheduleId": "abc",
                "scheduledTime": "<aws.scheduler.scheduled-time>",
                "executionId": "<aws.scheduler.execution-id>",
            })
        );
    }

    #[test]
    fn a_delivered_input_round_trips() {
        let delivered = r#"{"scheduleId":"s-1","scheduledTime":"2025-03-01T08:00:00Z","executionId":"e-1"}"#;
        let input: ScheduleInput = serde_json::from_str(delivered).unwrap();
        assert_eq!(input.scheduled_time, "2025-03-01T08:00:00Z");
        assert_eq!(serde_json::from_str::<ScheduleInput>(&input.to_json()).unwrap(), input);
    }
}
