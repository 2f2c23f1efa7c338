//! The stack the fault test and the fault bench apply through the fault
//! proxy: one resource of each kind whose create the proxy can make
//! ambiguous (EC2, DynamoDB, Logs, IAM, KMS), with references between them.
//! `STACK` is replaced by a unique stack name.

pub const SPEC: &str = r#"Stack: STACK
Resources:
  Vpc:
    Type: AWS::EC2::VPC
    Properties:
      CidrBlock: 10.77.0.0/16
  Subnet:
    Type: AWS::EC2::Subnet
    Properties:
      VpcId: ${Vpc.VpcId}
      CidrBlock: 10.77.1.0/24
  Sg:
    Type: AWS::EC2::SecurityGroup
    Properties:
      GroupDescription: faults
      VpcId: ${Vpc.VpcId}
  Orders:
    Type: AWS::DynamoDB::Table
    Properties:
      TableName: ${stack.Name}-orders
      BillingMode: PAY_PER_REQUEST
      AttributeDefinitions:
        - AttributeName: id
          AttributeType: S
      KeySchema:
        - AttributeName: id
          KeyType: HASH
  Logs:
    Type: AWS::Logs::LogGroup
    Properties:
      LogGroupName: /strata-tests/${stack.Name}
      RetentionInDays: 7
  Role:
    Type: AWS::IAM::Role
    Properties:
      AssumeRolePolicyDocument:
        Version: "2012-10-17"
        Statement:
          - Effect: Allow
            Principal: { Service: lambda.amazonaws.com }
            Action: sts:AssumeRole
  Key:
    Type: AWS::KMS::Key
    Properties:
      Description: faults
"#;
