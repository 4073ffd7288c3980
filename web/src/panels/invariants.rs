//! Live invariant lights (green = holds now) and the linearizability check of the history.

use yew::prelude::*;

use crate::shell::handle::PgHandle;

#[derive(Properties, PartialEq)]
pub struct InvariantsProps {
    pub pg: PgHandle,
    pub version: u64,
}

#[component]
pub fn Invariants(props: &InvariantsProps) -> Html {
    let verdict = use_state(|| None::<String>);
    let lights = props.pg.borrow().invariants();
    let on_check = {
        let (pg, verdict) = (props.pg.clone(), verdict.clone());
        Callback::from(move |_: MouseEvent| verdict.set(Some(pg.borrow().check_history())))
    };
    let verdict_class = verdict
        .as_deref()
        .map(|v| if v.starts_with("OK") { "ok" } else { "bad" });
    html! {
        <section class="invariants" aria-label="Invariants" data-testid="invariants">
            { for lights.iter().map(|i| html! {
                <span class={classes!("light", if i.ok { "ok" } else { "bad" })} title={i.detail.clone()}
                    data-invariant={i.name.clone()} data-ok={i.ok.to_string()}>
                    <span class="dot"></span>{ &i.name }
                </span>
            }) }
            <button class="chip" data-testid="check-history" onclick={on_check}
                title="Check the console clients' history for linearizability, mutual exclusion and fencing">
                { "Check history" }
            </button>
            if let Some(v) = &*verdict {
                <span class={classes!("verdict", verdict_class)} data-testid="history-verdict">{ v }</span>
            }
        </section>
    }
}
