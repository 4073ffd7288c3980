//! Records the git commit the core was built from (`SYNCSIM_COMMIT`, read by
//! `report::version`), so a report names the exact syncsim that produced it. An explicit
//! `SYNCSIM_COMMIT` in the environment wins; outside a git checkout it stays unset ("unknown").

use std::process::Command;

fn git(args: &[&str]) -> Option<String> {
    let out = Command::new("git").args(args).output().ok()?;
    let text = String::from_utf8(out.stdout).ok()?.trim().to_string();
    (out.status.success() && !text.is_empty()).then_some(text)
}

fn main() {
    println!("cargo:rerun-if-env-changed=SYNCSIM_COMMIT");
    let commit = std::env::var("SYNCSIM_COMMIT")
        .ok()
        .or_else(|| git(&["rev-parse", "--short=12", "HEAD"]));
    // Rebuild when HEAD moves (a commit, a checkout), not on every source change.
    if let Some(dir) = git(&["rev-parse", "--git-dir"]) {
        println!("cargo:rerun-if-changed={dir}/HEAD");
    }
    if let (Some(common), Some(head_ref)) = (
        git(&["rev-parse", "--git-common-dir"]),
        git(&["symbolic-ref", "-q", "HEAD"]),
    ) {
        println!("cargo:rerun-if-changed={common}/{head_ref}");
    }
    if let Some(c) = commit {
        println!("cargo:rustc-env=SYNCSIM_COMMIT={c}");
    }
}
