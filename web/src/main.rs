//! The syncsim playground (Yew, client-side rendering).

fn main() {}
