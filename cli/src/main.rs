//! `syncsim`: the headless native runner. The core stays I/O free; all file and console output
//! lives here. Each subcommand has its own module; the command line is parsed by `clap`.

mod bench;
mod demo;
mod fuzz;
#[cfg(feature = "mutants")]
mod mutants;
mod png;
mod report;
mod simbench;

use clap::{CommandFactory, Parser, Subcommand};

#[derive(Parser, Debug)]
#[command(
    name = "syncsim",
    about = "Headless native runner for syncsim: benchmarks, fuzzing and simulator speed",
    arg_required_else_help = true
)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand, Debug)]
enum Command {
    /// Simulator speed (events/s, simulated s per wall s)
    Simbench(simbench::SimbenchArgs),
    /// Randomized fault runs, safety checks after every event
    Fuzz(fuzz::FuzzArgs),
    /// Raft commit throughput, batching/pipelining on vs off
    Raftbench(fuzz::RaftbenchArgs),
    /// Benchmark scenarios (JSON, CSV, SVG)
    Bench(bench::BenchArgs),
    /// The seeds' report: every scenario, the eight charts, the targets table, report.html
    Report(report::ReportArgs),
    /// Deterministic stories: `demo fencing` (why fencing tokens matter under clock skew)
    Demo(demo::DemoArgs),
    /// The mutation suite: does the fuzzer kill every known bug? (`--features mutants` only)
    #[cfg(feature = "mutants")]
    Mutants(mutants::MutantsArgs),
}

fn main() {
    let cli = Cli::parse();
    let result = match cli.command {
        Command::Simbench(args) => simbench::run(&args),
        Command::Fuzz(args) => fuzz::run(&args),
        Command::Raftbench(args) => fuzz::raftbench(&args),
        Command::Demo(args) => demo::run(&args),
        Command::Report(args) => report::run(&args),
        #[cfg(feature = "mutants")]
        Command::Mutants(args) => mutants::run(&args),
        Command::Bench(args) => match args.scenario {
            bench::Target::List => {
                println!("{}", bench_help());
                Ok(())
            }
            bench::Target::Scenario(kind) => bench::run(kind, &args),
        },
    };
    if let Err(e) = result {
        eprintln!("error: {e}");
        std::process::exit(1);
    }
}

/// The help of `syncsim bench` (scenarios and every parameter), for `syncsim bench list`.
fn bench_help() -> String {
    let mut cmd = Cli::command();
    cmd.build();
    cmd.find_subcommand_mut("bench")
        .expect("bench is a subcommand")
        .render_long_help()
        .to_string()
}

#[cfg(test)]
mod tests {
    use super::*;
    use clap::error::ErrorKind;
    use syncsim_core::bench::{ScenarioKind, PARAM_KEYS};

    fn parse(args: &[&str]) -> Result<Command, clap::Error> {
        Cli::try_parse_from(std::iter::once("syncsim").chain(args.iter().copied()))
            .map(|c| c.command)
    }

    fn err(args: &[&str]) -> (ErrorKind, String) {
        let e = parse(args).expect_err("should be rejected");
        (e.kind(), e.to_string())
    }

    #[test]
    fn the_definition_is_consistent() {
        Cli::command().debug_assert();
    }

    #[test]
    fn simbench_parses_with_defaults_and_values() {
        let Command::Simbench(a) = parse(&["simbench"]).unwrap() else {
            panic!("not simbench")
        };
        assert_eq!(a.events, 5_000_000);
        let Command::Simbench(a) = parse(&["simbench", "--events", "1000"]).unwrap() else {
            panic!("not simbench")
        };
        assert_eq!(a.events, 1000);
    }

    #[test]
    fn demo_fencing_parses_and_refuses_bad_drifts_with_a_message() {
        let Command::Demo(a) = parse(&["demo", "fencing"]).unwrap() else {
            panic!("not demo")
        };
        assert_eq!((a.demo, a.drift_ppm), (demo::Demo::Fencing, -200_000));
        let Command::Demo(a) = parse(&["demo", "fencing", "--drift-ppm", "-1000"]).unwrap() else {
            panic!("not demo")
        };
        assert_eq!(a.drift_ppm, -1000);
        assert!(parse(&["demo", "paxos"]).is_err());
        let out_of_range = demo::DemoArgs {
            demo: demo::Demo::Fencing,
            drift_ppm: -900_000,
        };
        let err = demo::run(&out_of_range).unwrap_err();
        assert!(err.contains("out of range"), "{err}");
    }

    #[test]
    fn fuzz_parses_every_flag() {
        let Command::Fuzz(a) = parse(&["fuzz"]).unwrap() else {
            panic!("not fuzz")
        };
        assert_eq!(
            (a.service, a.seeds, a.from, a.chaos_ms, a.faults),
            (fuzz::Service::Raft, 1000, 0, 2000, 20)
        );
        assert!(!a.no_swarm);
        let Command::Fuzz(a) = parse(&["fuzz", "--no-swarm"]).unwrap() else {
            panic!("not fuzz")
        };
        assert!(a.no_swarm);
        let Command::Fuzz(a) = parse(&[
            "fuzz",
            "--service",
            "lock",
            "--seeds",
            "5",
            "--from",
            "7",
            "--chaos-ms",
            "300",
            "--faults",
            "3",
        ])
        .unwrap() else {
            panic!("not fuzz")
        };
        assert_eq!(
            (a.service, a.seeds, a.from, a.chaos_ms, a.faults),
            (fuzz::Service::Lock, 5, 7, 300, 3)
        );
        let Command::Fuzz(a) = parse(&["fuzz", "--service", "status"]).unwrap() else {
            panic!("not fuzz")
        };
        assert_eq!(a.service, fuzz::Service::Status);
    }

