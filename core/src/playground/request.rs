//! Sending a console request the way the UI does: pick the node ("leader" or "nK"), route the
//! line to its service, and, when the simulation is paused, run it just far enough for the
//! answer to arrive (bounded), so the user sees a result without pressing play.

use serde::{Deserialize, Serialize};

use super::Playground;
use crate::base::{Time, MS, SEC};
use crate::service::ApiExchange;
use crate::sim::ActorId;

/// What the user last sent, so the console can show its answer.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
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

/// How far a paused simulation is advanced, at most, to complete a request (3 s: at the
/// teaching pace a request through an election takes more than 1 s).
pub const PAUSED_ADVANCE_LIMIT: Time = 3 * SEC;
const PAUSED_ADVANCE_STEP: Time = 10 * MS;

impl Playground {
    /// "nK" names server K; anything else ("leader", "") means the current leader, else n1.
    pub fn resolve_node(&self, choice: &str) -> ActorId {
        let parsed = choice
            .trim()
            .strip_prefix('n')
            .and_then(|d| d.parse::<usize>().ok())
            .filter(|&k| k >= 1 && k <= self.servers())
            .map(|k| k - 1);
        parsed.or_else(|| self.leader()).unwrap_or(0)
    }

    /// The exchange a `Sent::Accepted` refers to.
    pub fn exchange(&self, client: &str, ticket: u64, line: &str) -> Option<ApiExchange> {
        find_exchange(&self.api_exchanges(), client, ticket, line).cloned()
    }

    /// Send `line` as `client` to `node_choice`; when `paused`, run the simulation until the
    /// answer arrives (at most `PAUSED_ADVANCE_LIMIT`), then a little more so that its effects
    /// (a grant to a waiter) show too.
    pub fn send(&mut self, client: &str, node_choice: &str, line: &str, paused: bool) -> Sent {
        let line = line.trim();
        let node = self.resolve_node(node_choice);
        match self.api_request(client, node, line) {
            Err(rejection) => Sent::Rejected {
                line: line.to_string(),
                status: rejection.status,
                message: rejection.message,
            },
            Ok(ticket) => {
                if paused {
                    let stop = self.now().saturating_add(PAUSED_ADVANCE_LIMIT);
                    while self.now() < stop {
                        self.advance(PAUSED_ADVANCE_STEP);
                        let done = self
                            .exchange(client, ticket, line)
                            .is_some_and(|e| e.status.is_some());
                        if done {
                            self.advance(5 * PAUSED_ADVANCE_STEP);
                            break;
                        }
                    }
                }
                Sent::Accepted {
                    client: client.to_string(),
                    ticket,
                    line: line.to_string(),
                }
            }
        }
    }
}

/// Tickets count per client and per service, so the request line tells services apart.
pub fn find_exchange<'a>(
    exchanges: &'a [ApiExchange],
    client: &str,
    ticket: u64,
    line: &str,
) -> Option<&'a ApiExchange> {
    let path = |l: &str| {
        crate::service::console::split_line(l)
            .map(|h| h.path.split('/').nth(1).unwrap_or("").to_string())
            .unwrap_or_default()
    };
    let want = path(line);
    exchanges
        .iter()
        .find(|e| e.client == client && e.ticket == ticket && path(&e.request) == want)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::playground::PlaygroundConfig;

    #[test]
    fn paused_send_completes_and_bad_lines_are_rejected() {
        let mut pg = Playground::new(PlaygroundConfig::default()).unwrap();
        pg.advance(3 * SEC);
        for line in ["GET /status", "GET /lock/status?resource=db"] {
            let sent = pg.send("A", "leader", line, true);
            let Sent::Accepted {
                client,
                ticket,
                line,
            } = sent
            else {
                panic!("{sent:?}")
            };
            assert_eq!(ticket, 1, "tickets count per service");
            let e = pg.exchange(&client, ticket, &line).unwrap();
            assert_eq!(e.status, Some(200), "{e:?}");
            assert_eq!(e.request, line);
        }
        let bad = pg.send("A", "leader", "POST /lock/acquire {oops", true);
        assert!(matches!(bad, Sent::Rejected { status: 400, .. }), "{bad:?}");
        let bad = pg.send("A", "n1", &crate::lock::api::release_line("db", "x"), true);
        assert!(matches!(bad, Sent::Rejected { status: 400, .. }), "{bad:?}");
    }

    #[test]
    fn node_choice_resolves() {
        let mut pg = Playground::new(PlaygroundConfig::default()).unwrap();
        assert_eq!(pg.resolve_node("n3"), 2);
        assert_eq!(pg.resolve_node("n9"), 0, "out of range falls back");
        pg.advance(3 * SEC);
        assert_eq!(Some(pg.resolve_node("leader")), pg.leader());
    }
}
