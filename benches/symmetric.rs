//! Placeholder until the benches land in this issue.
fn main() {}
