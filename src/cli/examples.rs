//! The "Examples:" block at the end of every command's `--help` (and its man
//! page). Kept here, one constant per command, so `cli/mod.rs` stays the
//! command tree; a unit test parses every example line with the real parser,
//! so an example cannot name a flag that does not exist.
//!
//! An example line is `  strata ...`, optionally followed by a shell
//! redirection or pipe and a `  # comment`; its words contain no quotes.

pub const STRATA: &str = "Examples:
  strata validate stacks/acme-scheduling.yaml
  strata plan stacks/acme-scheduling.yaml
  strata apply stacks/acme-scheduling.yaml --auto-approve
  strata -v plan stacks/acme-scheduling.yaml      # strata's debug logs on stderr
  strata -vv plan stacks/acme-scheduling.yaml     # plus the AWS SDK's request logs";

pub const COST: &str = "Examples:
  strata cost stacks/acme-scheduling.yaml
  strata cost stacks/acme-scheduling.yaml --env prod
  strata cost stacks/acme-scheduling.yaml --usage my-usage.yaml --json";

pub const VALIDATE: &str = "Examples:
  strata validate stacks/acme-scheduling.yaml";

pub const PLAN: &str = "Examples:
  strata plan stacks/acme-scheduling.yaml
  strata plan stacks/acme-scheduling.yaml --json
  strata plan stacks/acme-scheduling.yaml --out plans/next.json --detailed-exitcode
  strata plan stacks/acme-scheduling.yaml --target SchedulerManagerFunction
  strata plan stacks/acme-scheduling.yaml --refresh=false";

pub const APPLY: &str = "Examples:
  strata apply stacks/acme-scheduling.yaml
  strata apply stacks/acme-scheduling.yaml --auto-approve --json
  strata apply plans/next.json                      # exactly a saved, reviewed plan
  strata apply stacks/acme-scheduling.yaml --replace OrderExecutorFunction
  strata apply stacks/acme-scheduling.yaml --refresh-only";

pub const DRIFT: &str = "Examples:
  strata drift stacks/acme-scheduling.yaml
  strata drift stacks/acme-scheduling.yaml --env prod --json";

pub const IMPORT: &str = "Examples:
  strata import PurchaseOrdersTable acme-scheduling-local-orders --stack stacks/acme-scheduling.yaml";

pub const DESTROY: &str = "Examples:
  strata destroy stacks/acme-scheduling.yaml
  strata destroy stacks/acme-scheduling.yaml --auto-approve --json";

pub const LOCAL: &str = "Examples:
  strata local start
  strata local run stacks/acme-scheduling.yaml
  strata local status";

pub const LOCAL_START: &str = "Examples:
  strata local start";

pub const LOCAL_STOP: &str = "Examples:
  strata local stop";

pub const LOCAL_STATUS: &str = "Examples:
  strata local status";

pub const LOCAL_RUN: &str = "Examples:
  strata local run stacks/acme-scheduling.yaml
  strata local run stacks/acme-scheduling.yaml --no-apply --port 9090";

pub const LOCAL_LOGIN: &str = "Examples:
  strata local login alice@example.com
  strata local login alice@example.com --token-only --stack stacks/acme-scheduling.yaml";

pub const SHOW: &str = "Examples:
  strata show plans/next.json
  strata show plans/next.json --json";

pub const EXPORT: &str = "Examples:
  strata export cloudformation stacks/acme-scheduling.yaml --env prod --out acme.yaml";

pub const EXPORT_CLOUDFORMATION: &str = "Examples:
  strata export cloudformation stacks/acme-scheduling.yaml --env prod --out acme.yaml
  strata export cloudformation stacks/acme-scheduling.yaml --format json";

pub const PACKAGE: &str = "Examples:
  strata package stacks/acme-scheduling.yaml --env prod --bucket my-artifacts --out acme.yaml";

pub const GRAPH: &str = "Examples:
  strata graph stacks/acme-scheduling.yaml > acme.dot
  strata graph stacks/acme-scheduling.yaml --svg graph.svg
  strata graph --plan plans/next.json --svg plan.svg   # coloured by action";

pub const TYPES: &str = "Examples:
  strata types
  strata types AWS::DynamoDB::Table
  strata types AWS::Lambda::Function --json";

pub const SCHEMA: &str = "Examples:
  strata schema --out strata.schema.json";

pub const COMPLETIONS: &str = "Examples:
  strata completions bash > ~/.local/share/bash-completion/completions/strata
  strata completions zsh > ~/.zfunc/_strata";

pub const OUTPUT: &str = "Examples:
  strata output --stack stacks/acme-scheduling.yaml
  strata output ApiUrl --stack stacks/acme-scheduling.yaml
  strata output --stack stacks/acme-scheduling.yaml --json";

pub const STATE: &str = "Examples:
  strata state list --stack stacks/acme-scheduling.yaml
  strata state show PurchaseOrdersTable --stack stacks/acme-scheduling.yaml --json";

pub const STATE_LIST: &str = "Examples:
  strata state list --stack stacks/acme-scheduling.yaml
  strata state list --state stacks/.strata/state/acme-scheduling/local.json --json";

pub const STATE_SHOW: &str = "Examples:
  strata state show PurchaseOrdersTable --stack stacks/acme-scheduling.yaml";

pub const STATE_RM: &str = "Examples:
  strata state rm ApiLatencyAlarm --stack stacks/acme-scheduling.yaml";

pub const STATE_MV: &str = "Examples:
  strata state mv ApiLatencyAlarm ApiLatencyP99Alarm --stack stacks/acme-scheduling.yaml";

pub const STATE_UNLOCK: &str = "Examples:
  strata state unlock 6f1c2a9e-2b4d-4c1e-9a57-0d3c8f7e1b22 --stack stacks/acme-scheduling.yaml --env prod";

pub const VERSION: &str = "Examples:
  strata version
  strata version --json";

pub const MAN: &str = "Examples:
  strata man --out /usr/local/share/man/man1
  strata man --out man && man -l man/strata-plan.1";
