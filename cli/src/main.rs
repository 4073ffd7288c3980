//! `syncsim`: the headless native runner. The core stays I/O free; all file and console output
//! lives here. Each subcommand has its own module.

mod bench;
mod fuzz;
mod simbench;

const USAGE: &str = "usage: syncsim <command> [options]
commands:
  simbench [--events N]            simulator speed (events/s, simulated s per wall s)
  fuzz [--service raft|lock|status] [--seeds N] [--from S] ...
                                   randomized fault runs, safety checks after every event
  raftbench                        Raft commit throughput, batching/pipelining on vs off
  bench <scenario> [--seed S] [--out DIR] ...   benchmark scenarios (JSON, CSV, SVG)";

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let Some(cmd) = args.first() else {
        eprintln!("{USAGE}");
        std::process::exit(2);
    };
    let rest = &args[1..];
    let result = match cmd.as_str() {
        "simbench" => simbench::run(rest),
        "fuzz" => fuzz::run(rest),
        "raftbench" => fuzz::raftbench(rest),
        "bench" => bench::run(rest),
        "-h" | "--help" | "help" => {
            println!("{USAGE}");
            Ok(())
        }
        other => Err(format!("unknown command `{other}`\n{USAGE}")),
    };
    if let Err(e) = result {
        eprintln!("error: {e}");
        std::process::exit(1);
    }
}

/// Parse `--name value` from an argument list.
pub fn opt<T: std::str::FromStr>(args: &[String], name: &str) -> Result<Option<T>, String> {
    match args.iter().position(|a| a == name) {
        None => Ok(None),
        Some(i) => {
            let v = args.get(i + 1).ok_or(format!("{name} needs a value"))?;
            v.parse()
                .map(Some)
                .map_err(|_| format!("bad value `{v}` for {name}"))
        }
    }
}
