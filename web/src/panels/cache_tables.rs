//! The Cache tab's display-only parts: the preset steps, the key × node grid, the statistics,
//! the side-by-side comparison and the transaction log. They have no listeners, so they are
//! written as markup text (see `markup.rs`: cheaper in the `.wasm` than `html!` trees); every
//! text from the core goes through [`esc`].

use std::fmt::Write;
use syncsim_core::base::decimal::{Fixed, Short};

use syncsim_core::services::cache::presets::Preset;
use syncsim_core::services::cache::{CacheKeyRow, CacheLogRow, CacheView, PresetLine};
use syncsim_uikit::lab::{field, text};
use wasm_bindgen::JsValue;

use crate::markup::esc;

/// ` class="…"` with the names that apply, or nothing when none does.
fn class_attr(names: &[Option<&str>]) -> String {
    let names: Vec<&str> = names.iter().flatten().copied().collect();
    if names.is_empty() {
        String::new()
    } else {
        format!(r#" class="{}""#, esc(&names.join(" ")))
    }
}

/// The loaded preset's console lines, the sent ones marked done and the next one current.
pub fn steps_list(lines: &[PresetLine], next: usize) -> String {
    if lines.is_empty() {
        return String::new();
    }
    let mut out =
        format!(r#"<ol class="cache-steps" data-testid="cache-steps" data-next="{next}">"#);
    for (i, l) in lines.iter().enumerate() {
        let _ = write!(
            out,
            r#"<li data-step="{i}"{cls} title="{title}"><b>{label}</b><span class="via"> @{node}</span></li>"#,
            cls = class_attr(&[
                (i < next).then_some("done"),
                (i == next).then_some("current")
            ]),
            title = esc(&l.line),
            label = esc(&l.label),
            node = esc(&l.node),
        );
    }
    out.push_str("</ol>");
    out
}

/// Rows: keys; columns: home, memory and each node's cache.
pub fn grid(view: &CacheView) -> String {
    if view.keys.is_empty() {
        return r#"<p class="muted" data-testid="cache-grid">No key cached yet: load a preset, or send POST /cache/set from the console.</p>"#.into();
    }
    let mut out = format!(
        r#"<table class="cache-grid" data-testid="cache-grid"><caption>{} · {} · rows: keys, columns: the node caches</caption><thead><tr><th scope="col">key</th><th scope="col">home</th><th scope="col">memory</th>"#,
        esc(&view.protocol),
        if view.write_through {
            "write-through"
        } else {
            "write-back"
        }
    );
    for n in &view.nodes {
        let down = n.state != "up";
        let _ = write!(
            out,
            r#"<th scope="col"{cls} title="{title}">{name}{small}</th>"#,
            cls = class_attr(&[Some("node"), down.then_some("down")]),
            title = esc(&format!(
                "{} ({}): {} of {} lines",
                n.name, n.state, n.entries, n.capacity
            )),
            name = esc(&n.name),
            small = if down {
                format!("<small> {}</small>", esc(&n.state))
            } else {
                String::new()
            },
        );
    }
    out.push_str("</tr></thead><tbody>");
    for r in &view.keys {
        row(&mut out, r);
    }
    out.push_str("</tbody></table>");
    out
}

fn row(out: &mut String, r: &CacheKeyRow) {
    let mem = match (&r.memory, r.memory_version) {
        (Some(v), Some(ver)) => format!("{v} (#{ver})"),
        _ => "–".into(),
    };
    let mem_title = if r.stale {
        "stale: an M or O copy holds a newer value and owes the write-back"
    } else {
        "up to date"
    };
    let key = esc(&r.key);
    let _ = write!(
        out,
        r#"<tr data-cache-row="{key}"{busy}><th scope="row" class="key">{key}</th><td class="home">{home}</td><td{mem_cls} data-cache-memory="{key}" data-stale="{stale}" title="{mem_title}">{mem}</td>"#,
        busy = class_attr(&[r.busy.then_some("busy")]),
        home = esc(&r.home),
        mem_cls = class_attr(&[Some("memory"), r.stale.then_some("stale")]),
        stale = r.stale,
        mem = esc(&mem),
    );
    for c in &r.cells {
        let title = match (&c.value, c.version) {
            (Some(v), Some(ver)) => format!(
                "{} holds {} = {v} (version #{ver}) in {}",
                c.name, r.key, c.state
            ),
            _ => format!("{} holds no copy of {} (I)", c.name, r.key),
        };
        let state_class = format!("st-{}", c.state);
        let _ = write!(
            out,
            r#"<td{cls} data-cache-key="{key}" data-cache-node="{node}" data-state="{state}" title="{title}"><span class="letter">{state}</span>{val}</td>"#,
            cls = class_attr(&[
                Some("cell"),
                Some(&state_class),
                c.changed.then_some("changed"),
                c.pending.then_some("pending")
            ]),
            node = esc(&c.name),
            state = esc(&c.state),
            title = esc(&title),
            val = c.value.as_ref().map_or_else(String::new, |v| format!(
                r#"<span class="val">{}</span>"#,
                esc(v)
            )),
        );
    }
    out.push_str("</tr>");
}

/// The counters, each with its meaning as a tooltip, and the lost writes on a wide row.
pub fn stats(view: &CacheView) -> String {
    let t = &view.totals;
    let items: [(&str, String, &str); 13] = [
        (
            "hit rate",
            format!("{} %", Fixed(view.hit_rate * 100.0, 1)),
            "hits / (hits + misses)",
        ),
        (
            "hits",
            t.hits.to_string(),
            "reads and writes served by the local copy",
        ),
        (
            "misses",
            t.misses.to_string(),
            "accesses that needed a bus transaction (an S/O write counts: BusUpgr)",
        ),
        (
            "write-backs",
            t.write_backs.to_string(),
            "memory written with a cache's dirty data",
        ),
        (
            "invalidations",
            t.invalidations.to_string(),
            "copies sent to I by a snoop",
        ),
        (
            "interventions",
            t.interventions.to_string(),
            "E/M → S, or M → O, on a snooped BusRd",
        ),
        (
            "cache-to-cache",
            t.cache_to_cache.to_string(),
            "transactions whose data came from another cache",
        ),
        (
            "memory reads",
            t.memory_reads.to_string(),
            "transactions whose data came from memory",
        ),
        ("evictions", t.evictions.to_string(), "LRU victims"),
        ("expirations", t.expirations.to_string(), "TTL expiries"),
        (
            "BusRd / BusRdX / BusUpgr",
            format!("{} / {} / {}", t.bus_rd, t.bus_rdx, t.bus_upgr),
            "bus requests, as directory transactions",
        ),
        (
            "Flush / FlushOpt",
            format!("{} / {}", t.flush, t.flush_opt),
            "dirty data sent / clean cache-to-cache supplies",
        ),
        (
            "directory messages",
            format!("{} ({} B)", t.messages, t.bytes),
            "coherence messages on the simulated network",
        ),
    ];
    let mut out = format!(
        r#"<dl class="cache-stats" data-testid="cache-stats" data-write-backs="{}" data-hits="{}" data-misses="{}" data-lost="{}">"#,
        t.write_backs, t.hits, t.misses, view.lost
    );
    for (k, v, help) in &items {
        let _ = write!(
            out,
            r#"<div title="{}"><dt>{}</dt><dd>{}</dd></div>"#,
            esc(help),
            esc(k),
            esc(v)
        );
    }
    // Its own wide row, amber once a write is lost: an outcome of its own, not a counter.
    let _ = write!(
        out,
        r#"<div{} title="an M/O owner crashed before its write-back: its last write is gone, memory's value survives"><dt>writes lost in the write-back window</dt><dd>{} ({} acknowledged)</dd></div></dl>"#,
        class_attr(&[Some("wide"), (view.lost > 0).then_some("lost")]),
        view.lost,
        view.lost_acked
    );
    out
}

/// One column of the side-by-side table: what it shows of a core `SideRun`, read from the lab
/// worker's answer as the browser parsed it, so the page needs no JSON reader for it.
#[derive(Clone, PartialEq, Debug)]
pub struct Compared {
    protocol: String,
    /// The figures of [`COMPARED_STATS`], in order, then the final states.
    cells: Vec<String>,
}

/// The rows of the table: their label and the `CacheStats` field they show.
const COMPARED_STATS: [(&str, &str); 5] = [
    ("memory write-backs", "write_backs"),
    ("cache-to-cache", "cache_to_cache"),
    ("memory reads", "memory_reads"),
    ("invalidations", "invalidations"),
    ("directory messages", "messages"),
];

/// The lab's runs (`SideRun`s, parsed by the browser), or what it said instead of them.
pub fn compared(runs: &JsValue) -> Result<Vec<Compared>, String> {
    if let Some(e) = field(runs, "error").as_string() {
        return Err(e);
    }
    Ok(js_sys::Array::from(runs)
        .iter()
        .map(|r| {
            let stats = field(&r, "stats");
            let mut cells: Vec<String> = COMPARED_STATS
                .iter()
                .map(|(_, name)| Short(field(&stats, name).as_f64().unwrap_or(0.0), 6).to_string())
                .collect();
            let finals = js_sys::Array::from(&field(&r, "final_states"));
            let finals: Vec<String> = finals.iter().filter_map(|s| s.as_string()).collect();
            cells.push(finals.join(" "));
            Compared {
                protocol: text(&r, "protocol"),
                cells,
            }
        })
        .collect())
}

/// The preset replayed under MESI and MOESI, one column each.
pub fn side_by_side(preset: Preset, runs: &[Compared]) -> String {
    let rows = COMPARED_STATS
        .iter()
        .map(|(label, _)| *label)
        .chain(["final P1 P2 P3"]);
    let mut out = format!(
        r#"<table class="cache-compare" data-testid="cache-compare-table"><caption>{} on a fresh 4-node world, under both tables</caption><thead><tr><th></th>"#,
        esc(preset.label())
    );
    for r in runs {
        let _ = write!(out, r#"<th scope="col">{}</th>"#, esc(&r.protocol));
    }
    out.push_str("</tr></thead><tbody>");
    for (i, name) in rows.enumerate() {
        let _ = write!(out, r#"<tr><th scope="row">{}</th>"#, esc(name));
        for r in runs {
            let cell = r.cells.get(i).map_or("", String::as_str);
            let _ = write!(
                out,
                r#"<td data-protocol="{}">{}</td>"#,
                esc(&r.protocol),
                esc(cell)
            );
        }
        out.push_str("</tr>");
    }
    out.push_str("</tbody></table>");
    out
}

/// The transactions, newest first, in textbook terms (the caller keeps the scrolling wrapper
/// in `html!`, so its scroll position survives a redraw).
pub fn log(rows: &[CacheLogRow]) -> String {
    let mut out = String::from(
        r#"<table class="cache-log" data-testid="cache-log"><caption>Transactions, newest first</caption><thead><tr><th scope="col">t (ms)</th><th scope="col">key</th><th scope="col">processor</th><th scope="col">bus / directory</th><th scope="col">transitions</th><th scope="col">data from</th><th scope="col">memory</th><th scope="col">value</th></tr></thead><tbody>"#,
    );
    for r in rows {
        let bus = esc(&r.bus);
        let _ = write!(
            out,
            r#"<tr data-bus="{bus}"><td class="t">{}</td><td>{}</td><td>{}</td><td class="bus">{bus}</td><td class="tr">{}</td><td>{}</td><td>{}</td><td class="val">{}</td></tr>"#,
            Fixed(r.t_ms, 1),
            esc(&r.key),
            esc(&r.processor),
            esc(&r.transitions.join(", ")),
            esc(&r.supplier),
            esc(&r.memory),
            esc(&r.value),
        );
    }
    out.push_str("</tbody></table>");
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn steps_mark_done_and_current_and_escape_the_lines() {
        let line = |l: &str| PresetLine {
            label: l.into(),
            node: "n1".into(),
            line: r#"POST /cache/set {"key":"x"}"#.into(),
        };
        let html = steps_list(&[line("R1"), line("W<2>")], 1);
        assert!(
            html.starts_with(r#"<ol class="cache-steps" data-testid="cache-steps" data-next="1">"#)
        );
        assert!(html.contains(r#"<li data-step="0" class="done" title="POST /cache/set {&quot;key&quot;:&quot;x&quot;}">"#));
        assert!(html.contains(r#"<li data-step="1" class="current""#));
        assert!(html.contains("<b>W&lt;2&gt;</b>"), "{html}");
        assert_eq!(steps_list(&[], 0), "");
    }

    #[test]
    fn an_empty_grid_says_how_to_fill_it() {
        let html = grid(&CacheView::default());
        assert!(html.contains(r#"data-testid="cache-grid""#));
        assert!(html.contains("No key cached yet"));
    }
}
