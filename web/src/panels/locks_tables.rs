//! The locks tab's display-only parts: the replicated lock table and the wait-for graph. They
//! have no listeners, so they are written as markup text (see `markup.rs`: cheaper in the
//! `.wasm` than `html!` trees); every text from the core goes through [`esc`].

use std::fmt::Write;

use syncsim_core::lock::LockTableView;

use crate::markup::esc;
use crate::shell::status::format_sim_time;

/// Resources with their mode, holders (fencing token, lease) and FIFO waiters.
pub fn lock_table(table: &LockTableView, now: u64) -> String {
    if table.rows.is_empty() {
        return r#"<p class="muted" data-testid="lock-table">No lock has been taken yet.</p>"#
            .into();
    }
    let mut out = String::from(
        r#"<table class="lock-table" data-testid="lock-table"><thead><tr><th>resource</th><th>mode</th><th>holders</th><th>waiting (FIFO)</th></tr></thead><tbody>"#,
    );
    for row in &table.rows {
        let resource = esc(&row.resource);
        let _ = write!(
            out,
            r#"<tr data-resource="{resource}"><td><code>{resource}</code></td><td>{}</td><td>"#,
            esc(row.mode.as_deref().unwrap_or("free"))
        );
        if row.holders.is_empty() {
            out.push_str(r#"<span class="muted">none</span>"#);
        } else {
            out.push_str("<ul>");
            for h in &row.holders {
                let left = h.expires_at.saturating_sub(now);
                let lease = if h.expires_at == 0 {
                    "no lease".to_string()
                } else {
                    format!(
                        "lease until {} ({} left)",
                        format_sim_time(h.expires_at),
                        format_sim_time(left)
                    )
                };
                let client = esc(&h.client);
                let _ = write!(
                    out,
                    r#"<li data-holder="{client}" data-lock-id="{id}" data-token="{token}"><b>{client}</b> · lock {id} · {mode} · <span class="token">fencing token {token}</span><span class="muted"> · {lease}</span></li>"#,
                    id = h.lock_id,
                    token = h.fencing_token,
                    mode = esc(&h.mode),
                    lease = esc(&lease),
                );
            }
            out.push_str("</ul>");
        }
        out.push_str("</td><td>");
        if row.waiters.is_empty() {
            out.push_str(r#"<span class="muted">none</span>"#);
        } else {
            out.push_str("<ol>");
            for w in &row.waiters {
                let _ = write!(
                    out,
                    r#"<li data-waiter="{}">{}</li>"#,
                    esc(&w.client),
                    esc(&format!(
                        "{} wants {} (since {})",
                        w.client,
                        w.mode,
                        format_sim_time(w.since)
                    ))
                );
            }
            out.push_str("</ol>");
        }
        out.push_str("</td></tr>");
    }
    out.push_str("</tbody></table>");
    out
}

/// The wait-for graph: clients as dots on a row, an arrow from each waiter to each holder.
pub fn wait_for_graph(table: &LockTableView) -> String {
    let mut names: Vec<&str> = Vec::new();
    for (w, h, _) in &table.wait_for {
        for n in [w.as_str(), h.as_str()] {
            if !names.contains(&n) {
                names.push(n);
            }
        }
    }
    syncsim_core::base::sort::sort_by(&mut names, Ord::cmp);
    if names.is_empty() {
        return r#"<div class="wait-for" data-testid="wait-for"><h3>Wait-for graph</h3><p class="muted">Nobody waits for anybody: no deadlock possible.</p></div>"#.into();
    }
    // Whole pixels, so no float needs formatting (docs/size.md).
    let x = |n: &str| 40 + 110 * names.iter().position(|m| *m == n).unwrap_or(0);
    let width = 80 + 110 * names.len().saturating_sub(1);
    let mut out = format!(
        r#"<div class="wait-for" data-testid="wait-for"><h3>Wait-for graph</h3><svg viewBox="0 0 {width} 96" width="{width}" height="96" role="img" aria-label="Wait-for graph"><defs><marker id="wf-arrow" viewBox="0 0 10 10" refX="24" refY="5" markerWidth="7" markerHeight="7" orient="auto-start-reverse"><path d="M 0 0 L 10 5 L 0 10 z"></path></marker></defs>"#
    );
    for (w, h, r) in &table.wait_for {
        let (x1, x2) = (x(w), x(h));
        let mid = (x1 + x2) / 2;
        // Curves above for left-to-right, below for right-to-left, so opposite edges of a
        // deadlock cycle do not overlap.
        let bend = if x2 > x1 { 14 } else { 86 };
        let _ = write!(
            out,
            r#"<g class="wf-edge" data-edge="{edge}"><path d="M {x1} 50 Q {mid} {bend} {x2} 50" marker-end="url(#wf-arrow)"></path><text x="{mid}" y="{y}">{r}</text></g>"#,
            edge = esc(&format!("{w}-{h}")),
            y = if x2 > x1 { "26" } else { "80" },
            r = esc(r),
        );
    }
    for n in &names {
        let _ = write!(
            out,
            r#"<g class="wf-node"><circle cx="{cx}" cy="50" r="15"></circle><text x="{cx}" y="55">{}</text></g>"#,
            esc(n),
            cx = x(n),
        );
    }
    out.push_str(r#"</svg><ul class="wf-list">"#);
    for (w, h, r) in &table.wait_for {
        let _ = write!(
            out,
            "<li>{}</li>",
            esc(&format!("{w} waits for {h} on {r}"))
        );
    }
    out.push_str("</ul></div>");
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_empty_table_and_graph_say_so() {
        let table = LockTableView::default();
        assert!(lock_table(&table, 0).contains("No lock has been taken yet."));
        assert!(wait_for_graph(&table).contains("no deadlock possible"));
    }

    #[test]
    fn a_wait_edge_is_drawn_and_listed_with_escaped_names() {
        let table = LockTableView {
            wait_for: vec![("A".into(), "<B>".into(), "db".into())],
            ..Default::default()
        };
        let svg = wait_for_graph(&table);
        assert!(
            svg.contains(r#"<g class="wf-edge" data-edge="A-&lt;B&gt;">"#),
            "{svg}"
        );
        // "<B>" sorts before "A", so this edge runs right to left and curves below.
        assert!(svg.contains("M 150 50 Q 95 86 40 50"), "{svg}");
        assert!(
            svg.contains("<li>A waits for &lt;B&gt; on db</li>"),
            "{svg}"
        );
    }
}
