//! The network model: cuts, loss, duplication, latency distributions, reordering, bandwidth.

use syncsim_core::sim::{Action, DropReason, Jitter, LinkConfig, TraceKind, SEC};

use crate::probe::{burst, probe_sim, PCmd};

fn drops(sim: &syncsim_core::sim::Sim<crate::probe::Probe>, why: DropReason) -> usize {
    sim.trace()
        .iter()
        .filter(|e| e.kind == TraceKind::Drop && e.drop == Some(why))
        .count()
}

#[test]
fn one_way_cut_blocks_only_that_direction() {
    let mut sim = probe_sim(2, 0, LinkConfig::constant(1000), 0);
    sim.apply(Action::Cut { from: 0, to: 1 }).unwrap();
    assert!(!sim.link_up(0, 1) && sim.link_up(1, 0));
    sim.apply(Action::Command {
        to: 0,
        cmd: burst(1, 100),
    })
    .unwrap();
    sim.apply(Action::Command {
        to: 1,
        cmd: burst(0, 100),
    })
    .unwrap();
    sim.run_for(SEC);
    assert!(sim.actor(1).got.is_empty(), "nothing crosses 0→1");
    assert_eq!(sim.actor(0).got.len(), 100, "1→0 works");
    assert_eq!(drops(&sim, DropReason::LinkCut), 100);
}

#[test]
fn cut_while_in_flight_drops_on_arrival_and_heal_restores() {
    let mut sim = probe_sim(2, 0, LinkConfig::constant(1000), 0);
    sim.apply(Action::Command {
        to: 0,
        cmd: burst(1, 5),
    })
    .unwrap();
    sim.run_for(500);
    sim.apply(Action::CutBoth { a: 0, b: 1 }).unwrap();
    sim.run_for(SEC);
    assert!(sim.actor(1).got.is_empty());
    sim.apply(Action::HealBoth { a: 1, b: 0 }).unwrap();
    sim.apply(Action::Command {
        to: 0,
        cmd: burst(1, 5),
    })
    .unwrap();
    sim.run_for(SEC);
    assert_eq!(sim.actor(1).got.len(), 5);
}

#[test]
fn loss_and_duplication_rates_match_config_within_5_sigma() {
    let link = LinkConfig {
        loss: 0.1,
        duplicate: 0.05,
        ..LinkConfig::constant(100)
    };
    let mut sim = probe_sim(1, 1, link, 0);
    let n = 100_000u64;
    sim.apply(Action::Command {
        to: 1,
        cmd: burst(0, n),
    })
    .unwrap();
    sim.run_for(SEC);
    let got = &sim.actor(0).got;
    let mut seen = vec![0u8; n as usize];
    for &(_, i, _) in got {
        seen[i as usize] += 1;
    }
    let delivered = seen.iter().filter(|&&c| c > 0).count() as f64;
    let doubled = seen.iter().filter(|&&c| c == 2).count() as f64;
    assert!(seen.iter().all(|&c| c <= 2));
    let nf = n as f64;
    let (exp_del, sd_del) = (nf * 0.9, (nf * 0.9 * 0.1).sqrt());
    assert!(
        (delivered - exp_del).abs() < 5.0 * sd_del,
        "delivered {delivered}, expected {exp_del}"
    );
    let (exp_dup, sd_dup) = (exp_del * 0.05, (exp_del * 0.05 * 0.95).sqrt());
    assert!(
        (doubled - exp_dup).abs() < 5.0 * sd_dup,
        "duplicated {doubled}, expected {exp_dup}"
    );
    assert_eq!(drops(&sim, DropReason::Loss) as f64, nf - delivered);
}

/// Latencies of `n` messages sent at t = 0 over `link` (no CPU cost).
fn latencies(link: LinkConfig, n: u64) -> Vec<u64> {
    let mut sim = probe_sim(1, 1, link, 0);
    sim.apply(Action::Command {
        to: 1,
        cmd: burst(0, n),
    })
    .unwrap();
    sim.run_for(10 * SEC);
    sim.actor(0).got.iter().map(|&(_, _, t)| t).collect()
}

fn mean(v: &[u64]) -> f64 {
    v.iter().sum::<u64>() as f64 / v.len() as f64
}

#[test]
fn constant_latency_is_exact_and_keeps_order() {
    let lat = latencies(LinkConfig::constant(1234), 1000);
    assert!(lat.iter().all(|&t| t == 1234));
    let mut sim = probe_sim(1, 1, LinkConfig::constant(1234), 0);
    sim.apply(Action::Command {
        to: 1,
        cmd: burst(0, 1000),
    })
    .unwrap();
    sim.run_for(SEC);
    let order: Vec<u64> = sim.actor(0).got.iter().map(|g| g.1).collect();
    assert_eq!(
        order,
        (0..1000).collect::<Vec<_>>(),
        "no jitter, no reordering"
    );
}

