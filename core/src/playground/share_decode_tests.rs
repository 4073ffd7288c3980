//! The hand-written share link reader (`share_decode`) against the derived `Deserialize`, the
//! reference: same documents accepted, same values built, over every variant of every type in a
//! share link, over real runs, and over mutations of both (wrong types, unknown variants and
//! fields, missing fields, huge numbers).

use serde::de::DeserializeOwned;
use serde::Serialize;
use serde_json::{json, Value};

use super::share_decode;
use super::*;
use crate::net::{Jitter, LinkConfig};
use crate::raft::{ClientCmd, ClientOp, ProcessCmd, ServerCmd};
use crate::service::groups::GroupCmd;
use crate::services::cache::{CacheCmd, CacheOp, Protocol};
use crate::services::lock::{LockCmd, LockMode};
use crate::services::queue::client::{QueueOp, Submit};
use crate::services::queue::types::RingChange;
use crate::services::queue::QueueActorCmd;
use crate::services::status::StatusCmd;
use crate::services::NodeCmd;
use crate::sim::{Action, ClockModel, SEC};

/// The reference reader.
fn derived(v: &Value) -> Result<Shared, String> {
    serde_json::from_value::<Shared>(v.clone()).map_err(|e| e.to_string())
}

/// Both readers accept `v` or both refuse it; when they accept, they build the same value.
/// Returns the hand-written reader's error, if any.
fn agree(v: &Value) -> Option<String> {
    match (share_decode::shared(v), derived(v)) {
        (Ok(mine), Ok(reference)) => {
            assert_eq!(mine.config, reference.config, "{v}");
            assert_eq!(mine.actions, reference.actions, "{v}");
            None
        }
        (Err(mine), Err(_)) => Some(mine),
        (mine, reference) => panic!(
            "readers disagree on {v}:\n  hand-written: {:?}\n  derived: {:?}",
            mine.map(|_| ()),
            reference.map(|_| ())
        ),
    }
}

/// The variant names serde's derive knows for `T` (from its "unknown variant" message).
fn derived_variants<T: DeserializeOwned>() -> Vec<String> {
    let e = serde_json::from_value::<T>(json!("\u{1}no such variant"))
        .err()
        .unwrap()
        .to_string();
    // "expected `A`", "expected `A` or `B`", "expected one of `A`, `B`, `C`".
    let list = e.split("expected ").nth(1).unwrap_or_else(|| panic!("{e}"));
    list.trim_start_matches("one of ")
        .split(", ")
        .flat_map(|s| s.split(" or "))
        .map(|s| s.trim_matches('`').to_string())
        .collect()
}

/// Every variant of `T` appears in `samples` (so a new variant needs a sample, and then the
/// hand-written reader must know it for the agreement test to pass).
fn assert_covers<T: DeserializeOwned + Serialize>(samples: &[T]) {
    let seen: Vec<String> = samples
        .iter()
        .map(|s| match serde_json::to_value(s).unwrap() {
            Value::String(name) => name,
            Value::Object(map) => map.keys().next().unwrap().clone(),
            other => panic!("not an externally tagged enum: {other}"),
        })
        .collect();
    for v in derived_variants::<T>() {
        assert!(
            seen.contains(&v),
            "variant `{v}` of {} has no sample",
            std::any::type_name::<T>()
        );
    }
}

fn link(jitter: Jitter, bandwidth: Option<u64>) -> LinkConfig {
    LinkConfig {
        base_latency_us: 1_500,
        jitter,
        loss: 0.125,
        duplicate: 0.0,
        bandwidth_bytes_per_sec: bandwidth,
    }
}

