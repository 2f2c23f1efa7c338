//! Provider tests' access to the local cloud: a connected `Cx`, unique names
//! (tests share one moto server and run in parallel) and strata tags.
#![allow(dead_code)] // each provider test module uses a part

use std::collections::BTreeMap;
use std::path::PathBuf;

use strata::provider::{aws::Target, Cx, StrataTags};

/// A runtime per test: provider calls are async.
pub fn runtime() -> tokio::runtime::Runtime {
    tokio::runtime::Builder::new_multi_thread().worker_threads(2).enable_all().build().expect("tokio runtime")
}

/// A context on the local cloud (started if needed), in us-east-1.
pub async fn cx() -> Cx {
    let cloud = tokio::task::spawn_blocking(strata::local::ensure_running)
        .await
        .expect("join")
        .expect("the local cloud starts");
    let target = Target { region: "us-east-1".into(), profile: None, endpoint: Some(cloud.endpoint) };
    Cx::connect(&target, BTreeMap::new(), PathBuf::from(env!("CARGO_MANIFEST_DIR"))).await.expect("connect")
}

/// `prefix-<random>`: names that do not collide between tests and runs.
pub fn unique(prefix: &str) -> String {
    format!("{prefix}-{}", &uuid::Uuid::new_v4().simple().to_string()[..10])
}

/// Strata's tags for a resource of a throwaway test stack.
pub fn tags(logical_name: &str) -> StrataTags {
    StrataTags {
        stack: unique("test"),
        environment: "local".into(),
        logical_name: logical_name.into(),
        stack_tags: BTreeMap::from([("project".to_owned(), "strata-tests".to_owned())]),
    }
}
