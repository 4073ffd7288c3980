//! Colours and classes shared by every panel, so a term or a message kind looks the same in the
//! cluster drawing, the Raft logs and the legends.

use syncsim_core::base::decimal::Fixed;

/// Term colours: ten clearly distinct hues, cycled. Term 0 (nothing yet) is grey.
const TERM_COLOURS: [&str; 10] = [
    "#6366f1", "#0ea5e9", "#14b8a6", "#84cc16", "#eab308", "#f97316", "#ef4444", "#ec4899",
    "#a855f7", "#64748b",
];

/// The colour of Raft term `term` (the same everywhere in the UI).
pub fn term_colour(term: u64) -> &'static str {
    if term == 0 {
        return "#cbd5e1";
    }
    TERM_COLOURS[((term - 1) % TERM_COLOURS.len() as u64) as usize]
}

/// Physical-node colours for the ring (vnodes, partitions, load bars): the Okabe–Ito hues, which
/// stay distinct under the common colour-vision deficiencies, cycled after eight.
const NODE_COLOURS: [&str; 8] = [
    "#0072b2", "#e69f00", "#009e73", "#cc79a7", "#56b4e9", "#d55e00", "#7f7f00", "#332288",
];

/// The colour of server `node` (actor id; 0 is n1) wherever the queue's ring shows it.
pub fn node_colour(node: usize) -> &'static str {
    NODE_COLOURS[node % NODE_COLOURS.len()]
}

/// Families of message kinds: one colour each, explained in the legend.
pub const MESSAGE_FAMILIES: [(&str, &str); 6] = [
    ("vote", "votes (pre-vote and RequestVote)"),
    ("heartbeat", "heartbeats"),
    ("append", "AppendEntries (log entries)"),
    ("snapshot", "InstallSnapshot"),
    ("client", "client requests and answers"),
    ("other", "leadership transfer, ReadIndex"),
];

/// The family of a message kind as the simulator names it ("RequestVote", "AppendResp", …).
pub fn message_family(kind: &str) -> &'static str {
    match kind {
        "PreVote" | "PreVoteResp" | "RequestVote" | "RequestVoteResp" => "vote",
        "Heartbeat" => "heartbeat",
        "AppendEntries" | "AppendResp" => "append",
        "InstallSnapshot" | "InstallSnapshotResp" => "snapshot",
        "ClientRequest" | "ClientResponse" => "client",
        _ => "other",
    }
}

/// Answers are drawn hollow, requests solid, so a student can tell the direction of an RPC.
pub fn is_response(kind: &str) -> bool {
    kind.ends_with("Resp") || kind == "ClientResponse"
}

/// Where `phi` sits against the suspicion threshold, in 0..=1 (1 at or past the threshold).
pub fn suspicion_level(phi: f64, threshold: f64) -> f64 {
    if !phi.is_finite() || threshold <= 0.0 {
        return if phi > 0.0 { 1.0 } else { 0.0 };
    }
    (phi / threshold).clamp(0.0, 1.0)
}

/// The colour of a phi value, the same in the status matrix and the cluster's suspicion rings:
/// green at 0, amber halfway to the threshold, red at and past it.
pub fn phi_colour(phi: f64, threshold: f64) -> String {
    let level = suspicion_level(phi, threshold);
    // Hue 140 (green) → 40 (amber) → 0 (red), darkening a little as it goes.
    let hue = if level < 0.5 {
        140.0 - 200.0 * level
    } else {
        80.0 * (1.0 - level)
    };
    let light = 45.0 - 5.0 * level;
    format!(
        "hsl({hue}, 85%, {light}%)",
        hue = Fixed(hue, 0),
        light = Fixed(light, 0)
    )
}

