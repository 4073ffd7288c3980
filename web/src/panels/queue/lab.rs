//! The ring lab: a vnode slider and a "modulo hashing" switch over the cluster's current ring
//! members, with per-node load bars (mean, max/mean, CV) and what one join or one leave would
//! move against the ideal 1/N. The figures come from `ring::lab`; the page only draws them.

use syncsim_core::base::decimal::Fixed;
use syncsim_core::ring::lab::{lab, Lab, MAX_VNODES};
use syncsim_core::ring::metrics::Movement;
use web_sys::HtmlInputElement;
use yew::prelude::*;

use super::ring::node_name;
use crate::markup::raw;
use crate::palette::node_colour;

#[derive(Properties, PartialEq)]
pub struct RingLabProps {
    /// The ring's members now (actor ids).
    pub members: Vec<usize>,
    /// The live ring's vnode count, where the slider starts.
    pub vnodes: u32,
}

/// "1,652 of 10,000 keys (16.5 %); ideal 1/6 = 16.7 %".
pub fn movement_text(m: &Movement, ideal_n: usize) -> String {
    format!(
        "{} of {} keys ({} %); ideal 1/{ideal_n} = {} %",
        m.moved,
        m.keys,
        Fixed(100.0 * m.fraction, 1),
        Fixed(100.0 * m.ideal, 1)
    )
}

fn load_bars(l: &Lab) -> String {
    let b = &l.balance;
    let scale = b.max.max(1) as f64;
    let mean_pct = 100.0 * b.mean / scale;
    let mut out = format!(
        r#"<div class="load-bars" data-testid="ring-balance" data-cv="{}" data-max-mean="{}">"#,
        Fixed(b.cv, 3),
        Fixed(b.max_over_mean, 3)
    );
    for &(n, count) in &b.load {
        let name = node_name(n);
        out.push_str(&format!(
            r#"<div class="load-row" data-load-node="{name}" data-load="{count}"><span class="load-name">{name}</span><span class="load-track"><span class="load-fill" style="width: {}%; background: {}"></span><span class="load-mean" style="left: {mean_pct}%" title="the mean"></span></span><span class="load-count">{count}</span></div>"#,
            Fixed(100.0 * count as f64 / scale, 1),
            node_colour(n),
            mean_pct = Fixed(mean_pct, 1),
        ));
    }
    out.push_str(&format!(
        r#"<p class="balance-figures">mean {} keys per node · max/mean {} · CV {}</p></div>"#,
        Fixed(b.mean, 0),
        Fixed(b.max_over_mean, 2),
        Fixed(b.cv, 3)
    ));
    out
}

/// The "if a node joins / leaves" lines.
fn moves(l: &Lab) -> String {
    let n = l.members.len();
    let mut out = String::from(r#"<ul class="lab-moves">"#);
    if let Some((j, m)) = &l.join {
        out.push_str(&format!(
            r#"<li data-testid="lab-join" data-moved="{}"><b>If {} joins: </b>{}{}</li>"#,
            m.moved,
            node_name(*j),
            movement_text(m, n + 1),
            if m.to_other_nodes == 0 {
                " — all of them to the new node."
            } else {
                " — keys also move between old nodes."
            }
        ));
    }
    if let Some((v, m)) = &l.leave {
        out.push_str(&format!(
            r#"<li data-testid="lab-leave" data-moved="{}"><b>If {} leaves: </b>{}{}</li>"#,
            m.moved,
            node_name(*v),
            movement_text(m, n),
            if m.from_other_nodes == 0 {
                " — only its own keys."
            } else {
                " — other nodes' keys move too."
            }
        ));
    }
    out.push_str("</ul>");
    out
}

#[component]
pub fn RingLab(props: &RingLabProps) -> Html {
    let vnodes = use_state(|| props.vnodes);
    let modulo = use_state(|| false);
    let result = {
        let (members, v, m) = (props.members.clone(), *vnodes, *modulo);
        use_memo((members, v, m), |(members, v, m)| lab(members, *v, *m))
    };
    let on_slide = {
        let vnodes = vnodes.clone();
        Callback::from(move |e: InputEvent| {
            let v = e.target_unchecked_into::<HtmlInputElement>().value();
            if let Ok(v) = v.parse::<u32>() {
                vnodes.set(v);
            }
        })
    };
    let on_modulo = {
        let modulo = modulo.clone();
        Callback::from(move |e: Event| {
            modulo.set(e.target_unchecked_into::<HtmlInputElement>().checked())
        })
    };
    let n = result.members.len();
    html! {
        <section class="ring-lab" data-testid="ring-lab" aria-label="Ring lab">
            <h3>{ "Ring lab: what if?" }</h3>
            <div class="lab-controls">
                <label class="field" title="Virtual nodes per physical node: more vnodes, more even shares">
                    <span>{ format!("vnodes V = {}", result.vnodes) }</span>
                    <input data-testid="vnode-slider" type="range" min="1" max={MAX_VNODES.to_string()}
                        value={result.vnodes.to_string()} disabled={*modulo} oninput={on_slide} />
                </label>
                <label class="field check" title="Place keys by hash mod N instead of on the ring">
                    <input data-testid="modulo-toggle" type="checkbox" checked={*modulo} onchange={on_modulo} />
                    <span>{ "modulo hashing (hash mod N)" }</span>
                </label>
            </div>
            <p class="panel-note">{ format!(
                "{} sample keys placed on {} {}. Each bar is one node's share; the tick is the mean.",
                result.balance.keys, n,
                if *modulo { "nodes by hash mod N".to_string() } else { format!("nodes with {} vnodes each", result.vnodes) }) }
            </p>
            { raw(load_bars(&result)) }
            { raw(moves(&result)) }
        </section>
    }
}
