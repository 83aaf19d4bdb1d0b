//! Whether a demo may pause for the user.

use std::io::IsTerminal;

/// True when the demo should not wait for Enter: `--auto` was given, or stdin is not a terminal.
///
/// `cargo xtask tour`, `cargo xtask check` and CI run demos with stdin closed, so every demo must
/// finish on its own there; on an instructor's terminal the same demo may pause between steps.
pub fn is_auto() -> bool {
    std::env::args().any(|arg| arg == "--auto") || !std::io::stdin().is_terminal()
}

/// Waits for Enter when interactive; does nothing in auto mode.
///
/// Returns `false` when stdin is closed (Ctrl-D), so the caller can stop pausing.
pub fn pause(prompt: &str) -> bool {
    if is_auto() {
        return true;
    }
    print!("{prompt}");
    let _ = std::io::Write::flush(&mut std::io::stdout());
    let mut line = String::new();
    matches!(std::io::stdin().read_line(&mut line), Ok(n) if n > 0)
}
