//! The one place the Lambdas build their AWS SDK configuration.

use aws_config::{BehaviorVersion, SdkConfig};

/// Loads the SDK configuration from the Lambda environment.
///
/// The default chain honours `AWS_REGION`, the execution role's credentials and
/// `AWS_ENDPOINT_URL` — the last is how tests and the local runtime point the
/// functions at the local cloud without any code path of their own.
pub async fn load_sdk_config() -> SdkConfig {
    aws_config::defaults(BehaviorVersion::latest()).load().await
}