/// phi as shown to students: one decimal; "—" when there is nothing to show.
pub fn format_phi(phi: Option<f64>) -> String {
    phi.map_or_else(|| "—".to_string(), |v| Fixed(v, 1).to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn terms_cycle_through_distinct_colours() {
        assert_eq!(term_colour(1), term_colour(11));
        assert_ne!(term_colour(1), term_colour(2));
        assert_ne!(term_colour(0), term_colour(1));
    }

    #[test]
    fn kinds_map_to_families() {
        assert_eq!(message_family("PreVoteResp"), "vote");
        assert_eq!(message_family("Heartbeat"), "heartbeat");
        assert_eq!(message_family("AppendResp"), "append");
        assert_eq!(message_family("ClientRequest"), "client");
        assert_eq!(message_family("TimeoutNow"), "other");
        assert!(is_response("AppendResp") && !is_response("AppendEntries"));
    }

    #[test]
    fn phi_colours_run_from_green_through_amber_to_red() {
        assert_eq!(phi_colour(0.0, 8.0), "hsl(140, 85%, 45%)");
        assert_eq!(phi_colour(4.0, 8.0), "hsl(40, 85%, 42%)");
        assert_eq!(phi_colour(8.0, 8.0), "hsl(0, 85%, 40%)");
        assert_eq!(phi_colour(30.0, 8.0), phi_colour(8.0, 8.0));
        assert_eq!(suspicion_level(f64::INFINITY, 8.0), 1.0);
        assert_eq!(suspicion_level(-1.0, 8.0), 0.0);
        assert_eq!(format_phi(Some(8.26)), "8.3");
        assert_eq!(format_phi(None), "—");
    }
}

#[cfg(test)]
mod presentation_tests {
    /// Presentation mode's role colours (Okabe & Ito): follower, candidate, leader, crashed, paused.
    /// `static/style.css` sets the same values under `body.presentation` (a test compares them).
    const PRESENTATION_ROLES: [(&str, &str); 5] = [
        ("--follower", "#0072b2"),
        ("--candidate", "#e69f00"),
        ("--leader", "#009e73"),
        ("--crashed", "#000000"),
        ("--paused", "#56b4e9"),
    ];

    fn rgb(hex: &str) -> [f64; 3] {
        let v = u32::from_str_radix(hex.trim_start_matches('#'), 16).unwrap();
        [(v >> 16) & 255, (v >> 8) & 255, v & 255].map(|c| f64::from(c) / 255.0)
    }

    fn linear(c: f64) -> f64 {
        if c <= 0.04045 {
            c / 12.92
        } else {
            ((c + 0.055) / 1.055).powf(2.4)
        }
    }

    /// Deuteranopia, Machado, Oliveira & Fernandes (2009), severity 1.0, on linear RGB.
    fn deuteranope(c: [f64; 3]) -> [f64; 3] {
        const M: [[f64; 3]; 3] = [
            [0.367322, 0.860646, -0.227968],
            [0.280085, 0.672501, 0.047413],
            [-0.011820, 0.042940, 0.968881],
        ];
        let l = c.map(linear);
        M.map(|r| (r[0] * l[0] + r[1] * l[1] + r[2] * l[2]).clamp(0.0, 1.0))
    }

    /// CIELAB (D65) from linear RGB.
    fn lab(l: [f64; 3]) -> [f64; 3] {
        let x = (0.4124 * l[0] + 0.3576 * l[1] + 0.1805 * l[2]) / 0.95047;
        let y = 0.2126 * l[0] + 0.7152 * l[1] + 0.0722 * l[2];
        let z = (0.0193 * l[0] + 0.1192 * l[1] + 0.9505 * l[2]) / 1.08883;
        let f = |t: f64| {
            if t > 0.008856 {
                t.cbrt()
            } else {
                7.787 * t + 16.0 / 116.0
            }
        };
        let (fx, fy, fz) = (f(x), f(y), f(z));
        [116.0 * fy - 16.0, 500.0 * (fx - fy), 200.0 * (fy - fz)]
    }

    fn delta_e(a: [f64; 3], b: [f64; 3]) -> f64 {
        ((a[0] - b[0]).powi(2) + (a[1] - b[1]).powi(2) + (a[2] - b[2]).powi(2)).sqrt()
    }

    /// Under simulated deuteranopia every pair of role colours stays clearly apart (ΔE*ab ≥
    /// 20; about 2.3 is "just noticeable"). Okabe-Ito's reddish purple was tried for "paused"
    /// and failed (17.9 from the leader green): sky blue replaced it.
    #[test]
    fn presentation_roles_stay_distinct_under_deuteranopia() {
        let sim: Vec<[f64; 3]> = PRESENTATION_ROLES
            .iter()
            .map(|(_, h)| lab(deuteranope(rgb(h))))
            .collect();
        let mut worst = f64::MAX;
        for i in 0..sim.len() {
            for j in i + 1..sim.len() {
                worst = worst.min(delta_e(sim[i], sim[j]));
            }
        }
        assert!(worst >= 20.0, "closest pair ΔE = {worst:.1}");
        // And it beats the stock palette's closest pair (follower blue vs paused violet, 20.3).
        let (blue, violet) = (rgb("#3b82f6"), rgb("#a78bfa"));
        let stock = delta_e(lab(deuteranope(blue)), lab(deuteranope(violet)));
        assert!(stock < worst, "stock {stock:.1} vs presentation {worst:.1}");
    }

    #[test]
    fn the_stylesheet_uses_the_same_values() {
        let css = include_str!("../../static/style.css");
        let rule = css
            .split("body.presentation {")
            .nth(1)
            .and_then(|r| r.split('}').next())
            .expect("a body.presentation rule");
        for (var, hex) in PRESENTATION_ROLES {
            assert!(rule.contains(&format!("{var}: {hex}")), "{var} {hex}");
        }
    }
}
