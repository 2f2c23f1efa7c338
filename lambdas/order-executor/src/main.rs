//! Lambda entry point: configuration and clients at cold start, then one
//! [`Executor::execute`] per event.

use acme_core::config::ExecutorConfig;
use acme_core::model::ScheduleInput;
use lambda_runtime::{service_fn, Error, LambdaEvent};
use order_executor::store::Store;
use order_executor::Executor;

#[tokio::main]
async fn main() -> Result<(), Error> {
    acme_core::logging::init();
    let config = ExecutorConfig::from_env(env!("CARGO_PKG_VERSION")).inspect_err(|err| {
        tracing::error!(error = %err, "cold start failed");
    })?;
    let sdk_config = acme_core::aws::load_sdk_config().await;
    let store = Store::new(aws_sdk_dynamodb::Client::new(&sdk_config), config.schedule_table, config.orders_table);
    let executor = Executor::new(store, config.executor_version);
    let executor = &executor;
    lambda_runtime::run(service_fn(move |event: LambdaEvent<ScheduleInput>| async move {
        executor.execute(event.payload).await
    }))
    .await
}
