//! Stack outputs: the spec's `Outputs`, resolved from what state records.
//!
//! They are computed after an apply (and after a plan with nothing to do,
//! since a new or changed output is no change to AWS) and stored in state,
//! so `strata output` answers from the state alone, as `terraform output`
//! does, without reading AWS or needing the spec.

use indexmap::IndexMap;
use serde_json::Value;

use super::action::contains_unknown;
use super::resolve::{EnvValues, KnownAttributes, Resolver};
use crate::spec::Stack;
use crate::state::State;

/// Every output of the spec, resolved from `state`'s attributes; a value
/// that needs an attribute state does not have is an unknown marker.
pub fn resolve(stack: &Stack, env: &EnvValues, state: &State) -> IndexMap<String, Value> {
    let known: KnownAttributes = state.resources.iter().map(|(name, r)| (name.clone(), r.attributes.clone())).collect();
    resolve_with(stack, env, &known)
}

/// The outputs as a plan expects them after its apply: attributes of
/// resources the plan leaves in place (no change, or an update) are known
/// from state; those of resources it creates or replaces are unknown.
pub fn planned(
    stack: &Stack,
    env: &EnvValues,
    state: Option<&State>,
    changes: &[super::ResourceChange],
) -> IndexMap<String, Value> {
    let kept = |name: &str| {
        changes.iter().any(|c| c.name == name && matches!(c.action, super::Action::NoOp | super::Action::Update))
    };
    let known: KnownAttributes = state
        .map(|s| {
            s.resources
                .iter()
                .filter(|(name, _)| kept(name))
                .map(|(name, r)| (name.clone(), r.attributes.clone()))
                .collect()
        })
        .unwrap_or_default();
    resolve_with(stack, env, &known)
}

fn resolve_with(stack: &Stack, env: &EnvValues, known: &KnownAttributes) -> IndexMap<String, Value> {
    let resolver = Resolver { env, attributes: known };
    stack.outputs.iter().map(|(name, output)| (name.clone(), resolver.resolve(&output.value))).collect()
}

/// The outputs whose values are all known: what state stores.
pub fn known(stack: &Stack, env: &EnvValues, state: &State) -> IndexMap<String, Value> {
    resolve(stack, env, state).into_iter().filter(|(_, v)| !contains_unknown(v)).collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::state::ResourceState;

    fn stack() -> Stack {
        let text = "Stack: demo\nResources:\n  Logs:\n    Type: AWS::Logs::LogGroup\n    Properties:\n      LogGroupName: /demo\nOutputs:\n  LogsArn:\n    Value: ${Logs.Arn}\n  Where:\n    Value: ${env.Region}/${Logs.Arn}\n  Fixed:\n    Value: plain\n";
        crate::spec::load_str(std::path::Path::new("demo.yaml"), text.to_owned()).expect("a valid spec")
    }

    fn env() -> EnvValues {
        EnvValues {
            stack: "demo".into(),
            environment: "local".into(),
            region: Some("eu-west-1".into()),
            account_id: None,
        }
    }

    #[test]
    fn outputs_resolve_from_recorded_attributes_and_unknowns_are_not_stored() {
        let mut state = State::new("demo", "local");
        assert_eq!(known(&stack(), &env(), &state).keys().collect::<Vec<_>>(), ["Fixed"]);
        state.resources.insert(
            "Logs".into(),
            ResourceState {
                type_name: "AWS::Logs::LogGroup".into(),
                physical_id: "/demo".into(),
                properties: Value::Null,
                attributes: [("Arn".to_owned(), Value::from("arn:logs:/demo"))].into_iter().collect(),
                dependencies: Vec::new(),
                prevent_destroy: false,
            },
        );
        let out = known(&stack(), &env(), &state);
        assert_eq!(out["LogsArn"], "arn:logs:/demo");
        assert_eq!(out["Where"], "eu-west-1/arn:logs:/demo");
        assert_eq!(out.keys().collect::<Vec<_>>(), ["LogsArn", "Where", "Fixed"], "in the spec's order");
    }
}
