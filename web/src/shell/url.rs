//! The page URL as input: `?seed=…&nodes=…&profile=…` set the initial cluster. Parsing is pure (no DOM),
//! so it is tested natively. A bad value never panics: it yields a readable problem and the
//! default is kept.

use syncsim_core::net::NetProfile;
use syncsim_core::playground::{PlaygroundConfig, MAX_NODES, MIN_NODES};

/// The starting configuration read from the URL, plus one message per rejected parameter.
#[derive(Clone, Debug, PartialEq)]
pub struct UrlSettings {
    pub config: PlaygroundConfig,
    pub problems: Vec<String>,
}

/// Parses a seed typed by a user or found in the URL.
pub fn parse_seed(raw: &str) -> Result<u64, String> {
    let text = raw.trim();
    if text.is_empty() {
        return Err("the seed is empty".into());
    }
    if text.starts_with('-') {
        return Err(format!(
            "the seed \"{text}\" is negative; use a whole number ≥ 0"
        ));
    }
    text.parse::<u64>().map_err(|_| {
        format!(
            "the seed \"{text}\" is not a whole number between 0 and {}",
            u64::MAX
        )
    })
}

/// Parses a node count typed by a user or found in the URL.
pub fn parse_nodes(raw: &str) -> Result<usize, String> {
    let text = raw.trim();
    let range = format!("{MIN_NODES} and {MAX_NODES}");
    let nodes = text
        .parse::<usize>()
        .map_err(|_| format!("the node count \"{text}\" is not a whole number between {range}"))?;
    if !(MIN_NODES..=MAX_NODES).contains(&nodes) {
        return Err(format!(
            "the node count must be between {range}, got {nodes}"
        ));
    }
    Ok(nodes)
}

/// Reads `seed` and `nodes` from a query string (with or without the leading `?`).
/// Unknown parameters are left alone: later features add their own.
pub fn parse_query(query: &str) -> UrlSettings {
    let mut config = PlaygroundConfig::default();
    let mut problems = Vec::new();
    for (key, value) in query_pairs(query) {
        match key.as_str() {
            "seed" => match parse_seed(&value) {
                Ok(seed) => config.seed = seed,
                Err(why) => problems.push(format!(
                    "Ignored the URL parameter seed={value}: {why}. Using the default seed {}.",
                    PlaygroundConfig::default().seed
                )),
            },
            "nodes" => match parse_nodes(&value) {
                Ok(nodes) => config.nodes = nodes,
                Err(why) => problems.push(format!(
                    "Ignored the URL parameter nodes={value}: {why}. Using the default {} nodes.",
                    PlaygroundConfig::default().nodes
                )),
            },
            "profile" => match NetProfile::parse(&value) {
                Ok(profile) => config.profile = profile.name().to_string(),
                Err(why) => problems.push(format!(
                    "Ignored the URL parameter profile={value}: {}. Using the default network {}.",
                    why.0,
                    PlaygroundConfig::default().profile
                )),
            },
            _ => {}
        }
    }
    UrlSettings { config, problems }
}

/// The query string that reproduces `config`, for a shareable URL.
pub fn to_query(config: &PlaygroundConfig) -> String {
    format!(
        "?seed={}&nodes={}&profile={}",
        config.seed, config.nodes, config.profile
    )
}

/// True when the URL asks for a deliberate panic (`?debug=panic`), which lets the end-to-end
/// tests prove that the panic banner replaces a dead page.
pub fn wants_debug_panic(query: &str) -> bool {
    query_pairs(query).any(|(k, v)| k == "debug" && v == "panic")
}

fn query_pairs(query: &str) -> impl Iterator<Item = (String, String)> + '_ {
    query
        .trim_start_matches('?')
        .split('&')
        .filter(|pair| !pair.is_empty())
        .map(|pair| {
            let (key, value) = pair.split_once('=').unwrap_or((pair, ""));
            (percent_decode(key), percent_decode(value))
        })
}

