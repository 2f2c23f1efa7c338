//! Service families: how `strata graph` groups resources into clusters.
//! The one place a resource type is mapped to a family, by its service
//! (the middle part of `AWS::<Service>::<Resource>`).

/// A group of services that a reader of the picture thinks of together.
/// Declaration order is the order the clusters are drawn in.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Family {
    Network,
    Data,
    Compute,
    Api,
    Operations,
    Other,
}

impl Family {
    pub const ALL: [Family; 6] =
        [Family::Network, Family::Data, Family::Compute, Family::Api, Family::Operations, Family::Other];

    /// The family of a CloudFormation type name.
    pub fn of(type_name: &str) -> Family {
        match type_name.split("::").nth(1).unwrap_or_default() {
            "EC2" => Family::Network,
            "DynamoDB" | "KMS" | "S3" | "SQS" | "SNS" => Family::Data,
            "Lambda" | "IAM" => Family::Compute,
            "ApiGateway" | "Cognito" => Family::Api,
            "CloudWatch" | "Logs" | "Scheduler" => Family::Operations,
            _ => Family::Other,
        }
    }

    /// The cluster's id in DOT (`cluster_` makes Graphviz draw a box).
    pub fn cluster_id(self) -> &'static str {
        match self {
            Family::Network => "cluster_network",
            Family::Data => "cluster_data",
            Family::Compute => "cluster_compute",
            Family::Api => "cluster_api",
            Family::Operations => "cluster_operations",
            Family::Other => "cluster_other",
        }
    }

    /// The cluster's caption.
    pub fn label(self) -> &'static str {
        match self {
            Family::Network => "Network (EC2)",
            Family::Data => "Data (DynamoDB, KMS, S3, SQS, SNS)",
            Family::Compute => "Compute (Lambda, IAM)",
            Family::Api => "API (API Gateway, Cognito)",
            Family::Operations => "Monitoring and scheduling (CloudWatch, Logs, Scheduler)",
            Family::Other => "Other",
        }
    }
}

#[cfg(test)]
mod tests {
    use super::Family;

    #[test]
    fn every_supported_type_has_a_family_of_its_own() {
        for t in crate::provider::registry::type_names() {
            assert_ne!(Family::of(t), Family::Other, "{t} is in no family");
        }
        assert_eq!(Family::of("AWS::EC2::Subnet"), Family::Network);
        assert_eq!(Family::of("AWS::Scheduler::ScheduleGroup"), Family::Operations);
        assert_eq!(Family::of("Custom::Thing"), Family::Other);
    }
}
