//! AWS resource types: each file under `types/` holds one type's schema
//! (properties, createOnly, attributes) and its provider (create, read,
//! update, delete, and `find` for adopting what a crash left unrecorded).
//! `aws` is the one place the SDK is configured.

pub mod ambiguous;
pub mod aws;
pub mod aws_schema;
pub mod error;
pub mod lookup;
pub mod registry;
pub mod retry;
pub mod schema;
pub mod tags;
pub mod types;

use std::collections::BTreeMap;
use std::path::PathBuf;

use serde_json::Value;

pub use error::{aws_error, NotFoundExt, ProviderError};
pub use tags::StrataTags;

use crate::build::Artifact;

/// What every provider call gets: clients, where we are, built artifacts.
#[derive(Debug)]
pub struct Cx {
    pub clients: aws::Clients,
    pub region: String,
    pub account_id: String,
    /// True on the embedded local cloud (moto): providers may skip waits that
    /// moto answers instantly, and never touch a real account.
    pub local: bool,
    /// Lambda packages built for this run, by crate path (`lambdas/x`).
    pub artifacts: BTreeMap<String, Artifact>,
    pub workspace_root: PathBuf,
}

/// One resource to create or update: its name and fully resolved properties.
#[derive(Debug, Clone, Copy)]
pub struct Request<'a> {
    pub logical_name: &'a str,
    /// Properties in the spec's terms with every `${...}` resolved.
    pub properties: &'a Value,
    pub tags: &'a StrataTags,
}

/// What AWS gave back: the physical id and the attributes references can read.
#[derive(Debug, Clone, PartialEq)]
pub struct Applied {
    pub physical_id: String,
    pub attributes: BTreeMap<String, Value>,
}

/// The live resource in the spec's own terms (for refresh and drift).
#[derive(Debug, Clone, PartialEq)]
pub struct Live {
    pub properties: Value,
    pub attributes: BTreeMap<String, Value>,
    /// All tags AWS reports on it (strata's identity tags included).
    pub tags: BTreeMap<String, String>,
}

/// CRUD for one resource type. Every method is bounded: waits and retries
/// are named (see `retry`), never open-ended.
#[async_trait::async_trait]
///
/// A provider does not carry its schema: the registry pairs each type's
/// `SCHEMA` with its `Provider` (`registry::lookup`, `registry::provider`).
pub trait ResourceProvider: Send + Sync {
    /// Looks for a resource this stack created but did not record (a crash
    /// between "AWS created it" and "state recorded it"), by strata's tags or
    /// by a unique physical name. Adopted instead of created again.
    async fn find(&self, _cx: &Cx, _req: &Request<'_>) -> Result<Option<Applied>, ProviderError> {
        Ok(None)
    }

    /// `find` for many creates of this type (a plan's ownership check),
    /// answering in the order asked. One `find` each unless the type
    /// overrides it with a listing that rules most of them out at once
    /// (see `lookup`).
    async fn find_many(&self, cx: &Cx, reqs: &[Request<'_>]) -> lookup::Found {
        lookup::one_by_one(self, cx, reqs).await
    }

    async fn create(&self, cx: &Cx, req: &Request<'_>) -> Result<Applied, ProviderError>;

    /// The live resource, or None when it no longer exists.
    async fn read(&self, cx: &Cx, physical_id: &str, recorded: &Value) -> Result<Option<Live>, ProviderError>;

    /// Reads many resources of this type, answering in the order asked.
    /// One at a time unless the type overrides it with a batched describe.
    async fn read_many(&self, cx: &Cx, items: &[(&str, &Value)]) -> Result<Vec<Option<Live>>, ProviderError> {
        let mut out = Vec::with_capacity(items.len());
        for (physical_id, recorded) in items {
            out.push(self.read(cx, physical_id, recorded).await?);
        }
        Ok(out)
    }

    /// True when `read_many` reads many resources in fewer calls than one
    /// `read` each: refresh then gives it all resources of the type at once.
    fn reads_in_batches(&self) -> bool {
        false
    }

    /// True when `read` reports every top-level property AWS holds a value
    /// for (echoing the recorded value of what AWS cannot report, such as
    /// where a Lambda's code came from), so a recorded property it omits was
    /// removed in AWS and drift reports it. Opted into per type once its
    /// reader is audited: a wrong `true` would make every plan "restore" a
    /// property the reader merely cannot see.
    fn absent_means_removed(&self) -> bool {
        false
    }

    /// Changes updatable properties in place; `before` is what state recorded.
    async fn update(&self, cx: &Cx, id: &str, before: &Value, req: &Request<'_>) -> Result<Applied, ProviderError>;

    /// Deletes it; a resource that is already gone is success.
    async fn delete(&self, cx: &Cx, physical_id: &str, recorded: &Value) -> Result<(), ProviderError>;

    /// Said after a delete when "deleted" is not the whole truth (a KMS key
    /// is only scheduled for deletion).
    fn delete_note(&self, _recorded: &Value) -> Option<String> {
        None
    }
}

impl Cx {
    /// Connects to `target`. On the local cloud the account is moto's fixed
    /// one; elsewhere STS says which account the credentials belong to.
    pub async fn connect(
        target: &aws::Target,
        artifacts: BTreeMap<String, Artifact>,
        workspace_root: PathBuf,
    ) -> Result<Cx, ProviderError> {
        let clients = aws::Clients::new(aws::sdk_config(target).await);
        let local = target.endpoint.is_some();
        let account_id = if local {
            crate::local::LOCAL_ACCOUNT_ID.to_owned()
        } else {
            let me = clients.sts().get_caller_identity().send().await.map_err(aws_error("sts:GetCallerIdentity"))?;
            me.account().unwrap_or_default().to_owned()
        };
        Ok(Cx { clients, region: target.region.clone(), account_id, local, artifacts, workspace_root })
    }
}
