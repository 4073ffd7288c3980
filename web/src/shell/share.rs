//! Share links: `?run=<share string>&t=<virtual µs>` rebuilds a run (config + recorded actions)
//! and replays it to the moment it was shared, so the trace hash matches. Parsing is pure and
//! tested natively; hostile input yields a message, never a panic or a frozen tab.

use syncsim_core::playground::Playground;
use syncsim_core::sim::{Time, SEC};

/// Replaying further than this past the last action would freeze the tab on a hostile `t`.
pub const MAX_REPLAY_PAST_LAST_ACTION: Time = 600 * SEC;

/// Percent-encodes everything except RFC 3986's unreserved characters.
pub fn encode(text: &str) -> String {
    let mut out = String::with_capacity(text.len() * 2);
    for b in text.bytes() {
        if b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b'.' | b'~') {
            out.push(b as char);
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

/// The query string that reproduces `pg` at its current time.
pub fn share_query(pg: &Playground) -> String {
    format!("?run={}&t={}", encode(&pg.share_string()), pg.now())
}

/// Reads `run` and `t` (already percent-decoded by the browser, see `url::current_params`) into
/// a replayed playground.
/// `Ok(None)` when there is no `run` parameter.
pub fn open_shared(run: Option<&str>, t: Option<&str>) -> Result<Option<Playground>, String> {
    let Some(run) = run else {
        return Ok(None);
    };
    let mut pg = Playground::from_share_string(run)?;
    let last = pg.last_action_time();
    let target = match t {
        None => last,
        Some(raw) => {
            let t: Time = raw
                .trim()
                .parse()
                .map_err(|_| format!("its time t={raw} is not a whole number of microseconds"))?;
            if t > last.saturating_add(MAX_REPLAY_PAST_LAST_ACTION) {
                return Err(format!(
                    "its time t={t} µs is too far past its last action to replay in a browser tab"
                ));
            }
            t.max(last)
        }
    };
    pg.advance(target);
    Ok(Some(pg))
}

#[cfg(test)]
mod tests {
    use super::*;
    use syncsim_core::playground::{PlaygroundConfig, UiAction};

    #[test]
    fn a_shared_run_replays_to_the_same_trace_hash() {
        let mut pg = Playground::new(PlaygroundConfig {
            seed: 9,
            ..Default::default()
        })
        .unwrap();
        pg.advance(2 * SEC);
        pg.act(UiAction::IsolateLeader).unwrap();
        pg.advance(SEC + 123);
        let query = share_query(&pg);
        let (run, t) = (pg.share_string(), pg.now().to_string());
        assert_eq!(query, format!("?run={}&t={t}", encode(&run)));
        let again = open_shared(Some(&run), Some(&t)).unwrap().unwrap();
        assert_eq!(again.now(), pg.now());
        assert_eq!(again.trace_hash_hex(), pg.trace_hash_hex());
    }

    #[test]
    fn hostile_links_give_messages() {
        assert!(open_shared(None, None).unwrap().is_none());
        for (run, t) in [
            ("{", None),
            ("null", None),
            ("x".repeat(3_000_000).as_str(), None),
        ] {
            assert!(open_shared(Some(run), t).is_err());
        }
        let good = Playground::new(PlaygroundConfig::default())
            .unwrap()
            .share_string();
        let error = |t: &str| open_shared(Some(&good), Some(t)).err().unwrap_or_default();
        assert!(error("abc").contains("t=abc"));
        assert!(error("99999999999999").contains("too far"));
        assert_eq!(encode("a b/{\"é"), "a%20b%2F%7B%22%C3%A9");
        assert_eq!(encode("+%"), "%2B%25");
    }
}
