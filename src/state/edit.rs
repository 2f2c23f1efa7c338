//! `strata state rm` and `strata state mv` as pure edits of a [`State`]: no
//! I/O, so the rules (what may be removed or renamed, what a rename must
//! carry along) are tested without a backend.

use indexmap::IndexMap;

use super::{ResourceState, State, StateError};

/// What `rm` took out of the state.
#[derive(Debug, Clone, PartialEq)]
pub struct Removed {
    pub resource: Option<ResourceState>,
    /// The old object of a create-before-destroy replacement, if one was recorded.
    pub deposed: Option<ResourceState>,
}

impl State {
    /// Every recorded logical name (live first, then deposed-only ones).
    pub fn names(&self) -> Vec<&str> {
        let mut names: Vec<&str> = self.resources.keys().map(String::as_str).collect();
        names.extend(self.deposed.keys().map(String::as_str).filter(|n| !self.resources.contains_key(*n)));
        names
    }

    /// Forgets `name` (its live object and any deposed one). AWS is not
    /// touched: the resources keep existing, unmanaged.
    pub fn remove(&mut self, name: &str) -> Result<Removed, StateError> {
        if !self.resources.contains_key(name) && !self.deposed.contains_key(name) {
            return Err(self.unknown_resource(name));
        }
        Ok(Removed { resource: self.resources.shift_remove(name), deposed: self.deposed.shift_remove(name) })
    }

    /// Renames `old` to `new` in place (the order of the state is kept), with
    /// its deposed object, and in every other resource's dependency list so
    /// deletes stay ordered.
    pub fn rename(&mut self, old: &str, new: &str) -> Result<(), StateError> {
        if !self.resources.contains_key(old) && !self.deposed.contains_key(old) {
            return Err(self.unknown_resource(old));
        }
        if self.resources.contains_key(new) || self.deposed.contains_key(new) {
            return Err(StateError::NameTaken { name: new.to_owned(), old: old.to_owned() });
        }
        self.resources = rename_key(std::mem::take(&mut self.resources), old, new);
        self.deposed = rename_key(std::mem::take(&mut self.deposed), old, new);
        for r in self.resources.values_mut().chain(self.deposed.values_mut()) {
            for dep in r.dependencies.iter_mut().filter(|d| d.as_str() == old) {
                *dep = new.to_owned();
            }
        }
        Ok(())
    }

    /// The error for a name the state does not record: names a close match
    /// and the recorded names.
    pub fn unknown_resource(&self, name: &str) -> StateError {
        let help = not_found_help(name, &self.names(), "the state records no resources", "recorded");
        StateError::UnknownResource { name: name.to_owned(), help }
    }

    /// `name` is not among the stored outputs: the error says which are.
    pub fn unknown_output(&self, name: &str) -> StateError {
        let names: Vec<&str> = self.outputs.keys().map(String::as_str).collect();
        let help = not_found_help(
            name,
            &names,
            "the state has no outputs: declare them under `Outputs:` and apply",
            "outputs",
        );
        StateError::UnknownOutput { name: name.to_owned(), help }
    }
}

fn rename_key(map: IndexMap<String, ResourceState>, old: &str, new: &str) -> IndexMap<String, ResourceState> {
    map.into_iter().map(|(k, v)| if k == old { (new.to_owned(), v) } else { (k, v) }).collect()
}

/// "did you mean" and the names there are, or `empty` when there are none.
fn not_found_help(name: &str, names: &[&str], empty: &str, label: &str) -> String {
    if names.is_empty() {
        return empty.to_owned();
    }
    let known = format!("{label}: {}", names.join(", "));
    match crate::spec::diagnostic::did_you_mean_hint(name, names.iter().copied()) {
        Some(hint) => format!("{hint} ({known})"),
        None => known,
    }
}

#[cfg(test)]
mod tests {
    use std::collections::BTreeMap;

    use super::*;

    fn resource(deps: &[&str]) -> ResourceState {
        ResourceState {
            type_name: "AWS::Logs::LogGroup".into(),
            physical_id: "x".into(),
            properties: serde_json::json!({}),
            attributes: BTreeMap::new(),
            dependencies: deps.iter().map(|d| d.to_string()).collect(),
            prevent_destroy: false,
        }
    }

    fn state() -> State {
        let mut s = State::new("st", "local");
        s.resources.insert("Key".into(), resource(&[]));
        s.resources.insert("Logs".into(), resource(&["Key"]));
        s.resources.insert("Alarm".into(), resource(&["Logs"]));
        s.deposed.insert("Logs".into(), resource(&["Key"]));
        s.deposed.insert("Gone".into(), resource(&[]));
        s
    }

    #[test]
    fn rename_keeps_order_and_rewrites_dependencies() {
        let mut s = state();
        s.rename("Logs", "AppLogs").unwrap();
        assert_eq!(s.resources.keys().collect::<Vec<_>>(), ["Key", "AppLogs", "Alarm"]);
        assert_eq!(s.resources["Alarm"].dependencies, ["AppLogs"]);
        assert!(s.deposed.contains_key("AppLogs") && !s.deposed.contains_key("Logs"));
    }

    #[test]
    fn rename_refuses_a_taken_name_and_an_unknown_one() {
        let mut s = state();
        let before = s.clone();
        assert!(matches!(s.rename("Logs", "Alarm"), Err(StateError::NameTaken { .. })));
        assert!(matches!(s.rename("Logs", "Gone"), Err(StateError::NameTaken { .. })));
        let err = s.rename("Lgos", "X").unwrap_err();
        assert!(err.to_string().contains("Lgos"), "{err}");
        let help = miette::Diagnostic::help(&err).unwrap().to_string();
        assert!(help.contains("did you mean `Logs`?"), "{help}");
        assert_eq!(s, before, "a refused edit changes nothing");
    }

    #[test]
    fn remove_takes_the_deposed_object_too_and_names_the_known_ones() {
        let mut s = state();
        let removed = s.remove("Logs").unwrap();
        assert!(removed.resource.is_some() && removed.deposed.is_some());
        assert_eq!(s.names(), ["Key", "Alarm", "Gone"]);
        let removed = s.remove("Gone").unwrap();
        assert!(removed.resource.is_none() && removed.deposed.is_some());
        let err = s.remove("Nope").unwrap_err();
        let help = miette::Diagnostic::help(&err).unwrap().to_string();
        assert!(help.contains("recorded: Key, Alarm"), "{help}");
    }
}
