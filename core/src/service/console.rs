//! The API console's router: one request line, `METHOD /path[?query] [JSON body]`, goes to the
//! service that owns its path. The router knows no service: it asks each descriptor.

use super::{ApiRejection, ServiceApi, ServiceSet};

/// Longest accepted request line, in bytes.
pub const MAX_LINE: usize = 64 * 1024;

/// A request line split into its parts (the service validates them).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RequestHead<'a> {
    /// Upper-cased.
    pub method: String,
    pub path: &'a str,
    pub query: &'a str,
    pub body: &'a str,
}

/// Split a console line. Empty, over-long, or path-less lines are rejected with a message.
pub fn split_line(line: &str) -> Result<RequestHead<'_>, ApiRejection> {
    if line.len() > MAX_LINE {
        return Err(ApiRejection::new(
            413,
            format!("request longer than {MAX_LINE} bytes"),
        ));
    }
    let line = line.trim();
    let (method, rest) = split_word(line);
    if method.is_empty() {
        return Err(ApiRejection::new(
            400,
            "empty request: expected `METHOD /path [JSON body]`",
        ));
    }
    let (target, body) = split_word(rest);
    if !target.starts_with('/') {
        return Err(ApiRejection::new(
            400,
            format!("expected a path starting with `/` after {method}, got `{target}`"),
        ));
    }
    let (path, query) = target.split_once('?').unwrap_or((target, ""));
    Ok(RequestHead {
        method: method.to_ascii_uppercase(),
        path: path.trim_end_matches('/'),
        query,
        body: body.trim(),
    })
}

/// `(first word, rest)`, split at the first run of whitespace.
pub fn split_word(s: &str) -> (&str, &str) {
    let s = s.trim_start();
    match s.find(char::is_whitespace) {
        Some(i) => (&s[..i], s[i..].trim_start()),
        None => (s, ""),
    }
}

/// The service whose routes include the line's path, or 404 naming the known prefixes.
pub fn route<N: ServiceSet>(line: &str) -> Result<&'static dyn ServiceApi<N>, ApiRejection> {
    let head = split_line(line)?;
    N::services()
        .iter()
        .copied()
        .find(|s| s.owns_path(head.path))
        .ok_or_else(|| {
            let known: Vec<String> = N::services()
                .iter()
                .map(|s| format!("/{}", s.name()))
                .collect();
            ApiRejection::new(
                404,
                format!(
                    "no route for `{}` (services: {})",
                    head.path,
                    known.join(", ")
                ),
            )
        })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn splits_method_path_query_and_body() {
        let h = split_line("  post /lock/acquire/?x=1  {\"a\": 1} ").unwrap();
        assert_eq!(
            h,
            RequestHead {
                method: "POST".into(),
                path: "/lock/acquire",
                query: "x=1",
                body: "{\"a\": 1}",
            }
        );
    }

    #[test]
    fn rejects_empty_pathless_and_huge_lines() {
        assert_eq!(split_line("   ").unwrap_err().status, 400);
        let e = split_line("GET status").unwrap_err();
        assert!(e.status == 400 && e.message.contains("path"), "{e:?}");
        assert_eq!(
            split_line(&"x".repeat(MAX_LINE + 1)).unwrap_err().status,
            413
        );
    }
}
