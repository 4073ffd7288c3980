//! Sending a seed-API request line from a console client, shared by the API console and the
//! locks form. A request runs in simulated time: when the simulation is paused, it is advanced
//! just far enough for the answer to arrive (or up to a limit), so the user sees a result.

use syncsim_core::playground::{ApiExchange, Playground};
use syncsim_core::sim::{Time, MS, SEC};

/// What the user last sent, so the console can show its answer.
#[derive(Clone, Debug, PartialEq)]
pub enum Sent {
    /// Accepted: the exchange is identified by the console client and its ticket.
    Accepted {
        client: String,
        ticket: u64,
        line: String,
    },
    /// Refused by the router at once (400/404/405…).
    Rejected {
        line: String,
        status: u16,
        message: String,
    },
}

/// How far a paused simulation is advanced, at most, to complete a request.
const PAUSED_ADVANCE_LIMIT: Time = SEC;
const PAUSED_ADVANCE_STEP: Time = 10 * MS;

/// "leader" (or an empty choice) means the current leader, else the first server.
pub fn resolve_node(pg: &Playground, choice: &str) -> usize {
    let parsed = choice
        .strip_prefix('n')
        .and_then(|d| d.parse::<usize>().ok())
        .filter(|&k| k >= 1 && k <= pg.servers())
        .map(|k| k - 1);
    parsed.or_else(|| pg.leader()).unwrap_or(0)
}

pub fn find_exchange<'a>(
    exchanges: &'a [ApiExchange],
    client: &str,
    ticket: u64,
) -> Option<&'a ApiExchange> {
    exchanges
        .iter()
        .find(|e| e.client == client && e.ticket == ticket)
}

/// Sends `line` as `client` to `node_choice`; when `paused`, runs the simulation until the
/// answer arrives (bounded). Returns what to show.
pub fn send(
    pg: &mut Playground,
    client: &str,
    node_choice: &str,
    line: &str,
    paused: bool,
) -> Sent {
    let node = resolve_node(pg, node_choice);
    match pg.api_request(client, node, line.trim()) {
        Err(rejection) => Sent::Rejected {
            line: line.trim().to_string(),
            status: rejection.status,
            message: rejection.message,
        },
        Ok(ticket) => {
            if paused {
                let stop = pg.now().saturating_add(PAUSED_ADVANCE_LIMIT);
                while pg.now() < stop {
                    pg.advance(PAUSED_ADVANCE_STEP);
                    let done = find_exchange(&pg.api_exchanges(), client, ticket)
                        .is_some_and(|e| e.status.is_some());
                    if done {
                        // A little more, so that effects of the answer (a grant to a waiter)
                        // are visible too.
                        pg.advance(5 * PAUSED_ADVANCE_STEP);
                        break;
                    }
                }
            }
            Sent::Accepted {
                client: client.to_string(),
                ticket,
                line: line.trim().to_string(),
            }
        }
    }
}

/// JSON string literal for a user-typed value (quotes and backslashes escaped).
pub fn json_string(text: &str) -> String {
    serde_json::to_string(text).unwrap_or_else(|_| "\"\"".into())
}

pub fn acquire_line(resource: &str, mode: &str, timeout_s: &str) -> String {
    let timeout = timeout_s.trim();
    let timeout = if timeout.is_empty() { "10" } else { timeout };
    format!(
        "POST /lock/acquire {{\"resource\":{},\"mode\":{},\"timeout\":{}}}",
        json_string(resource.trim()),
        json_string(mode),
        timeout
    )
}

pub fn release_line(resource: &str, lock_id: &str) -> String {
    let id = lock_id.trim();
    format!(
        "POST /lock/release {{\"resource\":{},\"lock_id\":{}}}",
        json_string(resource.trim()),
        if id.is_empty() { "null" } else { id }
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use syncsim_core::playground::PlaygroundConfig;

    #[test]
    fn lines_are_valid_seed_api_requests() {
        assert_eq!(
            acquire_line(" db ", "exclusive", "30"),
            r#"POST /lock/acquire {"resource":"db","mode":"exclusive","timeout":30}"#
        );
        assert_eq!(
            release_line("d\"b", "7"),
            r#"POST /lock/release {"resource":"d\"b","lock_id":7}"#
        );
    }

    #[test]
    fn paused_send_completes_and_bad_lines_are_rejected() {
        let mut pg = Playground::new(PlaygroundConfig::default()).unwrap();
        pg.advance(3 * SEC);
        let sent = send(&mut pg, "A", "leader", "GET /status", true);
        let Sent::Accepted { client, ticket, .. } = sent else {
            panic!("{sent:?}")
        };
        let ex = pg.api_exchanges();
        assert_eq!(
            find_exchange(&ex, &client, ticket).unwrap().status,
            Some(200)
        );
        let bad = send(&mut pg, "A", "leader", "POST /lock/acquire {oops", true);
        assert!(matches!(bad, Sent::Rejected { status: 400, .. }), "{bad:?}");
        // A non-numeric lock id is the router's problem, reported, not a panic.
        let bad = send(&mut pg, "A", "n1", &release_line("db", "x"), true);
        assert!(matches!(bad, Sent::Rejected { status: 400, .. }), "{bad:?}");
    }

    #[test]
    fn node_choice_resolves() {
        let mut pg = Playground::new(PlaygroundConfig::default()).unwrap();
        assert_eq!(resolve_node(&pg, "n3"), 2);
        assert_eq!(resolve_node(&pg, "n9"), 0, "out of range falls back");
        pg.advance(3 * SEC);
        assert_eq!(Some(resolve_node(&pg, "leader")), pg.leader());
    }
}
