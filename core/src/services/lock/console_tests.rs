//! End to end, as the UI's API console will do it: a request line is parsed, submitted by a
//! simulated client to the cluster, and the answer rendered in the seed API's JSON.

use serde_json::Value;

use super::api::{render_response, to_client_op};
use super::cluster::{lock_cluster, LockProcess, LockWorkload};
use super::router::parse_request;
use crate::net::NetProfile;
use crate::raft::{ClientCmd, ClientResult, ProcessCmd, RaftConfig};
use crate::sim::{Action, ActorId, Sim, SEC};

fn submit(sim: &mut Sim<LockProcess>, client: ActorId, line: &str) -> (u16, Value) {
    let op = to_client_op(&parse_request(line).expect("valid request"));
    let cmd = ProcessCmd::Client(ClientCmd::Submit { target: None, op });
    sim.apply(Action::Command { to: client, cmd }).unwrap();
    sim.run_for(2 * SEC);
    let history = sim.actor(client).client().unwrap().history();
    match history.last().and_then(|h| h.result.clone()) {
        Some(ClientResult::Ok(out)) => render_response(&out),
        Some(ClientResult::Status(s)) => (200, serde_json::to_value(s).unwrap()),
        other => panic!("no answer to `{line}`: {other:?}"),
    }
}

#[test]
fn console_requests_round_trip_through_the_cluster() {
    let idle = LockWorkload::passive();
    let link = NetProfile::Localhost.link();
    let mut sim = lock_cluster(5, 3, link, &RaftConfig::default(), vec![idle; 2]).unwrap();
    sim.run_for(SEC);
    let (a, b) = (3, 4);
    let (code, body) = submit(
        &mut sim,
        a,
        r#"POST /lock/acquire {"resource":"db","mode":"exclusive","timeout":5}"#,
    );
    assert_eq!(
        (code, body["status"].as_str()),
        (200, Some("acquired")),
        "{body}"
    );
    let lock_id = body["lock_id"].as_u64().unwrap();
    assert!(body["fencing_token"].as_u64().unwrap() >= 1);

    let (code, body) = submit(
        &mut sim,
        b,
        r#"POST /lock/acquire {"resource":"db","mode":"shared","timeout":0}"#,
    );
    assert_eq!(
        (code, body["status"].as_str()),
        (409, Some("conflict")),
        "{body}"
    );

    let (code, body) = submit(&mut sim, b, "GET /lock/status?resource=db");
    assert_eq!(code, 200);
    assert_eq!(body["locked"], true);
    assert_eq!(body["holder"].as_u64(), Some(a as u64));
    assert_eq!(body["mode"], "exclusive");

    let wrong = format!(r#"POST /lock/release {{"resource":"db","lock_id":{lock_id}}}"#);
    let (code, body) = submit(&mut sim, b, &wrong);
    assert_eq!(
        (code, body["status"].as_str()),
        (404, Some("not_owner")),
        "{body}"
    );
    let (code, body) = submit(&mut sim, a, &wrong);
    assert_eq!(
        (code, body["status"].as_str()),
        (200, Some("released")),
        "{body}"
    );
    // `GET /status` belongs to the status service (see services/status/tests.rs).
}
