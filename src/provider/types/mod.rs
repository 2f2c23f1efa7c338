//! One module per resource type, each exporting `pub const SCHEMA` and a
//! `Provider`. The registry (`super::registry`) lists them all; a new type
//! is a new module here plus one line in each of the registry's two lists.
//!
//! # The layout every type file follows
//!
//! A reader looking for a type's find, its read mapping, its update rules or
//! what the local cloud cannot do finds them in the same place in every file,
//! in this order, each section under the same `// --- name --` header:
//!
//! 1. **Module doc**: what the type is and what AWS does that a user would
//!    not guess (which properties are createOnly and why, asynchronous
//!    states, what the local cloud, moto, lacks).
//! 2. **Schema**: `pub const SCHEMA`, strata's registry entry (what strata
//!    can deploy: properties, createOnly flags, attributes, the id
//!    attribute). AWS's own resource schema (`provider::aws_schema`) judges
//!    the values; `SCHEMA` only says what this provider handles. The
//!    schema's `ValueType::*` names are imported inside the const block, so
//!    they never shadow `String` in the code below.
//! 3. **Provider**: `pub struct Provider` and its `ResourceProvider` impl
//!    with the methods in the trait's order (`find`, `create`, `read`,
//!    `update`, `delete`). The methods stay short: each says in its doc what
//!    it does (for `update`: which properties converge how) and calls the
//!    sections below. The EC2 types implement `ec2_common::Ec2Type`
//!    instead, whose blanket impl is their `ResourceProvider`.
//! 4. `identity`: how the resource is named and looked up: the describe or
//!    get that every operation uses (None when AWS says it does not exist,
//!    see `NotFoundExt`), ids/ARNs/generated names, `applied` (the physical
//!    id and attributes), the service's `tagging::TagApi` and what `find`
//!    needs (strata's identity tags, `StrataTags::claim`). A type a plan
//!    may create by the thousand also answers `find_many` with one listing
//!    (`provider::lookup::by_listed_name`, `ec2_common::find_tagged`).
//! 5. `create`: turning the spec's properties into the create request, and
//!    the bounded wait until the new resource is usable.
//! 6. `read`: the live resource in the spec's terms (the mapping drift
//!    compares), recorded-order alignment and echoes of write-only values.
//! 7. `update`: one function per property group that converges in place,
//!    comparing with what AWS has now.
//! 8. `delete`: what deleting needs beyond the call (waits, "already gone").
//! 9. `local cloud`: moto's gaps, refused with a message or worked around,
//!    each saying which moto version lacks what.
//! 10. Unit tests.
//!
//! A section a type does not need is left out. What several types share is
//! not copied into them: it lives once in `tagging` (tags), `ec2_common`
//! (the EC2 path), `props` (plain property getters), `data_common`,
//! `compute_common`, `api_common` (property access, waits and conversions per
//! service family), `provider::error`
//! (`NotFoundExt`) and `provider::retry`. A file that outgrows 450 lines
//! moves whole sections into child modules named after them
//! (`dynamodb_table/update.rs`); its own header then says where they went.
//!
//! The worked example is `kms_alias`, the smallest complete type: schema,
//! a provider whose `find` looks the alias up by name (aliases take no tags,
//! so an existing alias is adopted only when it already points at the
//! spec's key), and an `identity` section with its one lookup and `applied`.

pub mod api_common;
pub mod apigateway_authorizer;
pub mod apigateway_deployment;
pub mod apigateway_method;
pub mod apigateway_resource;
pub mod apigateway_rest_api;
pub mod apigateway_stage;
pub mod cloudwatch_alarm;
pub mod cognito_user_pool;
pub mod cognito_user_pool_client;
pub mod compute_common;
pub mod data_common;
pub mod dynamodb_table;
pub mod ec2_common;
pub mod ec2_route_table;
pub mod ec2_security_group;
pub mod ec2_subnet;
pub mod ec2_subnet_route_table_association;
pub mod ec2_vpc;
pub mod ec2_vpc_endpoint;
pub mod iam_role;
pub mod kms_alias;
pub mod kms_key;
pub mod lambda_function;
pub mod lambda_permission;
pub mod logs_log_group;
pub mod props;
pub mod scheduler_schedule;
pub mod scheduler_schedule_group;
pub mod tagging;
