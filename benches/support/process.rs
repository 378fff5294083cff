//! Timing a child process: wall time, its peak resident memory as the kernel counted it, and
//! what it printed.

use std::io::Read;
use std::process::{Command, Stdio};
use std::time::Instant;

/// What a measured run took.
pub struct Measured {
    /// Wall seconds.
    pub wall: f64,
    /// Peak resident memory, MiB.
    pub rss: f64,
    /// Its standard output.
    #[allow(
        dead_code,
        reason = "each bench includes this file; not every one reads the output"
    )]
    pub stdout: String,
}

/// Runs `command`, panicking unless it exits with success.
#[expect(
    clippy::zombie_processes,
    reason = "the child is reaped by wait4, which reads its rusage"
)]
pub fn measure(command: &mut Command) -> Measured {
    let start = Instant::now();
    let mut child = command
        .stdout(Stdio::piped())
        .spawn()
        .expect("the binary starts");
    let mut stdout = String::new();
    // The children's reports are a few lines: reading them to the end cannot fill the pipe first.
    if let Some(mut pipe) = child.stdout.take() {
        pipe.read_to_string(&mut stdout)
            .expect("the child's report");
    }
    let mut status = 0;
    // SAFETY: an all-zero rusage is a valid value for the kernel to overwrite.
    let mut usage: libc::rusage = unsafe { std::mem::zeroed() };
    // SAFETY: waits for our own child, with valid pointers to locals.
    let pid = unsafe { libc::wait4(child.id() as libc::pid_t, &mut status, 0, &mut usage) };
    let wall = start.elapsed().as_secs_f64();
    assert!(
        pid > 0 && libc::WIFEXITED(status) && libc::WEXITSTATUS(status) == 0,
        "{command:?} failed"
    );
    Measured {
        wall,
        rss: usage.ru_maxrss as f64 / 1024.0,
        stdout,
    }
}
