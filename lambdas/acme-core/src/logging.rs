//! Structured JSON logs for both functions.
//!
//! Handlers open a span carrying the identifiers of the unit of work
//! (scheduleId, orderId, executionId, owner, ...); every event inside it — the
//! SDK's included — is printed with that span's fields, so each log line can be
//! found by any of them in CloudWatch Logs Insights. The fields appear in the
//! line's `spans` list (outermost first).

use tracing::Subscriber;
use tracing_subscriber::fmt::MakeWriter;
use tracing_subscriber::EnvFilter;

/// The filter when `RUST_LOG` is not set: our own crates at info, the SDK and
/// its HTTP stack at warn (they are chatty at info and would drown the
/// function's own lines).
const DEFAULT_FILTER: &str = "info,aws_config=warn,aws_smithy_runtime=warn,hyper=warn";

/// A JSON subscriber writing to `writer`; split out so tests can capture lines.
pub fn json_subscriber<W>(writer: W, filter: &str) -> impl Subscriber + Send + Sync
where
    W: for<'a> MakeWriter<'a> + Send + Sync + 'static,
{
    tracing_subscriber::fmt()
        .json()
        .with_env_filter(EnvFilter::new(filter))
        // The whole list, not just the innermost span: inside an SDK call the
        // innermost span is the SDK's own and lacks our identifiers.
        .with_current_span(false)
        .with_span_list(true)
        .flatten_event(true)
        .with_target(true)
        .with_ansi(false)
        .with_writer(writer)
        .finish()
}

/// Installs JSON logging to stdout (which Lambda ships to CloudWatch Logs).
pub fn init() {
    let filter = std::env::var("RUST_LOG").unwrap_or_else(|_| DEFAULT_FILTER.to_owned());
    let subscriber = json_subscriber(std::io::stdout, &filter);
    // A second init (only possible in tests) keeps the first subscriber.
    let _ = tracing::subscriber::set_global_default(subscriber);
}