/// Decodes `%XX` escapes and `+` (form encoding). Malformed escapes are kept verbatim.
fn percent_decode(text: &str) -> String {
    let bytes = text.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        match bytes[i] {
            b'+' => out.push(b' '),
            b'%' if i + 2 < bytes.len() => match (hex(bytes[i + 1]), hex(bytes[i + 2])) {
                (Some(high), Some(low)) => {
                    out.push(high * 16 + low);
                    i += 2;
                }
                _ => out.push(b'%'),
            },
            other => out.push(other),
        }
        i += 1;
    }
    String::from_utf8_lossy(&out).into_owned()
}

fn hex(byte: u8) -> Option<u8> {
    (byte as char).to_digit(16).map(|d| d as u8)
}

/// The live page's query string ("" outside a browser).
#[cfg(target_arch = "wasm32")]
pub fn current_query() -> String {
    web_sys::window()
        .and_then(|w| w.location().search().ok())
        .unwrap_or_default()
}

#[cfg(not(target_arch = "wasm32"))]
pub fn current_query() -> String {
    String::new()
}

/// Rewrites the address bar (without reloading) so the URL always reproduces the cluster.
pub fn replace_url(config: &PlaygroundConfig) {
    if !cfg!(target_arch = "wasm32") {
        return;
    }
    if let Some(history) = web_sys::window().and_then(|w| w.history().ok()) {
        // Failing to rewrite the address bar only loses shareability, so it is not reported.
        let _ = history.replace_state_with_url(
            &wasm_bindgen::JsValue::NULL,
            "",
            Some(&to_query(config)),
        );
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn empty_query_gives_defaults_without_problems() {
        let parsed = parse_query("");
        assert_eq!(parsed.config, PlaygroundConfig::default());
        assert!(parsed.problems.is_empty());
    }

    #[test]
    fn valid_seed_and_nodes_are_applied() {
        let parsed = parse_query("?seed=42&nodes=7");
        assert_eq!(parsed.config.seed, 42);
        assert_eq!(parsed.config.nodes, 7);
        assert!(parsed.problems.is_empty());
    }

    #[test]
    fn bad_values_fall_back_to_defaults_with_a_message_each() {
        for (query, needle) in [
            ("nodes=0", "nodes=0"),
            ("nodes=abc", "nodes=abc"),
            ("nodes=1000", "nodes=1000"),
            ("seed=-1", "seed=-1"),
            ("seed=", "seed="),
            ("seed=99999999999999999999999", "seed=9999"),
        ] {
            let parsed = parse_query(query);
            assert_eq!(parsed.config, PlaygroundConfig::default(), "{query}");
            assert_eq!(parsed.problems.len(), 1, "{query}");
            assert!(
                parsed.problems[0].contains(needle),
                "{query}: {:?}",
                parsed.problems
            );
        }
    }

    #[test]
    fn one_bad_parameter_does_not_discard_a_good_one() {
        let parsed = parse_query("seed=7&nodes=abc");
        assert_eq!(parsed.config.seed, 7);
        assert_eq!(parsed.config.nodes, PlaygroundConfig::default().nodes);
        assert_eq!(parsed.problems.len(), 1);
    }

    #[test]
    fn percent_escapes_are_decoded_and_malformed_ones_kept() {
        assert_eq!(parse_query("seed=%34%32").config.seed, 42);
        assert_eq!(percent_decode("a%zzb"), "a%zzb");
        assert_eq!(percent_decode("100%"), "100%");
        assert_eq!(percent_decode("a+b"), "a b");
        assert_eq!(percent_decode("%é1"), "%é1");
    }

    #[test]
    fn to_query_round_trips() {
        let config = PlaygroundConfig {
            seed: 9,
            nodes: 3,
            ..PlaygroundConfig::default()
        };
        assert_eq!(parse_query(&to_query(&config)).config, config);
    }

    #[test]
    fn network_profile_is_read_and_checked() {
        assert_eq!(parse_query("profile=WAN").config.profile, "wan");
        let bad = parse_query("profile=moon");
        assert_eq!(bad.config.profile, PlaygroundConfig::default().profile);
        assert!(
            bad.problems[0].contains("profile=moon"),
            "{:?}",
            bad.problems
        );
    }

    #[test]
    fn debug_panic_is_opt_in() {
        assert!(wants_debug_panic("?seed=1&debug=panic"));
        assert!(!wants_debug_panic("?seed=1"));
    }
}