/// Every variant of `Action` and of every command type under `NodeCmd`, at least once.
fn every_variant() -> Vec<Action<NodeCmd>> {
    let server_cmds = vec![
        ServerCmd::ForceTimeout,
        ServerCmd::TransferLeadership { to: 2 },
        ServerCmd::AddServer { id: 5 },
        ServerCmd::RemoveServer { id: 1 },
        ServerCmd::Compact,
    ];
    assert_covers(&server_cmds);
    let lock_modes = vec![LockMode::Shared, LockMode::Exclusive];
    assert_covers(&lock_modes);
    let lock_cmds = vec![
        LockCmd::Acquire {
            resource: "db".into(),
            mode: LockMode::Shared,
            wait_timeout_ms: Some(10_000),
            lease_ms: 0,
        },
        LockCmd::Acquire {
            resource: "é \"q\"".into(),
            mode: LockMode::Exclusive,
            wait_timeout_ms: None,
            lease_ms: 30_000,
        },
        LockCmd::Release {
            resource: "db".into(),
            lock_id: 7,
        },
        LockCmd::Status {
            resource: "db".into(),
        },
        LockCmd::Tick,
        LockCmd::ExtendLeases { by_ms: 250 },
    ];
    assert_covers(&lock_cmds);
    let mut client_ops = vec![ClientOp::NodeStatus];
    for c in &lock_cmds {
        client_ops.push(ClientOp::Cmd(c.clone()));
        client_ops.push(ClientOp::Read(c.clone()));
    }
    assert_covers(&client_ops);
    let client_cmds: Vec<ClientCmd<LockCmd>> = client_ops
        .iter()
        .enumerate()
        .map(|(i, op)| ClientCmd::Submit {
            target: (i % 2 == 0).then_some(i),
            op: op.clone(),
        })
        .collect();
    assert_covers(&client_cmds);
    let mut process_cmds: Vec<ProcessCmd<LockCmd>> = server_cmds
        .iter()
        .cloned()
        .map(ProcessCmd::Server)
        .collect();
    process_cmds.extend(client_cmds.into_iter().map(ProcessCmd::Client));
    assert_covers(&process_cmds);

    let ring_changes = vec![
        RingChange::Initial,
        RingChange::Join(3),
        RingChange::Leave(0),
    ];
    assert_covers(&ring_changes);
    let mut queue_ops = vec![
        QueueOp::Enqueue {
            message: "hello".into(),
            priority: 10,
            key: Some("k".into()),
            max_receive: Some(3),
        },
        QueueOp::Enqueue {
            message: "".into(),
            priority: 1,
            key: None,
            max_receive: None,
        },
        QueueOp::Dequeue {
            visibility_ms: Some(30_000),
        },
        QueueOp::Dequeue {
            visibility_ms: None,
        },
        QueueOp::Ack {
            message_id: "p1-2".into(),
            delivery_id: 4,
        },
        QueueOp::Status,
    ];
    queue_ops.extend(ring_changes.iter().map(|&change| QueueOp::Ring { change }));
    assert_covers(&queue_ops);
    let mut queue_cmds: Vec<QueueActorCmd> = queue_ops
        .into_iter()
        .enumerate()
        .map(|(i, op)| {
            QueueActorCmd::Submit(Submit {
                target: (i % 2 == 1).then_some(i),
                op,
            })
        })
        .collect();
    queue_cmds.extend(server_cmds.iter().enumerate().map(|(i, cmd)| {
        QueueActorCmd::Partition(GroupCmd {
            group: i as u32 * 1000,
            cmd: cmd.clone(),
        })
    }));
    assert_covers(&queue_cmds);

    let protocols = vec![Protocol::Mesi, Protocol::Moesi];
    assert_covers(&protocols);
    let cache_ops = vec![
        CacheOp::Get { key: "x".into() },
        CacheOp::Set {
            key: "x".into(),
            value: "v".into(),
            ttl_ms: 60_000,
        },
        CacheOp::Invalidate { key: "x".into() },
        CacheOp::Stats,
        CacheOp::Reset {
            protocol: Protocol::Mesi,
            write_through: false,
            memory: vec![],
        },
        CacheOp::Reset {
            protocol: Protocol::Moesi,
            write_through: true,
            memory: vec![("a".into(), "1".into()), ("b".into(), "2".into())],
        },
    ];
    assert_covers(&cache_ops);
    let cache_cmds: Vec<CacheCmd> = cache_ops
        .into_iter()
        .enumerate()
        .map(|(target, op)| CacheCmd::Request { target, op })
        .collect();
    assert_covers(&cache_cmds);
    let status_cmds = vec![StatusCmd::Get { target: 4 }];
    assert_covers(&status_cmds);

    let mut node_cmds: Vec<NodeCmd> = process_cmds.into_iter().map(NodeCmd::Lock).collect();
    node_cmds.extend(status_cmds.into_iter().map(NodeCmd::Status));
    node_cmds.extend(queue_cmds.into_iter().map(NodeCmd::Queue));
    node_cmds.extend(cache_cmds.into_iter().map(NodeCmd::Cache));
    assert_covers(&node_cmds);

    let jitters = vec![
        Jitter::Constant,
        Jitter::Uniform { max_us: 2_000 },
        Jitter::Exponential { mean_us: 700 },
    ];
    assert_covers(&jitters);
    let mut actions: Vec<Action<NodeCmd>> = node_cmds
        .into_iter()
        .enumerate()
        .map(|(to, cmd)| Action::Command { to, cmd })
        .collect();
    actions.extend([
        Action::Cut { from: 0, to: 1 },
        Action::Heal { from: 1, to: 0 },
        Action::CutBoth { a: 2, b: 3 },
        Action::HealBoth { a: 3, b: 2 },
        Action::Isolate { node: 4 },
        Action::Split {
            group: vec![0, 2, 4],
        },
        Action::Split { group: vec![] },
        Action::HealAll,
        Action::DropMessage { id: u64::MAX },
        Action::Crash { node: 0 },
        Action::Restart { node: 0 },
        Action::Pause { node: 1 },
        Action::Resume { node: 1 },
        Action::SetClock {
            node: 2,
            clock: ClockModel {
                offset_us: -40_000,
                drift_ppm: 150,
            },
        },
        Action::SetClock {
            node: 2,
            clock: ClockModel::PERFECT,
        },
    ]);
    for (i, j) in jitters.into_iter().enumerate() {
        let bandwidth = (i != 1).then_some(1_000_000 * i as u64);
        actions.push(Action::SetLink {
            from: i,
            to: i + 1,
            link: link(j.clone(), bandwidth),
        });
        actions.push(Action::SetAllLinks {
            link: link(j, bandwidth),
        });
    }
    assert_covers(&actions);
    actions
}

