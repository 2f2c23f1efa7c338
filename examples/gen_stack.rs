//! Writes a synthetic stack of N resources to stdout, for measuring plan time
//! and memory on large graphs:
//!
//!     cargo run --release --example gen_stack -- 10000 > /tmp/big.yaml
//!     cargo run --release --example gen_stack -- 100000 --shape big-vpcs > /tmp/big.yaml
//!     /usr/bin/time -v target/release/strata plan /tmp/big.yaml --state /tmp/big.json
//!
//! `--ec2-only` leaves out the log groups (the refresh bench uses it: EC2 is
//! what batched reads are for). The refresh and plan benches include this file.
//!
//! Shapes (`--shape`, default `network`), each a way large stacks grow that
//! once made validation or planning superlinear:
//!
//! - `network`: VPCs, each with 8 subnets, 4 security groups that reference
//!   it and a log group: wide and shallow like production networks.
//! - `many-subnets`: many VPCs with 64 subnets each (subnet checks).
//! - `big-vpcs`: /16 VPCs carved into 4,096 /28 subnets each (thousands of
//!   subnets and dependents per VPC: per-VPC checks, graph fan-out).
//! - `services`: DynamoDB tables encrypted with a shared KMS key (one key
//!   with thousands of dependents), IAM roles whose policies name 8 tables
//!   each, and log groups.
//! - `mixed`: `network` and `services` interleaved.

use std::fmt::Write as _;

/// A kind of synthetic stack; see the module documentation.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[allow(dead_code)]
pub enum Shape {
    Network,
    ManySubnets,
    BigVpcs,
    Services,
    Mixed,
}

#[allow(dead_code)]
impl Shape {
    pub const ALL: [Shape; 5] = [Shape::Network, Shape::ManySubnets, Shape::BigVpcs, Shape::Services, Shape::Mixed];

    pub fn name(self) -> &'static str {
        match self {
            Shape::Network => "network",
            Shape::ManySubnets => "many-subnets",
            Shape::BigVpcs => "big-vpcs",
            Shape::Services => "services",
            Shape::Mixed => "mixed",
        }
    }

    pub fn parse(name: &str) -> Option<Shape> {
        Shape::ALL.into_iter().find(|s| s.name() == name)
    }
}

#[allow(dead_code)]
fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let n: usize = args.iter().find_map(|a| a.parse().ok()).unwrap_or(1000);
    let shape = match args.iter().position(|a| a == "--shape").and_then(|i| args.get(i + 1)) {
        Some(name) => Shape::parse(name).unwrap_or_else(|| {
            let names: Vec<&str> = Shape::ALL.iter().map(|s| s.name()).collect();
            eprintln!("unknown shape `{name}`; shapes: {}", names.join(", "));
            std::process::exit(2);
        }),
        None => Shape::Network,
    };
    if args.iter().any(|a| a == "--ec2-only") {
        print!("{}", generate(n, "generated", true));
    } else {
        print!("{}", generate_shape(n, "generated", shape));
    }
}

/// A stack of `n` resources named `stack` of the `network` shape.
pub fn generate(n: usize, stack: &str, ec2_only: bool) -> String {
    let mut out = header(stack);
    let mut w = Writer { out: &mut out, made: 0, n };
    let mut vpc = 0;
    while !w.full() {
        network_group(&mut w, vpc, ec2_only);
        vpc += 1;
    }
    out
}

/// A stack of `n` resources named `stack` of the given shape.
#[allow(dead_code)]
pub fn generate_shape(n: usize, stack: &str, shape: Shape) -> String {
    if shape == Shape::Network {
        return generate(n, stack, false);
    }
    let mut out = header(stack);
    let mut w = Writer { out: &mut out, made: 0, n };
    let mut group = 0;
    while !w.full() {
        match shape {
            Shape::Network => network_group(&mut w, group, false),
            Shape::ManySubnets => vpc_with_subnets(&mut w, group, 64, 24),
            Shape::BigVpcs => vpc_with_subnets(&mut w, group, 4096, 28),
            Shape::Services => services_group(&mut w, group),
            Shape::Mixed if group % 2 == 0 => network_group(&mut w, group / 2, false),
            Shape::Mixed => services_group(&mut w, group / 2),
        }
        group += 1;
    }
    out
}

fn header(stack: &str) -> String {
    format!("Stack: {stack}\nResources:\n")
}

/// Appends resources until `n` are written.
struct Writer<'a> {
    out: &'a mut String,
    made: usize,
    n: usize,
}

impl Writer<'_> {
    fn full(&self) -> bool {
        self.made >= self.n
    }

    /// Writes one resource (its YAML, indented under `Resources:`) unless
    /// the stack is full.
    fn resource(&mut self, yaml: impl FnOnce(&mut String)) {
        if !self.full() {
            yaml(self.out);
            self.made += 1;
        }
    }
}