#[test]
fn uniform_jitter_stays_in_bounds_with_the_right_mean() {
    let link = LinkConfig {
        jitter: Jitter::Uniform { max_us: 2000 },
        ..LinkConfig::constant(1000)
    };
    let n = 20_000;
    let lat = latencies(link, n);
    assert_eq!(lat.len() as u64, n);
    assert!(lat.iter().all(|&t| (1000..=3000).contains(&t)));
    let sd_mean = 577.6 / (n as f64).sqrt();
    assert!(
        (mean(&lat) - 2000.0).abs() < 5.0 * sd_mean,
        "mean {}",
        mean(&lat)
    );
    assert_eq!(
        *lat.iter().min().unwrap(),
        1000,
        "the lower bound is reached"
    );
}

#[test]
fn exponential_jitter_has_the_right_mean_and_cap() {
    let link = LinkConfig {
        jitter: Jitter::Exponential { mean_us: 1000 },
        ..LinkConfig::constant(500)
    };
    let n = 20_000;
    let lat = latencies(link, n);
    assert!(lat.iter().all(|&t| (500..=500 + 20 * 1000).contains(&t)));
    let sd_mean = 1000.0 / (n as f64).sqrt();
    // Truncation to whole µs lowers the mean by about 0.5 µs.
    assert!(
        (mean(&lat) - 1499.5).abs() < 5.0 * sd_mean,
        "mean {}",
        mean(&lat)
    );
    // Exponential: about e^-1 of the samples exceed the mean.
    let above = lat.iter().filter(|&&t| t > 1500).count() as f64 / n as f64;
    assert!(
        (above - (-1f64).exp()).abs() < 0.02,
        "tail fraction {above}"
    );
}

#[test]
fn jitter_reorders_messages() {
    let link = LinkConfig {
        jitter: Jitter::Uniform { max_us: 2000 },
        ..LinkConfig::constant(1000)
    };
    let mut sim = probe_sim(1, 1, link, 0);
    sim.apply(Action::Command {
        to: 1,
        cmd: burst(0, 100),
    })
    .unwrap();
    sim.run_for(SEC);
    let order: Vec<u64> = sim.actor(0).got.iter().map(|g| g.1).collect();
    assert_eq!(order.len(), 100);
    assert!(
        order.windows(2).any(|w| w[0] > w[1]),
        "some message overtook another"
    );
}

#[test]
fn bandwidth_serialises_messages_on_a_link() {
    let link = LinkConfig {
        bandwidth_bytes_per_sec: Some(1_000_000),
        ..LinkConfig::constant(100)
    };
    let mut sim = probe_sim(1, 2, link, 0);
    sim.apply(Action::Command {
        to: 1,
        cmd: PCmd::Burst {
            to: 0,
            count: 10,
            size: 1000,
        },
    })
    .unwrap();
    sim.run_for(SEC);
    let times: Vec<u64> = sim.actor(0).got.iter().map(|g| g.2).collect();
    let want: Vec<u64> = (1..=10).map(|k| k * 1000 + 100).collect();
    assert_eq!(
        times, want,
        "1000 B at 1 MB/s = 1 ms each, one after another, + 100 µs"
    );
    // Another link is not slowed by the first one's queue.
    sim.apply(Action::Command {
        to: 2,
        cmd: PCmd::Burst {
            to: 0,
            count: 1,
            size: 1000,
        },
    })
    .unwrap();
    let t0 = sim.now();
    sim.run_for(SEC);
    assert_eq!(sim.actor(0).got.last().unwrap().2, t0 + 1100);
}

#[test]
fn cpu_service_queues_messages_on_a_busy_server() {
    let mut sim = probe_sim(1, 1, LinkConfig::constant(100), 1000);
    sim.apply(Action::Command {
        to: 1,
        cmd: burst(0, 4),
    })
    .unwrap();
    sim.run_for(SEC);
    let times: Vec<u64> = sim.actor(0).got.iter().map(|g| g.2).collect();
    assert_eq!(
        times,
        [100, 1100, 2100, 3100],
        "one message per 1000 µs of CPU"
    );
    let order: Vec<u64> = sim.actor(0).got.iter().map(|g| g.1).collect();
    assert_eq!(order, [0, 1, 2, 3], "waiting messages keep arrival order");
}

#[test]
fn sends_leave_when_the_handler_cpu_time_ends() {
    // Server 0 costs 1000 µs per input, so the burst of a command at t = 0 leaves at 1000.
    let mut sim = probe_sim(1, 1, LinkConfig::constant(100), 1000);
    sim.apply(Action::Command {
        to: 0,
        cmd: burst(1, 1),
    })
    .unwrap();
    sim.run_for(SEC);
    assert_eq!(sim.actor(1).got[0].2, 1000 + 100);
    let send = sim
        .trace()
        .iter()
        .find(|e| e.kind == TraceKind::Send)
        .unwrap();
    assert_eq!(send.t, 1000, "Send is stamped with its departure time");
}

#[test]
fn send_to_unknown_actor_is_a_traced_drop_not_a_panic() {
    let mut sim = probe_sim(1, 1, LinkConfig::constant(100), 0);
    sim.apply(Action::Command {
        to: 1,
        cmd: burst(7, 1),
    })
    .unwrap();
    sim.run_for(SEC);
    assert_eq!(drops(&sim, DropReason::UnknownReceiver), 1);
}
