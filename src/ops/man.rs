//! `strata man`: roff man pages from the same clap tree as `--help`, so the
//! pages cannot drift from the binary: `strata.1`, and one page per
//! subcommand named after its path (`strata-plan.1`, `strata-state-list.1`),
//! as git and cargo ship theirs.

use std::path::{Path, PathBuf};

use super::OpsError;

/// Writes every page into `dir` (created if missing); returns the files
/// written, the command's own page last. clap_mangen's `generate_to` walks
/// the tree the same way but does not say what it wrote.
pub fn write_pages(cmd: clap::Command, dir: &Path) -> Result<Vec<PathBuf>, OpsError> {
    let failed = |path: &Path| {
        let path = path.display().to_string();
        move |source| OpsError::WriteFile { path, source }
    };
    std::fs::create_dir_all(dir).map_err(failed(dir))?;
    // As generate_to: no `help` pseudo-subcommand, and built once so each
    // subcommand knows its full name (`strata-state-list`).
    let mut cmd = cmd.disable_help_subcommand(true);
    cmd.build();
    let mut written = Vec::new();
    write_tree(cmd, dir, &mut written).map_err(failed(dir))?;
    Ok(written)
}

fn write_tree(cmd: clap::Command, dir: &Path, written: &mut Vec<PathBuf>) -> std::io::Result<()> {
    for sub in cmd.get_subcommands().filter(|s| !s.is_hide_set()).cloned() {
        write_tree(sub, dir, written)?;
    }
    written.push(clap_mangen::Man::new(cmd).generate_to(dir)?);
    Ok(())
}
