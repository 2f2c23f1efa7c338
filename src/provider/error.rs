//! Errors of the provider layer, and the one conversion from SDK errors that
//! keeps the AWS error code (retries and messages depend on it).

use std::time::Duration;

use aws_sdk_sts::error::ProvideErrorMetadata;
use aws_smithy_runtime_api::client::result::SdkError;
use aws_smithy_runtime_api::http::Response;

#[derive(Debug, thiserror::Error, miette::Diagnostic)]
pub enum ProviderError {
    /// AWS answered with an error (or could not be reached).
    #[error("{operation} failed: {code}: {message}")]
    #[diagnostic(code(provider::aws))]
    Aws { operation: &'static str, code: String, message: String },
    /// A property value the provider cannot turn into an API call.
    #[error("invalid value for {property}: {message}")]
    #[diagnostic(code(provider::invalid))]
    Invalid { property: String, message: String },
    /// A bounded wait ran out.
    #[error("gave up waiting for {waiting_for} after {after:?}")]
    #[diagnostic(code(provider::timeout))]
    Timeout { waiting_for: String, after: Duration },
    /// Building a Lambda package failed.
    #[error(transparent)]
    #[diagnostic(transparent)]
    Build(#[from] crate::build::BuildError),
    /// A resource with the name the spec asks for exists, but nothing proves
    /// strata created it for this stack, environment and logical name: it is
    /// never adopted (updated to the spec, later destroyed).
    #[error("{type_name} `{physical_id}` already exists and is not this stack's: {why}")]
    #[diagnostic(
        code(provider::not_ours),
        help(
            "strata only adopts what carries its identity tags for this stack (strata:stack, strata:environment, \
             strata:logical-name). To manage the existing resource, `strata import` it; otherwise give the \
             resource in the spec another name"
        )
    )]
    NotOurs { type_name: &'static str, physical_id: String, why: String },
    /// No implementation of this operation for the type.
    #[error("{operation} is not supported for {type_name}")]
    #[diagnostic(code(provider::unsupported))]
    Unsupported { type_name: &'static str, operation: &'static str },
}

impl ProviderError {
    /// The AWS error code, when AWS returned one.
    /// (Not `code`: that name is miette's diagnostic code.)
    pub fn aws_code(&self) -> Option<&str> {
        match self {
            ProviderError::Aws { code, .. } => Some(code),
            _ => None,
        }
    }

    /// True when AWS said the thing does not exist (404-like codes across services).
    pub fn is_not_found(&self) -> bool {
        self.aws_code().is_some_and(|c| {
            c.contains("NotFound")
                || c.ends_with(".NotFound")
                || c == "NoSuchEntity"
                || c == "ResourceNotFoundException"
                || c == "NotFoundException"
                || c == "InvalidVpcID.NotFound"
        })
    }

    /// A create whose answer was lost: it may have been carried out
    /// (see `provider::ambiguous`).
    pub fn is_ambiguous_create(&self) -> bool {
        self.aws_code() == Some(crate::provider::ambiguous::AMBIGUOUS_CODE)
    }

    pub fn invalid(property: impl Into<String>, message: impl Into<String>) -> Self {
        ProviderError::Invalid { property: property.into(), message: message.into() }
    }
}

/// "AWS says it does not exist" read as an answer rather than a failure:
/// a describe's None, a delete's success.
pub trait NotFoundExt<T> {
    /// None when AWS said it does not exist.
    fn found(self) -> Result<Option<T>, ProviderError>;
    /// Success when it is already gone (what every delete wants).
    fn gone_ok(self) -> Result<(), ProviderError>;
}

impl<T> NotFoundExt<T> for Result<T, ProviderError> {
    fn found(self) -> Result<Option<T>, ProviderError> {
        match self {
            Ok(v) => Ok(Some(v)),
            Err(e) if e.is_not_found() => Ok(None),
            Err(e) => Err(e),
        }
    }

    fn gone_ok(self) -> Result<(), ProviderError> {
        self.found().map(drop)
    }
}

/// Converts any SDK error into `ProviderError::Aws`, keeping its code.
/// Use as `.map_err(aws_error("ec2:CreateVpc"))`.
pub fn aws_error<E>(operation: &'static str) -> impl FnOnce(SdkError<E, Response>) -> ProviderError
where
    E: ProvideErrorMetadata + std::error::Error + Send + Sync + 'static,
{
    move |err| {
        if let Some(ambiguous) = find_in_chain::<crate::provider::ambiguous::AmbiguousCreate>(&err) {
            return ProviderError::Aws {
                operation,
                code: crate::provider::ambiguous::AMBIGUOUS_CODE.to_owned(),
                message: ambiguous.to_string(),
            };
        }
        let (code, message) = match &err {
            SdkError::ServiceError(service) => (
                service.err().code().unwrap_or("Unknown").to_owned(),
                service.err().message().unwrap_or_default().to_owned(),
            ),
            SdkError::TimeoutError(_) => ("Timeout".to_owned(), format!("{err}")),
            SdkError::DispatchFailure(_) => ("Unreachable".to_owned(), format!("{}", DisplayChain(&err))),
            _ => ("Transport".to_owned(), format!("{}", DisplayChain(&err))),
        };
        ProviderError::Aws { operation, code, message }
    }
}

/// An error and all its sources on one line (SDK errors hide the cause).
struct DisplayChain<'a>(&'a dyn std::error::Error);

impl std::fmt::Display for DisplayChain<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}", self.0)?;
        let mut source = self.0.source();
        while let Some(s) = source {
            write!(f, ": {s}")?;
            source = s.source();
        }
        Ok(())
    }
}

/// The first error of type `T` in `err`'s source chain.
pub(crate) fn find_in_chain<'a, T: std::error::Error + 'static>(
    err: &'a (dyn std::error::Error + 'static),
) -> Option<&'a T> {
    let mut current = Some(err);
    while let Some(e) = current {
        if let Some(found) = e.downcast_ref::<T>() {
            return Some(found);
        }
        current = e.source();
    }
    None
}
