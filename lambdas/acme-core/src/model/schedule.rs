use serde::{Deserialize, Serialize};

use super::{string_enum, Priority};

string_enum! {
    /// Lifecycle of a schedule definition. A definition is written PENDING
    /// (with its name claim) before its Scheduler schedule is created and
    /// becomes ACTIVE once the schedule exists, so a crash in between leaves a
    /// PENDING definition that produces no orders and that reconcile removes.
    /// Cancelled definitions are kept for history; their Scheduler schedule is
    /// gone.
    ScheduleStatus {
        Pending => "PENDING",
        Active => "ACTIVE",
        Cancelled => "CANCELLED",
    }
}

/// Scheduler's flexible time window: a delivery may happen up to this many
/// minutes after its scheduled time (spreads load; 1..=1440).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(transparent)]
pub struct FlexibleWindow(pub u32);

/// A purchase-order schedule as stored in ScheduleDefinitionsTable and
/// returned by the API.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ScheduleDefinition {
    pub schedule_id: String,
    /// Stored timestamp format (see [`crate::time`]); range key.
    pub created_at: String,
    pub schedule_name: String,
    /// The Scheduler expression: `rate(...)`, `cron(...)` or `at(...)`.
    pub frequency: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub timezone: Option<String>,
    pub gadget_type: String,
    pub quantity: u32,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub flexible_window_minutes: Option<FlexibleWindow>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub priority_override: Option<Priority>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub start_date: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub end_date: Option<String>,
    pub enabled: bool,
    pub status: ScheduleStatus,
    /// The Cognito `sub` of the user who created it.
    pub owner: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub cancelled_at: Option<String>,
}

impl ScheduleDefinition {
    /// Whether a delivery of this schedule should produce an order.
    pub fn is_live(&self) -> bool {
        self.enabled && self.status == ScheduleStatus::Active
    }
}
