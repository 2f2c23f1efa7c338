//! The command line itself (issue #15): completion scripts for the shells
//! people use, and a `--version` that names what strata pins.

use crate::support::{repo_root, stdout, strata};

#[test]
fn completion_scripts_for_bash_zsh_and_fish() {
    for (shell, marker) in [("bash", "complete -F _strata"), ("zsh", "#compdef strata"), ("fish", "complete -c strata")] {
        let out = strata(&repo_root(), &["completions", shell]);
        assert!(out.status.success(), "{shell}");
        let script = stdout(&out);
        assert!(script.contains(marker), "{shell} script lacks {marker:?}");
        for command in ["apply", "plan", "output", "drift"] {
            assert!(script.contains(command), "{shell} completes {command}");
        }
    }
    let out = strata(&repo_root(), &["completions", "tcsh"]);
    assert_eq!(out.status.code(), Some(1), "an unknown shell is refused");
}

#[test]
fn version_names_the_pinned_local_cloud_build_tools_and_schemas() {
    let out = strata(&repo_root(), &["--version"]);
    assert!(out.status.success());
    let text = stdout(&out);
    assert!(text.starts_with(&format!("strata {}", env!("CARGO_PKG_VERSION"))), "{text}");
    for pinned in ["moto 5.2.5", "cargo-lambda==", "ziglang==", "cfn-lint 1."] {
        assert!(text.contains(pinned), "{pinned} in:\n{text}");
    }
}