fn shared_of(actions: Vec<Action<NodeCmd>>) -> Shared {
    Shared {
        config: PlaygroundConfig {
            seed: u64::MAX,
            nodes: 3,
            profile: "wan".into(),
            pre_vote: false,
            check_quorum: true,
        },
        actions: actions
            .into_iter()
            .enumerate()
            .map(|(i, action)| Recorded {
                at: i as u64 * 1_000,
                after_events: i as u64 * 17,
                action,
            })
            .collect(),
    }
}

/// Real runs: faults, operator commands and console requests of every service.
fn played_runs() -> Vec<String> {
    let mut runs = Vec::new();
    for seed in [1, 7] {
        let mut p = Playground::new(PlaygroundConfig {
            seed,
            ..Default::default()
        })
        .unwrap();
        p.advance(2 * SEC);
        let l = p.leader().unwrap_or(0);
        for a in [
            UiAction::ToggleLink { a: 0, b: 1 },
            UiAction::CutOneWay { from: 2, to: 3 },
            UiAction::SplitMajority,
            UiAction::HealAll,
            UiAction::ClientRequest,
            UiAction::Pause { node: 4 },
            UiAction::Resume { node: 4 },
            UiAction::ForceTimeout { node: 1 },
            UiAction::TransferLeadership { to: (l + 1) % 5 },
            UiAction::ServiceAction {
                service: "queue".into(),
                action: "ring-leave".into(),
                node: 3,
            },
            UiAction::IsolateLeader,
            UiAction::Crash { node: 2 },
            UiAction::Restart { node: 2 },
        ] {
            let _ = p.act(a);
            p.advance(150 * MS);
        }
        for (client, line) in [
            (
                "A",
                r#"POST /lock/acquire {"resource":"db","mode":"shared","timeout":5,"lease":30}"#,
            ),
            ("B", r#"POST /lock/release {"resource":"db","lock_id":1}"#),
            ("C", "GET /lock/status?resource=db"),
            ("A", "GET /status"),
            ("B", r#"POST /queue/enqueue {"message":"m","priority":5}"#),
            (
                "C",
                r#"POST /cache/set {"key":"x","value":"hello","ttl":60}"#,
            ),
            ("A", "GET /cache/get?key=x"),
            ("B", r#"POST /cache/reset {"protocol":"moesi"}"#),
        ] {
            let _ = p.api_request(client, l, line);
            p.advance(100 * MS);
        }
        runs.push(p.share_string());
    }
    runs
}

#[test]
fn every_variant_reads_back_as_the_derives_read_it() {
    let original = shared_of(every_variant());
    let v = serde_json::to_value(&original).unwrap();
    let read = share_decode::shared(&v).unwrap();
    assert_eq!(read.config, original.config);
    assert_eq!(read.actions, original.actions);
    assert_eq!(agree(&v), None);
}

#[test]
fn real_runs_read_back_as_the_derives_read_them() {
    for s in played_runs() {
        let v: Value = serde_json::from_str(&s).unwrap();
        assert_eq!(agree(&v), None);
        let shared = share_decode::shared(&v).unwrap();
        assert!(shared.actions.len() > 10, "{s}");
        assert_eq!(serde_json::to_string(&shared).unwrap(), s);
        // And the page's path replays it.
        Playground::from_share_string(&s).unwrap();
    }
}

/// Replacements tried at every position of a document.
fn replacements() -> Vec<Value> {
    vec![
        json!(null),
        json!(true),
        json!(0),
        json!(1),
        json!(-1),
        json!(1.5),
        json!(2.0),
        json!(255),
        json!(256),
        json!(u32::MAX),
        json!(u32::MAX as u64 + 1),
        json!(i64::MAX as u64 + 1),
        json!(u64::MAX),
        json!(i64::MIN),
        json!(1e300),
        json!(""),
        json!("x"),
        json!("HealAll"),
        json!("shared"),
        json!("MESI"),
        json!([]),
        json!([1]),
        json!(["a", "b"]),
        json!({}),
        json!({"x": 1}),
        json!({"HealAll": null}),
        json!({"a": 1, "b": 2}),
    ]
}

/// Every document obtained from `v` by one edit: a node replaced, an object key removed or
/// added, or an object turned into the array of its values.
fn mutations(v: &Value) -> Vec<Value> {
    let mut out = Vec::new();
    for r in replacements() {
        out.push(r);
    }
    match v {
        Value::Object(map) => {
            for key in map.keys() {
                let mut m = map.clone();
                m.remove(key);
                out.push(Value::Object(m));
                for inner in mutations(&map[key]) {
                    let mut m = map.clone();
                    m.insert(key.clone(), inner);
                    out.push(Value::Object(m));
                }
            }
            let mut m = map.clone();
            m.insert("zzz".into(), json!(1));
            out.push(Value::Object(m));
            out.push(Value::Array(map.values().cloned().collect()));
        }
        Value::Array(items) => {
            for (i, item) in items.iter().enumerate() {
                let mut a = items.clone();
                a.remove(i);
                out.push(Value::Array(a));
                for inner in mutations(item) {
                    let mut a = items.clone();
                    a[i] = inner;
                    out.push(Value::Array(a));
                }
            }
            let mut a = items.clone();
            a.push(json!(0));
            out.push(Value::Array(a));
        }
        _ => {}
    }
    out
}

#[test]
fn mutated_documents_are_accepted_or_refused_as_the_derives_do() {
    // One action per document keeps each document small.
    let mut docs: Vec<Value> = every_variant()
        .into_iter()
        .map(|a| serde_json::to_value(shared_of(vec![a])).unwrap())
        .collect();
    for s in played_runs() {
        let v: Value = serde_json::from_str(&s).unwrap();
        for r in v["actions"].as_array().unwrap().iter().take(40) {
            docs.push(json!({"config": v["config"], "actions": [r]}));
        }
    }
    let (mut accepted, mut refused) = (0, 0);
    for doc in docs {
        for m in mutations(&doc) {
            match agree(&m) {
                None => accepted += 1,
                Some(e) => {
                    assert!(!e.is_empty());
                    refused += 1;
                }
            }
        }
    }
    assert!(accepted > 100 && refused > 1000, "{accepted} {refused}");
}

#[test]
fn struct_forms_serde_accepts_are_accepted() {
    let config =
        json!({"seed":1,"nodes":3,"profile":"localhost","pre_vote":true,"check_quorum":false});
    for doc in [
        // Structs as arrays of their fields, in declaration order.
        json!({"config": [1, 3, "localhost", true, false], "actions": []}),
        json!([config, [[5, 6, "HealAll"]]]),
        json!({"config": config, "actions": [{"at": 1, "after_events": 2,
            "action": {"SetAllLinks": {"link": [10, "Constant", 0, 1, null]}}}]}),
        json!({"config": config, "actions": [{"at": 1, "after_events": 2,
            "action": {"SetClock": {"node": 0, "clock": [-5, 3]}}}]}),
        json!({"config": config, "actions": [{"at": 1, "after_events": 2,
            "action": {"Command": {"to": 0, "cmd": {"queue": {"Submit": [null, "Status"]}}}}}]}),
        json!({"config": config, "actions": [{"at": 1, "after_events": 2,
            "action": {"Command": {"to": 0, "cmd": {"queue": {"Partition": [4, "Compact"]}}}}}]}),
        // Unit variants as `{"Name": null}`; integers where a float is expected.
        json!({"config": config, "actions": [{"at": 1, "after_events": 2, "action": {"HealAll": null}},
            {"at": 1, "after_events": 2,
             "action": {"SetAllLinks": {"link": {"base_latency_us": 1, "jitter": {"Constant": null},
                "loss": 1, "duplicate": 0, "bandwidth_bytes_per_sec": null}}}}]}),
        // A missing `Option` field is `None`; unknown fields are ignored below the config.
        json!({"config": config, "actions": [{"at": 1, "after_events": 2, "extra": [1],
            "action": {"SetAllLinks": {"link": {"base_latency_us": 1, "jitter": "Constant",
                "loss": 0.5, "duplicate": 0, "colour": "red"}}}}]}),
        json!({"config": config, "actions": [{"at": 1, "after_events": 2,
            "action": {"Command": {"to": 0, "cmd": {"queue": {"Submit":
                {"op": {"Dequeue": {}}}}}}}}]}),
    ] {
        assert_eq!(agree(&doc), None, "{doc}");
    }
}

#[test]
fn hostile_documents_name_the_field_or_variant() {
    let config =
        json!({"seed":1,"nodes":3,"profile":"localhost","pre_vote":true,"check_quorum":false});
    let with = |action: Value| json!({"config": config, "actions": [{"at": 1, "after_events": 2, "action": action}]});
    for (doc, says) in [
        (json!(null), "expected an object"),
        (json!({"config": config}), "missing field `actions`"),
        (
            json!({"config": config, "actions": [], "x": 1}),
            "unknown field `x`",
        ),
        (
            json!({"config": {"seed":1,"nodes":3,"profile":"localhost","pre_vote":true,"check_quorum":false,"colour":1}, "actions": []}),
            "field `config`: unknown field `colour`",
        ),
        (
            json!({"config": {"seed":-1,"nodes":3,"profile":"localhost","pre_vote":true,"check_quorum":false}, "actions": []}),
            "field `seed`: expected an unsigned integer",
        ),
        (
            json!({"config": {"seed":1.5,"nodes":3,"profile":"localhost","pre_vote":true,"check_quorum":false}, "actions": []}),
            "field `seed`: expected an unsigned integer",
        ),
        (
            json!({"config": {"seed":1,"nodes":3,"profile":7,"pre_vote":true,"check_quorum":false}, "actions": []}),
            "field `profile`: expected a string, found 7",
        ),
        (
            json!({"config": config, "actions": {}}),
            "field `actions`: expected an array",
        ),
        (with(json!("Foo")), "unknown variant `Foo` of Action"),
        (with(json!({"Foo": 1})), "unknown variant `Foo` of Action"),
        (
            with(json!({"Crash": {"node": "1"}})),
            "variant `Crash` of Action: field `node`: expected an unsigned integer",
        ),
        (
            with(json!({"Crash": {}})),
            "variant `Crash` of Action: missing field `node`",
        ),
        (
            with(json!("Crash")),
            "variant `Crash` of Action: expected an object, found none",
        ),
        (
            with(json!({"Crash": [1]})),
            "variant `Crash` of Action: expected an object",
        ),
        (
            with(json!({"HealAll": 1})),
            "variant `HealAll` of Action: expected no value",
        ),
        (
            with(json!({"Crash": {"node": 1}, "Pause": {"node": 1}})),
            "a variant of Action",
        ),
        (with(json!(3)), "a variant of Action"),
        (
            with(json!({"DropMessage": {"id": 1e30}})),
            "field `id`: expected an unsigned integer",
        ),
        (
            with(
                json!({"SetClock": {"node": 0, "clock": {"offset_us": u64::MAX, "drift_ppm": 0}}}),
            ),
            "field `offset_us`: expected an integer",
        ),
        (
            with(
                json!({"Command": {"to": 0, "cmd": {"queue": {"Partition": {"group": u64::from(u32::MAX) + 1, "cmd": "Compact"}}}}}),
            ),
            "field `group`: 4294967296 is out of range",
        ),
        (
            with(
                json!({"Command": {"to": 0, "cmd": {"queue": {"Submit": {"op": {"Enqueue": {"message": "m", "priority": 256}}}}}}}),
            ),
            "field `priority`: 256 is out of range (at most 255)",
        ),
        (
            with(
                json!({"Command": {"to": 0, "cmd": {"lock": {"Client": {"Submit": {"op": {"Cmd": {"Acquire":
                {"resource": "db", "mode": "Shared", "lease_ms": 0}}}}}}}}}),
            ),
            "unknown variant `Shared` of LockMode",
        ),
        (
            with(json!({"Command": {"to": 0, "cmd": {"Lock": "x"}}})),
            "unknown variant `Lock` of NodeCmd",
        ),
        (
            with(
                json!({"Command": {"to": 0, "cmd": {"cache": {"Request": {"target": 0, "op": {"Reset":
                {"protocol": "mesi", "write_through": true, "memory": []}}}}}}}),
            ),
            "unknown variant `mesi` of Protocol",
        ),
        (
            with(
                json!({"Command": {"to": 0, "cmd": {"cache": {"Request": {"target": 0, "op": {"Reset":
                {"protocol": "MESI", "write_through": true, "memory": [["a"]]}}}}}}}),
            ),
            "field `memory`: item 0: expected an array of two strings",
        ),
        (
            with(
                json!({"Command": {"to": 0, "cmd": {"queue": {"Submit": {"op": {"Ring": {"change": "Join"}}}}}}}),
            ),
            "variant `Join` of RingChange: expected a value",
        ),
    ] {
        let e = agree(&doc).unwrap_or_else(|| panic!("accepted: {doc}"));
        assert!(e.contains(says), "{doc}\n  says: {e}\n  expected: {says}");
    }
    // Through the page's entry point: the prefix, and text that is not JSON at all.
    let e = Playground::from_share_string(r#"{"config":{},"actions":[]}"#)
        .err()
        .unwrap();
    assert!(
        e.starts_with("share link is not valid: field `config`: missing field"),
        "{e}"
    );
    let e = Playground::from_share_string("[1,").err().unwrap();
    assert!(e.starts_with("share link is not valid: "), "{e}");
}

/// A replay must read back the very doubles the run used, computed ones included: without
/// serde_json's `float_roundtrip`, its parser re-reads about one in ten of them one ULP off.
#[test]
fn computed_doubles_read_back_bit_for_bit_through_the_pages_parser() {
    let mut rng = crate::base::SimRng::new(3);
    let mut doubles = vec![0.1 + 0.2, 1.0 / 3.0, f64::MIN_POSITIVE, 1.0 - f64::EPSILON];
    doubles.extend((0..2000).map(|_| rng.next_u64() as f64 / u64::MAX as f64));
    let actions = doubles
        .iter()
        .map(|&p| Action::SetAllLinks {
            link: LinkConfig {
                loss: p,
                duplicate: 1.0 - p,
                ..link(Jitter::Constant, None)
            },
        })
        .collect();
    let text = serde_json::to_string(&shared_of(actions)).unwrap();
    let read = share_decode::shared(&crate::base::json_text::parse(&text).unwrap()).unwrap();
    for (r, &p) in read.actions.iter().zip(&doubles) {
        let Action::SetAllLinks { link } = &r.action else {
            panic!("{r:?}")
        };
        assert_eq!(link.loss.to_bits(), p.to_bits());
        assert_eq!(link.duplicate.to_bits(), (1.0 - p).to_bits());
    }
    assert_eq!(read.actions.len(), doubles.len());
}
