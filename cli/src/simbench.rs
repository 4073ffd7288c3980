//! `syncsim simbench [--events N]`: the simulator's native speed on the 5-node echo cluster
//! (the same workload the browser times), in events per wall second and simulated seconds per
//! wall second. Wall-clock timing lives here because the core has no clock.

use std::time::Instant;

use syncsim_core::sim::echo::bench_echo;
use syncsim_core::sim::SEC;

#[derive(clap::Args, Debug)]
pub struct SimbenchArgs {
    /// Events to process (after a short warm-up)
    #[arg(long, value_name = "N", allow_negative_numbers = true, default_value_t = 5_000_000,
          value_parser = clap::value_parser!(u64).range(1..))]
    pub events: u64,
}

pub fn run(args: &SimbenchArgs) -> Result<(), String> {
    let events = args.events;
    // A short warm-up so the figure reflects steady state, not page faults.
    bench_echo(events.min(100_000));
    let start = Instant::now();
    let (done, simulated) = bench_echo(events);
    let wall = start.elapsed().as_secs_f64().max(1e-9);
    let sim_secs = simulated as f64 / SEC as f64;
    println!("simbench: 5-node echo cluster, default config (localhost profile, 150 µs CPU/msg)");
    println!("events processed:        {done}");
    println!("simulated time:          {sim_secs:.3} s");
    println!("wall time:               {wall:.3} s");
    println!("events per wall second:  {:.0}", done as f64 / wall);
    println!("simulated s per wall s:  {:.1}", sim_secs / wall);
    Ok(())
}
