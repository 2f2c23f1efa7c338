//! Lambda entry point: configuration is checked and clients built once at
//! cold start; each request goes to [`App::handle`].

use acme_core::config::ManagerConfig;
use lambda_http::{service_fn, Error, Request};
use scheduler_manager::App;

#[tokio::main]
async fn main() -> Result<(), Error> {
    acme_core::logging::init();
    let config = ManagerConfig::from_env().inspect_err(|err| {
        tracing::error!(error = %err, "cold start failed");
    })?;
    let sdk_config = acme_core::aws::load_sdk_config().await;
    let app = App::new(&config, &sdk_config);
    let app = &app;
    lambda_http::run(service_fn(move |request: Request| async move {
        Ok::<_, std::convert::Infallible>(app.handle(request).await)
    }))
    .await
}
