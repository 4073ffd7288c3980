//! The page URL as input: `?seed=…&nodes=…&profile=…` set the initial cluster. The browser's
//! `URLSearchParams` splits and percent-decodes the query (the page's only decoder); reading
//! the decoded pairs is pure (no DOM), so it is tested natively. A bad value never panics: it
//! yields a readable problem and the default is kept.

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

/// A query string's parameters in order, already percent-decoded (`+` is a space).
pub type Params = Vec<(String, String)>;

/// The first value of `key`, if the query has one.
pub fn param<'a>(params: &'a [(String, String)], key: &str) -> Option<&'a str> {
    params
        .iter()
        .find(|(k, _)| k == key)
        .map(|(_, v)| v.as_str())
}

/// The page's cluster when the URL says nothing: the core's defaults at the teaching pace
/// (issue 15: a hop is a visible fraction of the election timeout). Share links name their
/// profile, so older links keep theirs.
pub fn page_default() -> PlaygroundConfig {
    PlaygroundConfig {
        profile: syncsim_core::net::NetProfile::Teaching.name().into(),
        ..PlaygroundConfig::default()
    }
}

/// Reads `seed`, `nodes` and `profile` from the query's parameters.
/// Unknown parameters are left alone: later features add their own.
pub fn parse_query(params: &[(String, String)]) -> UrlSettings {
    let mut config = page_default();
    let mut problems = Vec::new();
    for (key, value) in params {
        match key.as_str() {
            "seed" => match parse_seed(value) {
                Ok(seed) => config.seed = seed,
                Err(why) => problems.push(format!(
                    "Ignored the URL parameter seed={value}: {why}. Using the default seed {}.",
                    page_default().seed
                )),
            },
            "nodes" => match parse_nodes(value) {
                Ok(nodes) => config.nodes = nodes,
                Err(why) => problems.push(format!(
                    "Ignored the URL parameter nodes={value}: {why}. Using the default {} nodes.",
                    page_default().nodes
                )),
            },
            "profile" => match NetProfile::parse(value) {
                Ok(profile) => config.profile = profile.name().to_string(),
                Err(why) => problems.push(format!(
                    "Ignored the URL parameter profile={value}: {}. Using the default network {}.",
                    why.0,
                    page_default().profile
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
pub fn wants_debug_panic(params: &[(String, String)]) -> bool {
    params.iter().any(|(k, v)| k == "debug" && v == "panic")
}

/// The live page's query parameters, decoded by the browser's `URLSearchParams` (none outside
/// a browser).
#[cfg(target_arch = "wasm32")]
pub fn current_params() -> Params {
    use wasm_bindgen::JsCast;
    let search = web_sys::window()
        .and_then(|w| w.location().search().ok())
        .unwrap_or_default();
    let Ok(params) = web_sys::UrlSearchParams::new_with_str(&search) else {
        return Vec::new();
    };
    // Each entry is a [key, value] array of two strings.
    params
        .entries()
        .into_iter()
        .filter_map(|entry| {
            let pair = entry.ok()?.dyn_into::<js_sys::Array>().ok()?;
            Some((pair.get(0).as_string()?, pair.get(1).as_string()?))
        })
        .collect()
}

#[cfg(not(target_arch = "wasm32"))]
pub fn current_params() -> Params {
    Vec::new()
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

    /// Splits a query the way `URLSearchParams` does, for values that need no decoding.
    fn q(query: &str) -> Params {
        query
            .trim_start_matches('?')
            .split('&')
            .filter(|pair| !pair.is_empty())
            .map(|pair| {
                let (k, v) = pair.split_once('=').unwrap_or((pair, ""));
                (k.to_string(), v.to_string())
            })
            .collect()
    }

    #[test]
    fn empty_query_gives_defaults_without_problems() {
        let parsed = parse_query(&q(""));
        assert_eq!(parsed.config, page_default());
        assert!(parsed.problems.is_empty());
    }

    #[test]
    fn valid_seed_and_nodes_are_applied() {
        let parsed = parse_query(&q("?seed=42&nodes=7"));
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
            let parsed = parse_query(&q(query));
            assert_eq!(parsed.config, page_default(), "{query}");
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
        let parsed = parse_query(&q("seed=7&nodes=abc"));
        assert_eq!(parsed.config.seed, 7);
        assert_eq!(parsed.config.nodes, page_default().nodes);
        assert_eq!(parsed.problems.len(), 1);
    }

    #[test]
    fn the_first_value_of_a_parameter_is_found() {
        let params = q("?x=1&run=a&t=5&run=b");
        assert_eq!(param(&params, "run"), Some("a"));
        assert_eq!(param(&params, "t"), Some("5"));
        assert_eq!(param(&params, "nope"), None);
    }

    #[test]
    fn to_query_round_trips() {
        let config = PlaygroundConfig {
            seed: 9,
            nodes: 3,
            ..page_default()
        };
        assert_eq!(parse_query(&q(&to_query(&config))).config, config);
    }

    #[test]
    fn network_profile_is_read_and_checked() {
        assert_eq!(parse_query(&q("profile=WAN")).config.profile, "wan");
        let bad = parse_query(&q("profile=moon"));
        assert_eq!(bad.config.profile, page_default().profile);
        assert!(
            bad.problems[0].contains("profile=moon"),
            "{:?}",
            bad.problems
        );
    }

    #[test]
    fn debug_panic_is_opt_in() {
        assert!(wants_debug_panic(&q("?seed=1&debug=panic")));
        assert!(!wants_debug_panic(&q("?seed=1")));
    }
}