/// `Vpc{v}` with a /16 that differs between neighbouring VPCs.
fn vpc(w: &mut Writer<'_>, v: usize) {
    w.resource(|out| {
        let _ = write!(
            out,
            "  Vpc{v}:\n    Type: AWS::EC2::VPC\n    Properties:\n      CidrBlock: 10.{}.0.0/16\n      Tags:\n        - Key: Name\n          Value: vpc-{v}\n",
            v % 256
        );
    });
}

/// The `network` shape's group: a VPC, 8 subnets, 4 security groups and
/// (unless `ec2_only`) a log group.
fn network_group(w: &mut Writer<'_>, v: usize, ec2_only: bool) {
    vpc(w, v);
    for s in 0..8 {
        w.resource(|out| {
            let _ = write!(
                out,
                "  Subnet{v}x{s}:\n    Type: AWS::EC2::Subnet\n    Properties:\n      VpcId: ${{Vpc{v}.VpcId}}\n      CidrBlock: 10.{}.{s}.0/24\n      AvailabilityZone: ${{env.Region}}a\n",
                v % 256
            );
        });
    }
    for g in 0..4 {
        w.resource(|out| {
            let _ = write!(
                out,
                "  Sg{v}x{g}:\n    Type: AWS::EC2::SecurityGroup\n    Properties:\n      GroupDescription: group {g} of vpc {v}\n      VpcId: ${{Vpc{v}.VpcId}}\n      SecurityGroupEgress:\n        - IpProtocol: tcp\n          FromPort: 443\n          ToPort: 443\n          CidrIp: 10.{}.0.0/16\n",
                v % 256
            );
        });
    }
    if !ec2_only {
        w.resource(|out| {
            let _ = write!(
                out,
                "  Logs{v}:\n    Type: AWS::Logs::LogGroup\n    Properties:\n      LogGroupName: /generated/${{env.Name}}/{v}\n      RetentionInDays: 30\n"
            );
        });
    }
}

/// A /16 VPC holding `count` subnets of prefix length `prefix` (24..=28),
/// disjoint, and one security group.
fn vpc_with_subnets(w: &mut Writer<'_>, v: usize, count: u32, prefix: u32) {
    vpc(w, v);
    let size = 1u32 << (32 - prefix);
    for s in 0..count.min(65536 / size) {
        let offset = s * size;
        w.resource(|out| {
            let _ = write!(
                out,
                "  Subnet{v}x{s}:\n    Type: AWS::EC2::Subnet\n    Properties:\n      VpcId: ${{Vpc{v}.VpcId}}\n      CidrBlock: 10.{}.{}.{}/{prefix}\n      AvailabilityZone: ${{env.Region}}a\n",
                v % 256,
                offset >> 8,
                offset & 0xff
            );
        });
    }
    w.resource(|out| {
        let _ = write!(
            out,
            "  Sg{v}:\n    Type: AWS::EC2::SecurityGroup\n    Properties:\n      GroupDescription: vpc {v}\n      VpcId: ${{Vpc{v}.VpcId}}\n"
        );
    });
}

/// The `services` shape's group: 8 tables encrypted with the stack's one
/// KMS key (written with the first group), a role allowed to use those
/// tables, and a log group.
fn services_group(w: &mut Writer<'_>, g: usize) {
    if g == 0 {
        w.resource(|out| {
            out.push_str("  DataKey:\n    Type: AWS::KMS::Key\n    Properties:\n      Description: the tables' key\n");
        });
    }
    for t in 0..8 {
        w.resource(|out| {
            let _ = write!(
                out,
                "  Table{g}x{t}:\n    Type: AWS::DynamoDB::Table\n    Properties:\n      TableName: ${{stack.Name}}-${{env.Name}}-{g}-{t}\n      BillingMode: PAY_PER_REQUEST\n      AttributeDefinitions:\n        - AttributeName: id\n          AttributeType: S\n      KeySchema:\n        - AttributeName: id\n          KeyType: HASH\n      SSESpecification:\n        SSEEnabled: true\n        SSEType: KMS\n        KMSMasterKeyId: ${{DataKey.Arn}}\n"
            );
        });
    }
    w.resource(|out| {
        let _ = write!(
            out,
            "  Role{g}:\n    Type: AWS::IAM::Role\n    Properties:\n      RoleName: ${{stack.Name}}-${{env.Name}}-{g}\n      AssumeRolePolicyDocument:\n        Version: \"2012-10-17\"\n        Statement:\n          - Effect: Allow\n            Principal:\n              Service: lambda.amazonaws.com\n            Action: sts:AssumeRole\n      Policies:\n        - PolicyName: tables\n          PolicyDocument:\n            Version: \"2012-10-17\"\n            Statement:\n              - Effect: Allow\n                Action:\n                  - dynamodb:GetItem\n                  - dynamodb:PutItem\n                Resource:\n"
        );
        for t in 0..8 {
            let _ = writeln!(out, "                  - ${{Table{g}x{t}.Arn}}");
        }
    });
    w.resource(|out| {
        let _ = write!(
            out,
            "  ServiceLogs{g}:\n    Type: AWS::Logs::LogGroup\n    Properties:\n      LogGroupName: /generated/${{env.Name}}/service-{g}\n      RetentionInDays: 14\n"
        );
    });
}
