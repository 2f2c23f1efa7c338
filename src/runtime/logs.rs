//! Ships function output to CloudWatch Logs on the local cloud: one stream
//! per process (`YYYY/MM/DD/[$LATEST]<id>`, as Lambda names them), lines
//! batched and sent every half second.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use aws_sdk_cloudwatchlogs::types::InputLogEvent;

#[derive(Clone)]
pub struct LogShipper {
    client: aws_sdk_cloudwatchlogs::Client,
    group: String,
    /// Lines not sent yet, by stream.
    pending: Arc<Mutex<HashMap<String, Vec<InputLogEvent>>>>,
    started: Arc<std::sync::Once>,
}

impl LogShipper {
    pub fn new(client: aws_sdk_cloudwatchlogs::Client, group: String) -> Self {
        Self { client, group, pending: Arc::default(), started: Arc::new(std::sync::Once::new()) }
    }

    /// Creates the stream (the group exists: the stack applied it; if not,
    /// it is created too, as Lambda does).
    pub async fn open_stream(&self, stream: &str) {
        let _ = self.client.create_log_group().log_group_name(&self.group).send().await;
        let _ = self.client.create_log_stream().log_group_name(&self.group).log_stream_name(stream).send().await;
        let me = self.clone();
        self.started.call_once(|| {
            tokio::spawn(async move {
                loop {
                    tokio::time::sleep(Duration::from_millis(500)).await;
                    me.flush().await;
                }
            });
        });
    }

    pub fn push(&self, stream: &str, line: String) {
        let now = jiff::Timestamp::now().as_millisecond();
        let Ok(event) = InputLogEvent::builder().timestamp(now).message(line).build() else { return };
        let mut pending = self.pending.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
        pending.entry(stream.to_owned()).or_default().push(event);
    }

    /// Sends what is pending; failures are dropped (logs must never stop a
    /// function), but said once on the console.
    pub async fn flush(&self) {
        let batches: Vec<(String, Vec<InputLogEvent>)> = {
            let mut pending = self.pending.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
            pending.drain().filter(|(_, v)| !v.is_empty()).collect()
        };
        for (stream, events) in batches {
            let sent = self
                .client
                .put_log_events()
                .log_group_name(&self.group)
                .log_stream_name(&stream)
                .set_log_events(Some(events))
                .send()
                .await;
            if let Err(e) = sent {
                eprintln!("strata: could not ship logs to {} / {stream}: {e}", self.group);
            }
        }
    }
}
