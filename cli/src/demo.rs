//! `syncsim demo fencing [--drift-ppm N]`: the fencing-token story of `lock::fencing_demo`, told
//! on the console (client A's clock drifts by N ppm; the documented bound is 1000).

use syncsim_core::lock::fencing_demo::fencing_demo;

#[derive(clap::Args, Debug)]
pub struct DemoArgs {
    /// Which demo (only `fencing` so far)
    #[arg(value_enum)]
    pub demo: Demo,
    /// Client A's clock drift in ppm (−200000 = 20 % slow, far beyond the bound; −1000 is
    /// inside it)
    #[arg(long, value_name = "N", allow_negative_numbers = true, default_value_t = -200_000)]
    pub drift_ppm: i64,
}

#[derive(clap::ValueEnum, Clone, Copy, Debug, PartialEq, Eq)]
pub enum Demo {
    /// A lease outlives its holder's trust: fencing tokens save the resource
    Fencing,
}

pub fn run(args: &DemoArgs) -> Result<(), String> {
    match args.demo {
        Demo::Fencing => {
            let d = fencing_demo(args.drift_ppm)?;
            for line in &d.lines {
                println!("{line}");
            }
            Ok(())
        }
    }
}
