//! Named mutations: known bugs put back on purpose, so the fuzzers can prove they find them.
//!
//! A mutant is switched on for the current thread only (`with`), and only in a build with the
//! `mutants` cargo feature. That feature refuses to compile without debug assertions (see the
//! `compile_error!` below), so a release CLI build and the browser build (`wasm-release`) can
//! never contain a mutation; the `mutants` cargo profile (release speed + debug assertions) is
//! the fast way to run the suite. Without the feature `active` is a constant `false`, which the
//! optimiser removes together with the mutated branch.

#[cfg(all(feature = "mutants", not(debug_assertions)))]
compile_error!(
    "the `mutants` feature needs debug assertions: use `--profile mutants`, never release"
);

/// Every mutation the suite knows. Each service adds its own variants here.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Mutant {
    /// Placeholder until the suite lands; remove once real variants exist.
    None,
}

#[cfg(feature = "mutants")]
thread_local! {
    static ACTIVE: std::cell::Cell<Option<Mutant>> = const { std::cell::Cell::new(None) };
}

/// Whether `m` is switched on for this thread.
#[inline(always)]
pub fn active(m: Mutant) -> bool {
    #[cfg(feature = "mutants")]
    {
        ACTIVE.with(|a| a.get() == Some(m))
    }
    #[cfg(not(feature = "mutants"))]
    {
        let _ = m;
        false
    }
}

/// Runs `f` with `m` switched on for this thread (and off again afterwards).
#[cfg(feature = "mutants")]
pub fn with<R>(m: Mutant, f: impl FnOnce() -> R) -> R {
    struct Reset(Option<Mutant>);
    impl Drop for Reset {
        fn drop(&mut self) {
            ACTIVE.with(|a| a.set(self.0));
        }
    }
    let _reset = Reset(ACTIVE.with(|a| a.replace(Some(m))));
    f()
}
