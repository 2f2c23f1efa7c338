//! Provider tests for the network types against the local cloud (see cloud.rs).
