//! `syncsim mutants [--seeds N] [--from S] [--only NAME]`: the mutation suite. Each mutant
//! (`syncsim_core::mutants::Mutant`) is switched on in turn and its fuzz target runs seeds until
//! one fails (killed, confirmed by the same seed passing without the mutant) or the budget ends
//! (survived). Only in builds with the `mutants` feature, which needs debug assertions:
//! `cargo run -p syncsim-cli --profile mutants --features mutants -- mutants --seeds 10000`.

use std::time::Instant;

use syncsim_core::services::mutants::{case, hunt, Case, SUITE};

#[derive(clap::Args, Debug)]
pub struct MutantsArgs {
    /// Seed budget per mutant
    #[arg(long, value_name = "N", default_value_t = 10_000,
          value_parser = clap::value_parser!(u64).range(1..))]
    pub seeds: u64,
    /// First seed
    #[arg(long, value_name = "S", default_value_t = 0)]
    pub from: u64,
    /// Run only this mutant (its variant name, e.g. RaftFigure8CommitRule)
    #[arg(long, value_name = "NAME")]
    pub only: Option<String>,
    /// Print the failure (message and actions) of each killing seed
    #[arg(long)]
    pub verbose: bool,
    /// Run the whole budget and count every killing seed (the kill rate), instead of stopping
    /// at the first kill
    #[arg(long)]
    pub all: bool,
}

pub fn run(args: &MutantsArgs) -> Result<(), String> {
    if args.all {
        return kill_rates(args);
    }
    let cases: Vec<&Case> = match &args.only {
        Some(name) => vec![case(name).ok_or_else(|| {
            let names: Vec<String> = SUITE.iter().map(|c| c.mutant.name()).collect();
            format!("no mutant `{name}`; the suite has: {}", names.join(", "))
        })?],
        None => SUITE.iter().collect(),
    };
    println!(
        "mutation suite: {} mutants, up to {} seeds each from seed {}",
        cases.len(),
        args.seeds,
        args.from
    );
    println!(
        "{:<36} {:<8} {:<8} {:>9} {:>12} {:>8}  first failure",
        "mutant", "service", "result", "seeds", "seed", "wall s"
    );
    let (mut killed, mut broken) = (0, 0);
    for c in cases {
        let start = Instant::now();
        let h = hunt(c, args.from, args.seeds);
        let wall = start.elapsed().as_secs_f64();
        let (result, seed, why) = match (&h.kill, &h.unmutated_failure) {
            (Some(f), _) => {
                killed += 1;
                ("killed", f.seed.to_string(), first_line(&f.message))
            }
            (None, Some(u)) => {
                broken += 1;
                ("BROKEN", u.seed.to_string(), first_line(&u.message))
            }
            (None, None) => ("SURVIVED", "-".into(), String::new()),
        };
        println!(
            "{:<36} {:<8} {:<8} {:>9} {:>12} {:>8.1}  {}",
            c.mutant.name(),
            c.service,
            result,
            h.seeds_run,
            seed,
            wall,
            why
        );
        if args.verbose {
            if let Some(f) = h.kill.as_ref().or(h.unmutated_failure.as_ref()) {
                println!("{f}");
            }
        }
    }
    let total = if args.only.is_some() { 1 } else { SUITE.len() };
    println!("killed {killed} of {total}");
    if broken > 0 {
        return Err(format!(
            "{broken} seeds also failed without their mutant (a bug outside the mutation)"
        ));
    }
    Ok(())
}

fn first_line(s: &str) -> String {
    let l = s.lines().next().unwrap_or("");
    if l.chars().count() > 140 {
        format!("{}…", l.chars().take(140).collect::<String>())
    } else {
        l.to_string()
    }
}

/// `--all`: every seed of the budget, per mutant: how many kill it (fail with the mutant, pass
/// without), and how many fail either way (a bug outside the mutation).
fn kill_rates(args: &MutantsArgs) -> Result<(), String> {
    let cases: Vec<&Case> = match &args.only {
        Some(name) => vec![case(name).ok_or_else(|| format!("no mutant `{name}`"))?],
        None => SUITE.iter().collect(),
    };
    println!(
        "kill rates: {} mutants, {} seeds each from seed {}",
        cases.len(),
        args.seeds,
        args.from
    );
    println!(
        "{:<36} {:>9} {:>9} {:>10} {:>12} {:>8}",
        "mutant", "seeds", "killing", "per 10k", "first", "wall s"
    );
    let mut broken = 0;
    for c in cases {
        let start = Instant::now();
        let (mut kills, mut first) = (0u64, None);
        for seed in args.from..args.from.saturating_add(args.seeds) {
            if syncsim_core::mutants::with(c.mutant, || (c.run)(seed)).is_err() {
                if (c.run)(seed).is_ok() {
                    kills += 1;
                    first.get_or_insert(seed);
                } else {
                    broken += 1;
                }
            }
        }
        println!(
            "{:<36} {:>9} {:>9} {:>10.1} {:>12} {:>8.1}",
            c.mutant.name(),
            args.seeds,
            kills,
            kills as f64 * 10_000.0 / args.seeds as f64,
            first.map_or("-".to_string(), |s| s.to_string()),
            start.elapsed().as_secs_f64()
        );
    }
    if broken > 0 {
        return Err(format!("{broken} seeds also failed without their mutant"));
    }
    Ok(())
}