    #[test]
    fn raftbench_parses() {
        let Command::Raftbench(a) = parse(&["raftbench"]).unwrap() else {
            panic!("not raftbench")
        };
        assert_eq!((a.clients, a.secs), (100, 5));
        let Command::Raftbench(a) =
            parse(&["raftbench", "--clients", "10", "--secs", "2"]).unwrap()
        else {
            panic!("not raftbench")
        };
        assert_eq!((a.clients, a.secs), (10, 2));
    }

    #[test]
    fn bench_parses_and_forwards_param_keys_in_order() {
        let Command::Bench(a) = parse(&[
            "bench",
            "quick-locks",
            "--fault",
            "crash",
            "--seed",
            "1",
            "--out",
            "/tmp/x",
            "--think-ms",
            "5-10",
            "--quiet",
            "--fault-at",
            "-1",
            "--seed",
            "2",
        ])
        .unwrap() else {
            panic!("not bench")
        };
        assert_eq!(
            a.scenario,
            bench::Target::Scenario(ScenarioKind::QuickLocks)
        );
        assert_eq!(a.out.as_deref(), Some(std::path::Path::new("/tmp/x")));
        assert!(a.quiet);
        let pairs: Vec<(&str, &str)> = a
            .params
            .pairs
            .iter()
            .map(|(k, v)| (k.as_str(), v.as_str()))
            .collect();
        assert_eq!(
            pairs,
            [
                ("fault", "crash"),
                ("seed", "1"),
                ("think-ms", "5-10"),
                ("fault-at", "-1"),
                ("seed", "2"),
            ]
        );
        let Command::Bench(a) = parse(&["bench", "LIST"]).unwrap() else {
            panic!("not bench")
        };
        assert_eq!(a.scenario, bench::Target::List);
    }

    #[test]
    fn bench_accepts_every_param_key() {
        for (key, _) in PARAM_KEYS.iter() {
            let flag = format!("--{key}");
            let Command::Bench(a) = parse(&["bench", "scaling", &flag, "v"]).unwrap() else {
                panic!("not bench")
            };
            assert_eq!(a.params.pairs, [(key.to_string(), "v".to_string())]);
        }
    }

    #[test]
    fn bench_help_lists_scenarios_and_param_keys() {
        let help = bench_help();
        assert!(help.contains("Usage: syncsim bench"), "{help}");
        for (key, description) in PARAM_KEYS.iter() {
            assert!(help.contains(&format!("--{key} <VALUE>")), "{key}: {help}");
            assert!(help.contains(description), "{key}: {help}");
        }
        for k in ScenarioKind::ALL {
            assert!(help.contains(k.id()) && help.contains(k.description()));
        }
    }

    #[test]
    fn bad_numbers_are_rejected_naming_the_flag() {
        for (args, flag) in [
            (&["simbench", "--events", "x"][..], "--events"),
            (&["simbench", "--events", "0"][..], "--events"),
            (&["fuzz", "--seeds", "abc"][..], "--seeds"),
            (&["fuzz", "--seeds", "0"][..], "--seeds"),
            (&["fuzz", "--from", "-3"][..], "--from"),
            (&["fuzz", "--faults", "1e3"][..], "--faults"),
            (&["fuzz", "--chaos-ms", ""][..], "--chaos-ms"),
            (&["raftbench", "--clients", "many"][..], "--clients"),
            (&["raftbench", "--secs", "0"][..], "--secs"),
        ] {
            let (kind, msg) = err(args);
            assert!(
                matches!(
                    kind,
                    ErrorKind::ValueValidation | ErrorKind::UnknownArgument
                ),
                "{args:?}: {kind:?} {msg}"
            );
            assert!(msg.contains(flag), "{args:?}: {msg}");
        }
        let (_, msg) = err(&["fuzz", "--service", "paxos"]);
        assert!(msg.contains("--service") && msg.contains("raft"), "{msg}");
        let (_, msg) = err(&["bench", "no-such-scenario"]);
        assert!(msg.contains("unknown scenario"), "{msg}");
    }

    #[test]
    fn unknown_flags_and_missing_values_are_rejected() {
        let (kind, msg) = err(&["fuzz", "--sedes", "5"]);
        assert_eq!(kind, ErrorKind::UnknownArgument);
        assert!(msg.contains("--sedes"), "{msg}");
        let (kind, msg) = err(&["bench", "quick-locks", "--no-such-param", "1"]);
        assert_eq!(kind, ErrorKind::UnknownArgument);
        assert!(msg.contains("--no-such-param"), "{msg}");
        let (kind, _) = err(&["bench", "quick-locks", "--seed"]);
        assert_eq!(kind, ErrorKind::InvalidValue);
        let (kind, _) = err(&["bench"]);
        assert_eq!(kind, ErrorKind::MissingRequiredArgument);
        let (kind, _) = err(&["nope"]);
        assert_eq!(kind, ErrorKind::InvalidSubcommand);
    }
}
