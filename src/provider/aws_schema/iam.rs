//! The IAM actions of every AWS service (`schemas/aws/iam-actions.json`, from
//! the same pinned cfn-lint wheel as the resource schemas), so a misspelt
//! action in a policy is caught before AWS rejects it (or, worse, accepts it
//! and the permission is silently missing).

use std::collections::{BTreeMap, BTreeSet};
use std::sync::LazyLock;

/// Service prefix -> its actions, lowercase (IAM matches actions case-insensitively).
static ACTIONS: LazyLock<BTreeMap<String, BTreeSet<String>>> = LazyLock::new(|| {
    serde_json::from_str(include_str!("../../../schemas/aws/iam-actions.json"))
        .expect("schemas/aws/iam-actions.json is generated JSON")
});

/// Why an action string names nothing real.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ActionProblem {
    /// Not `service:action`.
    Malformed,
    /// The part before `:` is no AWS service prefix.
    UnknownService { suggestion: Option<String> },
    /// The service has no such action (or no action matches the wildcard).
    UnknownAction { suggestion: Option<String> },
}

/// Checks one `Action` / `NotAction` entry: `*`, `service:*`,
/// `service:Name` or a wildcard such as `kms:Encrypt*` that matches at least
/// one real action.
pub fn check_action(action: &str) -> Result<(), ActionProblem> {
    if action == "*" {
        return Ok(());
    }
    let Some((service, name)) = action.split_once(':') else { return Err(ActionProblem::Malformed) };
    let service = service.to_ascii_lowercase();
    let Some(actions) = ACTIONS.get(&service) else {
        let suggestion = closest(&service, ACTIONS.keys().map(String::as_str));
        return Err(ActionProblem::UnknownService { suggestion });
    };
    let name = name.to_ascii_lowercase();
    let found = if name.contains(['*', '?']) {
        actions.iter().any(|a| wildcard_match(&name, a))
    } else {
        actions.contains(&name)
    };
    if found {
        return Ok(());
    }
    let suggestion = closest(&name, actions.iter().map(String::as_str))
        .map(|s| format!("{service}:{}", display_case(name_in(action), &s)));
    Err(ActionProblem::UnknownAction { suggestion })
}

fn name_in(action: &str) -> &str {
    action.split_once(':').map(|(_, n)| n).unwrap_or(action)
}

/// The data is lowercase; show the suggestion in the case the user wrote
/// where the letters line up (`PutItm` -> `PutItem`), which is AWS's case.
fn display_case(written: &str, lower: &str) -> String {
    let mut out = String::with_capacity(lower.len());
    let mut written = written.chars().peekable();
    let mut upper_next = true;
    for c in lower.chars() {
        match written.peek() {
            Some(w) if w.to_ascii_lowercase() == c => {
                out.push(*w);
                written.next();
            }
            _ if upper_next => out.push(c.to_ascii_uppercase()),
            _ => out.push(c),
        }
        upper_next = false;
    }
    out
}

fn closest<'a>(wanted: &str, candidates: impl Iterator<Item = &'a str>) -> Option<String> {
    candidates
        .map(|c| (strsim::jaro_winkler(wanted, c), c))
        .filter(|(score, _)| *score > 0.85)
        .max_by(|a, b| a.0.total_cmp(&b.0))
        .map(|(_, c)| c.to_string())
}

/// IAM's wildcard match: `*` any run of characters, `?` one character.
fn wildcard_match(pattern: &str, text: &str) -> bool {
    let (p, t): (Vec<char>, Vec<char>) = (pattern.chars().collect(), text.chars().collect());
    let (mut pi, mut ti, mut star, mut mark) = (0, 0, None, 0);
    while ti < t.len() {
        if pi < p.len() && (p[pi] == '?' || p[pi] == t[ti]) {
            pi += 1;
            ti += 1;
        } else if pi < p.len() && p[pi] == '*' {
            star = Some(pi);
            mark = ti;
            pi += 1;
        } else if let Some(s) = star {
            pi = s + 1;
            mark += 1;
            ti = mark;
        } else {
            return false;
        }
    }
    p[pi..].iter().all(|&c| c == '*')
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn real_actions_and_wildcards_pass() {
        for ok in ["*", "dynamodb:PutItem", "DynamoDB:putitem", "kms:Encrypt*", "logs:*", "kms:Re*", "s3:Get?bject"] {
            assert_eq!(check_action(ok), Ok(()), "{ok}");
        }
    }

    #[test]
    fn misspelt_action_gets_the_real_one_suggested() {
        assert_eq!(
            check_action("dynamodb:PutItm"),
            Err(ActionProblem::UnknownAction { suggestion: Some("dynamodb:PutItem".into()) })
        );
        assert!(matches!(check_action("kms:Encrypx*"), Err(ActionProblem::UnknownAction { .. })));
    }

    #[test]
    fn unknown_service_and_malformed() {
        assert!(matches!(check_action("dynamo:PutItem"), Err(ActionProblem::UnknownService { .. })));
        assert_eq!(check_action("PutItem"), Err(ActionProblem::Malformed));
    }
}
