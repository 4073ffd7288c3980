//! `syncsim fuzz` (not yet implemented).

pub fn run(_args: &[String]) -> Result<(), String> {
    Err("not implemented yet".into())
}

pub fn raftbench(_args: &[String]) -> Result<(), String> {
    Err("not implemented yet".into())
}
