//! The seed API: parsing, validation errors, command conversion and rendering.

use proptest::prelude::*;

use super::api::*;
use super::router::parse_request;
use super::types::*;
use crate::sim::MS;

fn err(line: &str) -> ApiError {
    parse_request(line).expect_err(line)
}

#[test]
fn parses_the_seed_requests() {
    let r =
        parse_request(r#"POST /lock/acquire {"resource":"db","mode":"exclusive","timeout":30}"#);
    assert_eq!(
        r,
        Ok(ApiRequest::Acquire {
            resource: "db".into(),
            mode: LockMode::Exclusive,
            timeout_ms: 30_000,
            lease_ms: 30_000
        })
    );
    let r = parse_request(
        r#"post /lock/acquire {"resource":"db","mode":"shared","timeout":0.25,"lease":2}"#,
    );
    assert_eq!(
        r,
        Ok(ApiRequest::Acquire {
            resource: "db".into(),
            mode: LockMode::Shared,
            timeout_ms: 250,
            lease_ms: 2_000
        })
    );
    assert_eq!(
        parse_request(r#"POST /lock/release {"resource":"db","lock_id":12}"#),
        Ok(ApiRequest::Release {
            resource: "db".into(),
            lock_id: 12
        })
    );
    assert_eq!(
        parse_request("GET /lock/status?resource=my%20db"),
        Ok(ApiRequest::Status {
            resource: "my db".into()
        })
    );
    assert_eq!(
        parse_request("GET /status").unwrap_err().status,
        404,
        "the status service owns it"
    );
}

#[test]
fn rejects_bad_input_with_a_message_naming_the_problem() {
    let cases = [
        (
            r#"POST /lock/acquire {"resource":"db","mode":"exclusive""#,
            400,
            "invalid JSON",
        ),
        (
            r#"POST /lock/acquire {"resource":"db","mode":"exclusive","ttl":3}"#,
            400,
            "unknown field `ttl`",
        ),
        (
            r#"POST /lock/acquire {"resource":"db","mode":"write"}"#,
            400,
            "unknown variant `write`",
        ),
        (
            r#"POST /lock/acquire {"mode":"shared"}"#,
            400,
            "missing field `resource`",
        ),
        (
            r#"POST /lock/acquire {"resource":"db"}"#,
            400,
            "missing field `mode`",
        ),
        (
            r#"POST /lock/acquire {"resource":"db","mode":"shared","timeout":-1}"#,
            400,
            "`timeout`",
        ),
        (
            r#"POST /lock/acquire {"resource":"db","mode":"shared","timeout":1e300}"#,
            400,
            "`timeout`",
        ),
        (
            r#"POST /lock/acquire {"resource":"db","mode":"shared","timeout":"5"}"#,
            400,
            "field `timeout`: expected a number, found a string",
        ),
        (
            r#"POST /lock/acquire {"resource":"db","mode":"shared","lease":0}"#,
            400,
            "`lease`",
        ),
        (
            r#"POST /lock/acquire {"resource":"  ","mode":"shared"}"#,
            400,
            "`resource` must not be empty",
        ),
        (
            r#"POST /lock/release {"resource":"db","lock_id":-3}"#,
            400,
            "field `lock_id`: expected an unsigned integer, found -3",
        ),
        ("POST /lock/acquire", 400, "missing JSON body"),
        ("GET /lock/status", 400, "`resource`"),
        ("GET /lock/status?resource=%zz", 400, "percent-escape"),
        ("GET /lock/unknown", 404, "no route"),
        ("DELETE /lock/acquire", 405, "accepts POST"),
        (r#"POST /status {}"#, 404, "no route"),
        ("", 400, "empty request"),
        ("GET lock/status", 400, "path starting"),
    ];
    for (line, status, needle) in cases {
        let e = err(line);
        assert_eq!(e.status, status, "{line}: {e:?}");
        assert!(
            e.message.contains(needle),
            "{line}: `{}` lacks `{needle}`",
            e.message
        );
    }
    assert_eq!(err(&"x".repeat(70_000)).status, 413);
}

#[test]
fn converts_requests_to_commands() {
    let req =
        parse_request(r#"POST /lock/acquire {"resource":"db","mode":"exclusive","timeout":0}"#)
            .unwrap();
    assert_eq!(
        to_lock_cmd(&req),
        LockCmd::Acquire {
            resource: "db".into(),
            mode: LockMode::Exclusive,
            wait_timeout_ms: Some(0),
            lease_ms: 30_000
        }
    );
}

#[test]
fn renders_the_seed_response_shapes() {
    let g = LockOutput::Granted {
        lock_id: 7,
        fencing_token: 3,
        acquired_at: 1_500 * MS + 250,
        resource: "db".into(),
        mode: LockMode::Shared,
    };
    let (code, body) = render_response(&g);
    assert_eq!(code, 200);
    assert_eq!(body["status"], "acquired");
    assert_eq!(body["lock_id"], 7);
    assert_eq!(body["fencing_token"], 3);
    assert_eq!(body["acquired_at"], 1500.25);
    assert_eq!(body["mode"], "shared");
    for (out, code, status) in [
        (
            LockOutput::Conflict {
                resource: "db".into(),
            },
            409,
            "conflict",
        ),
        (LockOutput::Timeout, 409, "timeout"),
        (LockOutput::Deadlock, 409, "deadlock"),
        (LockOutput::NotFound, 404, "not_found"),
        (LockOutput::NotOwner, 404, "not_owner"),
        (
            LockOutput::Released {
                resource: "db".into(),
                lock_id: 7,
            },
            200,
            "released",
        ),
    ] {
        let (c, body) = render_response(&out);
        assert_eq!((c, body["status"].as_str()), (code, Some(status)));
    }
    let status = LockStatus {
        resource: "db".into(),
        locked: false,
        holders: vec![],
        mode: None,
        waiters: vec![],
    };
    let (c, body) = render_response(&LockOutput::Status(Box::new(status)));
    assert_eq!(c, 200);
    assert_eq!(body["locked"], false);
    assert!(body["holder"].is_null() && body["mode"].is_null());
}

proptest! {
    #[test]
    fn parse_request_never_panics(line in ".{0,300}") {
        let _ = parse_request(&line);
    }

    #[test]
    fn parse_request_never_panics_on_near_valid_lines(
        method in prop::sample::select(vec!["GET", "POST", "PUT", "get"]),
        path in prop::sample::select(vec!["/lock/acquire", "/lock/release", "/lock/status?resource=", "/status", "/"]),
        tail in "[ -~%]{0,80}",
    ) {
        let line = format!("{method} {path}{tail}");
        if let Err(e) = parse_request(&line) {
            prop_assert!([400u16, 404, 405].contains(&e.status));
            prop_assert!(!e.message.is_empty());
        }
    }
}

#[test]
fn form_lines_are_valid_seed_api_requests() {
    use super::api::{acquire_line, release_line};
    assert_eq!(
        acquire_line(" db ", "exclusive", "30"),
        r#"POST /lock/acquire {"resource":"db","mode":"exclusive","timeout":30}"#
    );
    assert_eq!(
        release_line("d\"b", "7"),
        r#"POST /lock/release {"resource":"d\"b","lock_id":7}"#
    );
}

/// Regression (issue 11): `"lease": 0.0004` passed the `> 0` check, rounded to 0 ms, and 0
/// means "no lease", so a tiny lease became an infinite one.
#[test]
fn a_tiny_positive_lease_is_rejected_not_made_infinite() {
    let e =
        parse_request(r#"POST /lock/acquire {"resource":"db","mode":"exclusive","lease":0.0004}"#)
            .unwrap_err();
    assert_eq!(e.status, 400);
    assert!(
        e.message.contains("`lease`") && e.message.contains("0.001"),
        "{e:?}"
    );
    // The smallest lease that means something is accepted.
    let ok =
        parse_request(r#"POST /lock/acquire {"resource":"db","mode":"exclusive","lease":0.001}"#)
            .unwrap();
    assert!(
        matches!(ok, ApiRequest::Acquire { lease_ms: 1, .. }),
        "{ok:?}"
    );
}
