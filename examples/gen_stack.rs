//! Writes a synthetic stack of N resources to stdout, for measuring plan time
//! and memory on large graphs:
//!
//!     cargo run --release --example gen_stack -- 10000 > /tmp/big.yaml
//!     /usr/bin/time -v target/release/strata plan /tmp/big.yaml --state /tmp/big.json
//!
//! `--ec2-only` leaves out the log groups (the refresh bench uses it: EC2 is
//! what batched reads are for). The refresh bench includes this file.
//!
//! The shape mimics real networks: VPCs, each with subnets and security
//! groups that reference it, and log groups and KMS keys that reference
//! nothing, so the graph is wide and shallow like production stacks.

use std::fmt::Write as _;

#[allow(dead_code)]
fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let n: usize = args.iter().find_map(|a| a.parse().ok()).unwrap_or(1000);
    print!("{}", generate(n, "generated", args.iter().any(|a| a == "--ec2-only")));
}

/// A stack of `n` resources named `stack`.
pub fn generate(n: usize, stack: &str, ec2_only: bool) -> String {
    let mut out = format!("Stack: {stack}\nResources:\n");
    let mut made = 0;
    let mut vpc = 0;
    while made < n {
        let v = vpc;
        let _ = write!(
            out,
            "  Vpc{v}:\n    Type: AWS::EC2::VPC\n    Properties:\n      CidrBlock: 10.{}.0.0/16\n      Tags:\n        - Key: Name\n          Value: vpc-{v}\n",
            v % 256
        );
        made += 1;
        for s in 0..8 {
            if made >= n {
                break;
            }
            let _ = write!(
                out,
                "  Subnet{v}x{s}:\n    Type: AWS::EC2::Subnet\n    Properties:\n      VpcId: ${{Vpc{v}.VpcId}}\n      CidrBlock: 10.{}.{s}.0/24\n      AvailabilityZone: ${{env.Region}}a\n",
                v % 256
            );
            made += 1;
        }
        for g in 0..4 {
            if made >= n {
                break;
            }
            let _ = write!(
                out,
                "  Sg{v}x{g}:\n    Type: AWS::EC2::SecurityGroup\n    Properties:\n      GroupDescription: group {g} of vpc {v}\n      VpcId: ${{Vpc{v}.VpcId}}\n      SecurityGroupEgress:\n        - IpProtocol: tcp\n          FromPort: 443\n          ToPort: 443\n          CidrIp: 10.{}.0.0/16\n",
                v % 256
            );
            made += 1;
        }
        if made < n && !ec2_only {
            let _ = write!(
                out,
                "  Logs{v}:\n    Type: AWS::Logs::LogGroup\n    Properties:\n      LogGroupName: /generated/${{env.Name}}/{v}\n      RetentionInDays: 30\n"
            );
            made += 1;
        }
        vpc += 1;
    }
    out
}
