//! Structured logs of a delivery. A test binary of its own: tracing caches
//! per-callsite interest process-wide, and a thread-scoped subscriber races
//! with the other tests' threads, which have none.

mod common;

use std::io::Write;
use std::sync::{Arc, Mutex};

use common::{definition, delivery, world};

/// Collects what the subscriber writes.
#[derive(Clone, Default)]
struct Captured(Arc<Mutex<Vec<u8>>>);

impl Write for Captured {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.0.lock().expect("log buffer").extend_from_slice(buf);
        Ok(buf.len())
    }
    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

#[tokio::test]
async fn every_log_line_carries_schedule_order_and_execution_ids() {
    let world = world().await;
    let definition = definition("WIDGET", 5);
    world.store_definition(&definition).await;
    let captured = Captured::default();
    let writer = captured.clone();
    let subscriber = acme_core::logging::json_subscriber(move || writer.clone(), "debug");
    // #[tokio::test] runs on this thread, so a thread default sees every event.
    let _guard = tracing::subscriber::set_default(subscriber);

    let input = delivery(&definition.schedule_id, "2025-03-03T07:00:00Z");
    world.executor.execute(input.clone()).await.unwrap();
    world.executor.execute(input.clone()).await.unwrap();

    let text = String::from_utf8(captured.0.lock().unwrap().clone()).unwrap();
    let lines: Vec<serde_json::Value> =
        text.lines().map(|line| serde_json::from_str(line).expect("each line is JSON")).collect();
    let ours: Vec<_> =
        lines.iter().filter(|l| l["target"].as_str().is_some_and(|t| t.starts_with("order_executor"))).collect();
    assert!(ours.len() >= 4, "received, created, received, duplicate: {text}");
    let ids_of = |line: &serde_json::Value| {
        let spans = line["spans"].as_array().cloned().unwrap_or_default();
        spans.into_iter().find(|span| span["name"] == "order_execution")
    };
    for line in &lines {
        let span = ids_of(line).unwrap_or_else(|| panic!("no order_execution span: {line}"));
        assert_eq!(span["scheduleId"], definition.schedule_id.as_str(), "{line}");
        assert_eq!(span["executionId"], input.execution_id.as_str(), "{line}");
        assert!(span["orderId"].as_str().is_some_and(|id| id.len() == 36), "{line}");
    }
}
