//! `regwatch config check`: validates the configuration (exit 2 with file:line:column errors).

use super::{Cli, load_config, out};
use crate::Error;

/// Loads the configuration and says what it holds.
pub(super) fn check(cli: &Cli) -> Result<(), Error> {
    let c = load_config(cli)?;
    // Not an error: the source is skipped until the variable is set.
    for line in crate::terminal::unset_env_warnings(&c, |k| std::env::var_os(k).is_some()) {
        eprintln!("{line}");
    }
    out(&crate::terminal::config_summary(&cli.config, &c))
}
