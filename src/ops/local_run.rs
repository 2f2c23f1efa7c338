//! `strata local run` and `strata local login`: the local runtime over an
//! applied stack, and an ID token from its user pool for trying the API.

use std::path::{Path, PathBuf};

use super::{artifacts, connect, environment, OpsError};
use crate::provider::aws_error;
use crate::runtime::{self, LocalRuntime, RuntimeConfig};
use crate::state::State;

pub struct ServeRequest<'a> {
    pub spec_path: &'a Path,
    /// Parameter values beside the spec's (`--var`, `--var-file`, STRATA_VAR_*).
    pub inputs: &'a crate::spec::Inputs,
    pub state_path: Option<&'a Path>,
    /// 0: any free port.
    pub port: u16,
}

/// The runtime, with the async runtime that drives it.
pub struct Serving {
    pub local: LocalRuntime,
    tokio: tokio::runtime::Runtime,
}

impl Serving {
    /// Serves until Ctrl-C or SIGTERM, then stops the functions' processes.
    pub fn wait(self) -> Result<(), OpsError> {
        use signal_hook::consts::{SIGINT, SIGTERM};
        let mut signals = signal_hook::iterator::Signals::new([SIGINT, SIGTERM])
            .map_err(|e| OpsError::Internal { message: format!("cannot wait for signals: {e}") })?;
        let _ = signals.forever().next();
        let Serving { local, tokio } = self;
        drop(local);
        tokio.shutdown_timeout(std::time::Duration::from_secs(2));
        Ok(())
    }
}

/// The applied state of the local environment.
async fn applied_state(
    spec_path: &Path,
    inputs: Option<&crate::spec::Inputs>,
    state_path: Option<&Path>,
) -> Result<(crate::spec::Stack, State), OpsError> {
    // Signing in needs only the state: no parameter values to ask for.
    let stack = match inputs {
        Some(inputs) => environment::load_for(spec_path, crate::spec::DEFAULT_ENVIRONMENT, inputs)?,
        None => crate::spec::load_file(spec_path)?,
    };
    let env = environment::select(&stack, crate::spec::DEFAULT_ENVIRONMENT)?;
    let backend = environment::backend(&stack, &env, state_path).await?;
    let state = backend
        .read_for(&stack.name, &env.name)
        .await?
        .filter(|s| !s.resources.is_empty())
        .ok_or_else(|| OpsError::NotApplied { spec: spec_path.display().to_string() })?;
    Ok((stack, state))
}

pub fn serve(req: &ServeRequest<'_>) -> Result<Serving, OpsError> {
    let tokio = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .map_err(|e| OpsError::Internal { message: format!("cannot start the async runtime: {e}") })?;
    let local = tokio.block_on(async {
        let (stack, state) = applied_state(req.spec_path, Some(req.inputs), req.state_path).await?;
        let env = environment::select(&stack, crate::spec::DEFAULT_ENVIRONMENT)?;
        let built = artifacts::build_all(&stack)?;
        let root = artifacts::workspace_root(&stack.source.path);
        let work_dir: PathBuf = crate::local::home_dir().join("runtime").join(&stack.name);
        let endpoint = connect::local_endpoint().await?;
        let cx = connect::connect(&env, Default::default(), root).await?;
        let config = RuntimeConfig { endpoint, port: req.port, work_dir };
        runtime::start(&cx, &state, &built, config).await.map_err(OpsError::from)
    })?;
    Ok(Serving { local, tokio })
}

pub struct LoginRequest<'a> {
    pub spec_path: &'a Path,
    pub state_path: Option<&'a Path>,
    pub user: &'a str,
    pub password: Option<&'a str>,
}

pub struct LoggedIn {
    pub user: String,
    pub password: String,
    pub id_token: String,
    pub created: bool,
}

/// Creates `user` in the stack's user pool if needed (with `password`, or a
/// generated one that meets the pool's policy), then signs in as that user
/// through the app client (USER_PASSWORD_AUTH), as a person would.
pub async fn login(req: &LoginRequest<'_>) -> Result<LoggedIn, OpsError> {
    let (stack, state) = applied_state(req.spec_path, None, req.state_path).await?;
    let env = environment::select(&stack, crate::spec::DEFAULT_ENVIRONMENT)?;
    let find = |t: &str| state.resources.values().find(|r| r.type_name == t).map(|r| r.physical_id.clone());
    let pool = find("AWS::Cognito::UserPool").ok_or(OpsError::NoUserPool {})?;
    let client_id = find("AWS::Cognito::UserPoolClient").ok_or(OpsError::NoUserPool {})?;
    let password = req.password.map_or_else(|| format!("Local-{}!1a", uuid::Uuid::new_v4().simple()), str::to_owned);
    let root = artifacts::workspace_root(&stack.source.path);
    {
        let cx = connect::connect(&env, Default::default(), root).await?;
        let idp = cx.clients.cognito();
        let exists = idp.admin_get_user().user_pool_id(&pool).username(req.user).send().await.is_ok();
        if !exists {
            let email = aws_sdk_cognitoidentityprovider::types::AttributeType::builder()
                .name("email")
                .value(req.user)
                .build()
                .map_err(|e| OpsError::Internal { message: e.to_string() })?;
            idp.admin_create_user()
                .user_pool_id(&pool)
                .username(req.user)
                .user_attributes(email)
                .message_action(aws_sdk_cognitoidentityprovider::types::MessageActionType::Suppress)
                .send()
                .await
                .map_err(|e| OpsError::Provider(aws_error("cognito-idp:AdminCreateUser")(e)))?;
        }
        if !exists || req.password.is_none() {
            idp.admin_set_user_password()
                .user_pool_id(&pool)
                .username(req.user)
                .password(&password)
                .permanent(true)
                .send()
                .await
                .map_err(|e| OpsError::Provider(aws_error("cognito-idp:AdminSetUserPassword")(e)))?;
        }
        let auth = idp
            .initiate_auth()
            .client_id(&client_id)
            .auth_flow(aws_sdk_cognitoidentityprovider::types::AuthFlowType::UserPasswordAuth)
            .auth_parameters("USERNAME", req.user)
            .auth_parameters("PASSWORD", &password)
            .send()
            .await
            .map_err(|e| OpsError::Provider(aws_error("cognito-idp:InitiateAuth")(e)))?;
        let id_token = auth
            .authentication_result()
            .and_then(|r| r.id_token())
            .ok_or_else(|| OpsError::Internal { message: String::from("InitiateAuth returned no ID token") })?
            .to_owned();
        Ok(LoggedIn { user: req.user.to_owned(), password, id_token, created: !exists })
    }
}
