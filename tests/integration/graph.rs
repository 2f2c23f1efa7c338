//! `strata graph`.

use crate::support::{stdout, Scratch};

#[test]
fn graph_prints_dot_with_an_edge_per_dependency() {
    let s = Scratch::with_spec(
        "Stack: demo\nResources:\n  Vpc:\n    Type: AWS::EC2::VPC\n    Properties:\n      CidrBlock: 10.0.0.0/16\n  Subnet:\n    Type: AWS::EC2::Subnet\n    Properties:\n      VpcId: ${Vpc.VpcId}\n      CidrBlock: 10.0.1.0/24\n",
    );
    let out = s.run(&["graph", "stack.yaml"]);
    assert!(out.status.success());
    insta::assert_snapshot!("graph_dot_small", stdout(&out));
}
