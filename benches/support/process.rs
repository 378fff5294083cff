//! Timing a child process: wall time and its peak resident memory, as the kernel counted it.

use std::process::Command;
use std::time::Instant;

/// Runs `command`, returning wall seconds and the child's peak resident memory in MiB; panics
/// unless it exits with success.
#[expect(
    clippy::zombie_processes,
    reason = "the child is reaped by wait4, which reads its rusage"
)]
pub fn measure(command: &mut Command) -> (f64, f64) {
    let start = Instant::now();
    let child = command.spawn().expect("the binary starts");
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
    (wall, usage.ru_maxrss as f64 / 1024.0)
}
