//! `regwatch completions SHELL` and `regwatch man`: shell completions and manual pages, made
//! from the clap definitions so they never drift from the command line.

use std::path::Path;

use clap::CommandFactory as _;

use super::{Cli, out};
use crate::Error;

/// Prints the completion script for `shell`.
pub(super) fn completions(shell: clap_complete::Shell) -> Result<(), Error> {
    let mut cmd = Cli::command();
    let mut script = Vec::new();
    clap_complete::generate(shell, &mut cmd, "regwatch", &mut script);
    out(&String::from_utf8_lossy(&script))
}

/// Prints the manual page (roff), or writes one page per command to `dir`.
pub(super) fn man(dir: Option<&Path>) -> Result<(), Error> {
    let cmd = Cli::command();
    let Some(dir) = dir else {
        let mut page = Vec::new();
        clap_mangen::Man::new(cmd)
            .render(&mut page)
            .map_err(|source| Error::Io {
                context: "cannot render the manual page".into(),
                source,
            })?;
        return out(&String::from_utf8_lossy(&page));
    };
    let io = |source| Error::Io {
        context: format!("cannot write manual pages to '{}'", dir.display()),
        source,
    };
    std::fs::create_dir_all(dir).map_err(io)?;
    clap_mangen::generate_to(cmd, dir).map_err(io)?;
    out(&format!("manual pages written to {}\n", dir.display()))
}
