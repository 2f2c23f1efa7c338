//! The local runtime: what the local cloud stores but does not run. It
//! serves the applied REST API on 127.0.0.1 with API Gateway's Cognito
//! authorizer, runs the applied Lambda functions as real processes under the
//! Lambda Runtime API (with their applied environment, timeout and log
//! group), and fires the schedules stored in the local cloud's Scheduler.
//! Everything is read from the local cloud and the state, never hard-coded.

pub mod api;
pub mod auth;
pub mod functions;
pub mod logs;
pub mod package;
pub mod routes;
pub mod schedules;

use std::collections::BTreeMap;
use std::path::PathBuf;
use std::sync::Arc;

use crate::build::Artifact;
use crate::provider::{aws_error, Cx, ProviderError};
use crate::state::State;

pub use functions::{FunctionPool, FunctionSpec, InvokeError};

/// The account the local cloud answers as.
pub const LOCAL_ACCOUNT: &str = crate::local::LOCAL_ACCOUNT_ID;

#[derive(Debug, thiserror::Error, miette::Diagnostic)]
pub enum RuntimeError {
    #[error("no function `{function}` in this stack")]
    #[diagnostic(code(runtime::unknown_function))]
    UnknownFunction { function: String },
    #[error("invoking {function}: {source}")]
    #[diagnostic(code(runtime::invoke))]
    Invoke {
        function: String,
        #[source]
        source: InvokeError,
    },
    #[error("{what}")]
    #[diagnostic(code(runtime::io))]
    Io {
        what: String,
        #[source]
        source: std::io::Error,
    },
    #[error("cannot read the REST API {api} from the local cloud")]
    #[diagnostic(code(runtime::api), help("apply the stack first: strata apply <stack>"))]
    Api {
        api: String,
        #[source]
        source: ProviderError,
    },
    #[error("the REST API {api} has routes the local runtime cannot tell apart")]
    #[diagnostic(code(runtime::routes))]
    Routes {
        api: String,
        #[source]
        source: routes::RouteConflict,
    },
    #[error("cannot read the signing keys of user pool {pool}: {message}")]
    #[diagnostic(code(runtime::jwks))]
    Jwks { pool: String, message: String },
    #[error("the deployed code of {function} ({deployed}) is not the package built from {crate_path} ({built})")]
    #[diagnostic(
        code(runtime::stale_code),
        help("apply the stack first, so the local cloud holds what runs: strata apply <stack>")
    )]
    StaleCode { function: String, crate_path: String, deployed: String, built: String },
    #[error("{function} has no package strata built (`Code: {{ Crate: ... }}`), so it cannot run locally")]
    #[diagnostic(code(runtime::no_package))]
    NoPackage { function: String },
    #[error("the local cloud refused {operation}")]
    #[diagnostic(code(runtime::cloud))]
    Cloud {
        operation: &'static str,
        #[source]
        source: ProviderError,
    },
    #[error("the stack has no REST API to serve")]
    #[diagnostic(code(runtime::no_api), help("`strata local run` serves an applied AWS::ApiGateway::RestApi"))]
    NoApi {},
}

/// A running local runtime. Dropping it stops the functions' processes.
pub struct LocalRuntime {
    pub url: String,
    pub stages: Vec<String>,
    pub functions: FunctionPool,
    pub routes: Vec<String>,
    tasks: Vec<tokio::task::JoinHandle<()>>,
}

impl Drop for LocalRuntime {
    fn drop(&mut self) {
        for t in &self.tasks {
            t.abort();
        }
        self.functions.shutdown();
    }
}

/// Where the runtime listens and unpacks packages.
pub struct RuntimeConfig {
    pub endpoint: String,
    pub port: u16,
    pub work_dir: PathBuf,
}

