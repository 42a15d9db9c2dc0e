//! The hidden `regwatch measure` command: runs a command and reports its wall time, CPU time
//! and peak RSS (through `wait4`, the one use of `libc`). Only the benchmark uses it.

use std::process::Command;
use std::time::{Duration, Instant};

use serde::Serialize;

use crate::Error;

/// What `regwatch measure` writes about the command it ran.
#[derive(Debug, Clone, Serialize, serde::Deserialize)]
pub struct Usage {
    /// Exit code (-1 when killed by a signal).
    pub status: i32,
    /// Wall time in seconds.
    pub wall_s: f64,
    /// User + system CPU seconds.
    pub cpu_s: f64,
    /// Peak resident set size in KiB.
    pub max_rss_kib: u64,
}

/// Runs `argv` (stdio inherited) and measures it with `wait4`. This is the hidden
/// `regwatch measure` command: the benchmark runs each tool through it because Linux carries a
/// process's peak RSS across `exec`, so a tool spawned straight from the benchmark (which holds
/// every page in memory) would inherit the benchmark's peak. Spawned from this small process, the
/// figure is the tool's own.
///
/// # Errors
/// When the command cannot start or be waited for.
pub fn measure_command(argv: &[std::ffi::OsString]) -> Result<Usage, Error> {
    let Some((program, args)) = argv.split_first() else {
        return Err(Error::Usage("measure: no command given".into()));
    };
    let started = Instant::now();
    let child = Command::new(program)
        .args(args)
        .spawn()
        .map_err(|source| Error::Io {
            context: format!("cannot start {}", program.to_string_lossy()),
            source,
        })?;
    let (status, cpu, max_rss_kib) = wait4(child)?;
    Ok(Usage {
        status,
        wall_s: started.elapsed().as_secs_f64(),
        cpu_s: cpu.as_secs_f64(),
        max_rss_kib,
    })
}

/// Reaps `child` with `wait4`: (exit code, CPU time, peak RSS in KiB).
fn wait4(child: std::process::Child) -> Result<(i32, Duration, u64), Error> {
    let pid = libc::pid_t::try_from(child.id())
        .map_err(|_| Error::Runtime("the child process id does not fit a pid_t".into()))?;
    let mut status: libc::c_int = 0;
    // SAFETY: an all-zero rusage is a valid value of this plain C struct.
    let mut usage: libc::rusage = unsafe { std::mem::zeroed() };
    // SAFETY: `pid` is our own child, not yet reaped (`child.wait` is never called), and both
    // out-pointers are valid for writes for the duration of the call.
    let rc = unsafe { libc::wait4(pid, &raw mut status, 0, &raw mut usage) };
    if rc < 0 {
        return Err(Error::Io {
            context: "wait4".into(),
            source: std::io::Error::last_os_error(),
        });
    }
    let tv = |t: libc::timeval| {
        Duration::from_secs(u64::try_from(t.tv_sec).unwrap_or(0))
            + Duration::from_micros(u64::try_from(t.tv_usec).unwrap_or(0))
    };
    let code = if libc::WIFEXITED(status) {
        libc::WEXITSTATUS(status)
    } else {
        -1
    };
    Ok((
        code,
        tv(usage.ru_utime) + tv(usage.ru_stime),
        u64::try_from(usage.ru_maxrss).unwrap_or(0),
    ))
}
