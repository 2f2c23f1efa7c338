//! Provider tests for the data types against the local cloud (see cloud.rs).
