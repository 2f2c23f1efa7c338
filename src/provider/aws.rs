//! The ONE place that builds the AWS SDK configuration (region, profile,
//! endpoint override, credentials for the local cloud, retries, timeouts) and
//! the service clients built from it. Every client counts its requests, for
//! the API-call figures of apply, destroy and refresh.

use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, OnceLock};
use std::time::Duration;

use aws_config::retry::RetryConfig;
use aws_config::timeout::TimeoutConfig;
use aws_config::{BehaviorVersion, Region, SdkConfig};
use aws_smithy_runtime_api::box_error::BoxError;
use aws_smithy_runtime_api::client::interceptors::context::BeforeTransmitInterceptorContextRef;
use aws_smithy_runtime_api::client::interceptors::Intercept;
use aws_smithy_runtime_api::client::runtime_components::RuntimeComponents;
use aws_smithy_types::config_bag::ConfigBag;

/// Attempts per request in the SDK's standard retry mode (throttling, 5xx,
/// transient network errors).
pub const RETRY_ATTEMPTS: u32 = 6;
/// The longest a single API call may take, retries included.
pub const OPERATION_TIMEOUT: Duration = Duration::from_secs(120);

/// Where API calls go.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Target {
    pub region: String,
    pub profile: Option<String>,
    /// The local cloud's endpoint; None for real AWS.
    pub endpoint: Option<String>,
}

/// Credentials the local cloud accepts (moto ignores their value).
const LOCAL_ACCESS_KEY: &str = "strata-local";
const LOCAL_SECRET_KEY: &str = "strata-local-secret";

pub async fn sdk_config(target: &Target) -> SdkConfig {
    let mut loader = aws_config::defaults(BehaviorVersion::latest())
        .region(Region::new(target.region.clone()))
        .retry_config(RetryConfig::standard().with_max_attempts(RETRY_ATTEMPTS))
        .timeout_config(TimeoutConfig::builder().operation_timeout(OPERATION_TIMEOUT).build());
    if let Some(profile) = &target.profile {
        loader = loader.profile_name(profile);
    }
    if let Some(endpoint) = &target.endpoint {
        loader = loader.endpoint_url(endpoint).credentials_provider(aws_credential_types::Credentials::new(
            LOCAL_ACCESS_KEY,
            LOCAL_SECRET_KEY,
            None,
            None,
            "strata-local-cloud",
        ));
    }
    loader.load().await
}

/// The S3 client of the state backend (not counted: state I/O is not an
/// API call of the stack). Path-style addressing on the local cloud, whose
/// endpoint is an IP address that cannot carry a bucket subdomain.
pub async fn s3_client(target: &Target) -> aws_sdk_s3::Client {
    let config = sdk_config(target).await;
    let conf = aws_sdk_s3::config::Builder::from(&config).force_path_style(target.endpoint.is_some()).build();
    aws_sdk_s3::Client::from_conf(conf)
}

/// Counts every request attempt sent to AWS.
#[derive(Debug, Clone, Default)]
pub struct CallCounter(Arc<AtomicU64>);

impl CallCounter {
    pub fn get(&self) -> u64 {
        self.0.load(Ordering::Relaxed)
    }
}

impl Intercept for CallCounter {
    fn name(&self) -> &'static str {
        "strata-call-counter"
    }

    fn read_before_transmit(
        &self,
        _context: &BeforeTransmitInterceptorContextRef<'_>,
        _runtime_components: &RuntimeComponents,
        _cfg: &mut ConfigBag,
    ) -> Result<(), BoxError> {
        self.0.fetch_add(1, Ordering::Relaxed);
        Ok(())
    }
}

macro_rules! clients {
    ($($field:ident: $krate:ident),* $(,)?) => {
        /// Service clients, each built on first use from the one SdkConfig.
        #[derive(Debug)]
        pub struct Clients {
            config: SdkConfig,
            counter: CallCounter,
            $($field: OnceLock<$krate::Client>,)*
        }

        impl Clients {
            pub fn new(config: SdkConfig) -> Self {
                Self { config, counter: CallCounter::default(), $($field: OnceLock::new(),)* }
            }

            $(
                pub fn $field(&self) -> &$krate::Client {
                    self.$field.get_or_init(|| {
                        let conf = $krate::config::Builder::from(&self.config)
                            .interceptor(self.counter.clone())
                            .interceptor(super::ambiguous::NoBlindRetryOfCreates)
                            .retry_classifier(super::ambiguous::NeverRetryAmbiguousCreates)
                            .build();
                        $krate::Client::from_conf(conf)
                    })
                }
            )*

            /// API requests sent so far (attempts, retries included).
            pub fn calls(&self) -> u64 {
                self.counter.get()
            }
        }
    };
}

clients! {
    ec2: aws_sdk_ec2,
    kms: aws_sdk_kms,
    cognito: aws_sdk_cognitoidentityprovider,
    dynamodb: aws_sdk_dynamodb,
    iam: aws_sdk_iam,
    logs: aws_sdk_cloudwatchlogs,
    lambda: aws_sdk_lambda,
    scheduler: aws_sdk_scheduler,
    apigateway: aws_sdk_apigateway,
    cloudwatch: aws_sdk_cloudwatch,
    sts: aws_sdk_sts,
    tagging: aws_sdk_resourcegroupstagging,
}
