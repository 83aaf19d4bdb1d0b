//! Placeholder: the xtask commands are being written.
fn main() {}