/// Starts the API, the functions and the scheduler for the applied `state`.
pub async fn start(
    cx: &Cx,
    state: &State,
    artifacts: &BTreeMap<String, Artifact>,
    config: RuntimeConfig,
) -> Result<LocalRuntime, RuntimeError> {
    let specs = function_specs(cx, state, artifacts, &config).await?;
    let functions = FunctionPool::new(specs, &config.endpoint, cx.clients.logs());
    let api_id = state
        .resources
        .values()
        .find(|r| r.type_name == "AWS::ApiGateway::RestApi")
        .map(|r| r.physical_id.clone())
        .ok_or(RuntimeError::NoApi {})?;
    let routes = api::ApiRoutes::load(cx.clients.apigateway(), &api_id).await?;
    // Each Cognito authorizer with its own pools: a method's token is checked
    // against its authorizer's pools only.
    let mut trusted: BTreeMap<String, auth::TrustedPool> = BTreeMap::new();
    for pool_id in routes.authorizers.values().flatten() {
        if trusted.contains_key(pool_id) {
            continue;
        }
        let clients = cx
            .clients
            .cognito()
            .list_user_pool_clients()
            .user_pool_id(pool_id)
            .max_results(60)
            .send()
            .await
            .map_err(aws_error("cognito-idp:ListUserPoolClients"))
            .map_err(|source| RuntimeError::Cloud { operation: "cognito-idp:ListUserPoolClients", source })?;
        let ids = clients.user_pool_clients().iter().filter_map(|c| c.client_id().map(str::to_owned)).collect();
        trusted.insert(pool_id.clone(), auth::TrustedPool::fetch(&config.endpoint, &cx.region, pool_id, ids).await?);
    }
    let authorizers = routes
        .authorizers
        .iter()
        .map(|(id, pool_ids)| {
            let pools = pool_ids.iter().filter_map(|p| trusted.get(p).cloned()).collect();
            (id.clone(), auth::CognitoAuthorizer { pools })
        })
        .collect();
    let listener = tokio::net::TcpListener::bind(("127.0.0.1", config.port))
        .await
        .map_err(|e| RuntimeError::Io { what: format!("binding 127.0.0.1:{}", config.port), source: e })?;
    let addr = listener.local_addr().map_err(|e| RuntimeError::Io { what: String::from("API address"), source: e })?;
    let route_list = routes.routes.iter().map(|r| format!("{} {}", r.method, r.resource_path)).collect::<Vec<_>>();
    let stages = routes.stages.clone();
    let gateway =
        api::Gateway { routes: Arc::new(routes), functions: functions.clone(), authorizers: Arc::new(authorizers) };
    let app = axum::Router::new().fallback(api::handle).with_state(gateway);
    let server = tokio::spawn(async move {
        let _ = axum::serve(listener, app).await;
    });
    let scheduler = tokio::spawn(schedules::run(cx.clients.scheduler().clone(), functions.clone()));
    Ok(LocalRuntime {
        url: format!("http://{addr}"),
        stages,
        functions,
        routes: route_list,
        tasks: vec![server, scheduler],
    })
}

/// Each applied function, as the local cloud has it, with the package
/// strata built for it (which must be the deployed one).
async fn function_specs(
    cx: &Cx,
    state: &State,
    artifacts: &BTreeMap<String, Artifact>,
    config: &RuntimeConfig,
) -> Result<Vec<FunctionSpec>, RuntimeError> {
    let mut specs = Vec::new();
    for r in state.resources.values().filter(|r| r.type_name == "AWS::Lambda::Function") {
        let name = r.physical_id.clone();
        let got = cx
            .clients
            .lambda()
            .get_function_configuration()
            .function_name(&name)
            .send()
            .await
            .map_err(aws_error("lambda:GetFunctionConfiguration"))
            .map_err(|source| RuntimeError::Cloud { operation: "lambda:GetFunctionConfiguration", source })?;
        let crate_path = r.properties.pointer("/Code/Crate").and_then(|v| v.as_str());
        let artifact = crate_path
            .and_then(|c| artifacts.get(c))
            .ok_or_else(|| RuntimeError::NoPackage { function: name.clone() })?;
        let deployed = got.code_sha256().unwrap_or_default();
        if deployed != artifact.code_sha256 {
            return Err(RuntimeError::StaleCode {
                function: name.clone(),
                crate_path: artifact.crate_path.clone(),
                deployed: deployed.to_owned(),
                built: artifact.code_sha256.clone(),
            });
        }
        let bootstrap = package::unpack_bootstrap(&artifact.zip_path, &config.work_dir.join(&name))?;
        let environment = got
            .environment()
            .and_then(|e| e.variables())
            .map(|v| v.iter().map(|(k, v)| (k.clone(), v.clone())).collect())
            .unwrap_or_default();
        let log_group = got
            .logging_config()
            .and_then(|l| l.log_group())
            .map_or_else(|| format!("/aws/lambda/{name}"), str::to_owned);
        specs.push(FunctionSpec {
            arn: got.function_arn().unwrap_or_default().to_owned(),
            name,
            bootstrap,
            environment,
            timeout: std::time::Duration::from_secs(got.timeout().unwrap_or(3).max(1) as u64),
            memory_mb: got.memory_size().unwrap_or(128).max(128) as u32,
            log_group,
        });
    }
    Ok(specs)
}
