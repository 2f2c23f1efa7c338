//! Provider tests for the compute types against the local cloud (see cloud.rs).
