//! Provider tests for the api types against the local cloud (see cloud.rs).
