//! Live invariant lights (green = holds now), grouped by the protocol they belong to, and the
//! linearizability check of the history (run in the page's lab worker, `shell/checks.rs`).

use syncsim_core::service::InvariantView;
use yew::prelude::*;

use crate::shell::checks;
use crate::shell::handle::PgHandle;

#[derive(Properties, PartialEq)]
pub struct InvariantsProps {
    pub pg: PgHandle,
    pub version: u64,
}

/// The lights grouped by service, in the order the services first appear.
pub fn by_service(lights: &[InvariantView]) -> Vec<(&str, Vec<&InvariantView>)> {
    let mut groups: Vec<(&str, Vec<&InvariantView>)> = Vec::new();
    for light in lights {
        match groups.iter_mut().find(|(s, _)| *s == light.service) {
            Some((_, group)) => group.push(light),
            None => groups.push((&light.service, vec![light])),
        }
    }
    groups
}

#[component]
pub fn Invariants(props: &InvariantsProps) -> Html {
    // `Some("")` while a check runs: the verdict element appears only with the verdict.
    let verdict = use_state(|| None::<String>);
    let lights = props.pg.borrow().invariants();
    let on_check = {
        let (pg, verdict) = (props.pg.clone(), verdict.clone());
        Callback::from(move |_: MouseEvent| {
            verdict.set(Some(String::new()));
            let history = pg.borrow().lock_history_json();
            let verdict = verdict.clone();
            wasm_bindgen_futures::spawn_local(async move {
                let answer = checks::call("check_lock_history", vec![history.into()]).await;
                verdict.set(Some(match answer {
                    Ok(a) => a.text,
                    Err(e) => format!("UNKNOWN: the checker could not run: {e}"),
                }));
            });
        })
    };
    let verdict_class = verdict
        .as_deref()
        .map(|v| if v.starts_with("OK") { "ok" } else { "bad" });
    html! {
        <section class="invariants" aria-label="Invariants" data-testid="invariants">
            { for by_service(&lights).into_iter().map(|(service, group)| html! {
                <span class="light-group" data-service={service.to_string()}
                    title={format!("Invariants of the {service} protocol")}>
                    <span class="service-name">{ if service.is_empty() { "other" } else { service } }</span>
                    { for group.into_iter().map(|i| html! {
                        <span class={classes!("light", if i.ok { "ok" } else { "bad" })} title={i.detail.clone()}
                            data-invariant={i.name.clone()} data-ok={i.ok.to_string()}
                            data-service={i.service.clone()}>
                            <span class="dot"></span>{ &i.name }
                        </span>
                    }) }
                </span>
            }) }
            <button class="chip" data-testid="check-history" onclick={on_check}
                title="Check the console clients' history for linearizability, mutual exclusion and fencing">
                { "Check history" }
            </button>
            if let Some(v) = verdict.as_deref().filter(|v| !v.is_empty()) {
                <span class={classes!("verdict", verdict_class)} data-testid="history-verdict">{ v }</span>
            } else if verdict.is_some() {
                <span class="verdict" data-testid="history-checking">{ "Checking…" }</span>
            }
        </section>
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn light(service: &str, name: &str) -> InvariantView {
        InvariantView {
            name: name.into(),
            ok: true,
            detail: String::new(),
            service: service.into(),
        }
    }

    #[test]
    fn lights_are_grouped_by_service_in_first_seen_order() {
        let lights = [
            light("raft", "Election safety"),
            light("lock", "Mutual exclusion"),
            light("raft", "Log matching"),
            light("status", "No false suspicion"),
        ];
        let groups: Vec<(&str, Vec<&str>)> = by_service(&lights)
            .into_iter()
            .map(|(s, g)| (s, g.iter().map(|l| l.name.as_str()).collect()))
            .collect();
        assert_eq!(
            groups,
            [
                ("raft", vec!["Election safety", "Log matching"]),
                ("lock", vec!["Mutual exclusion"]),
                ("status", vec!["No false suspicion"]),
            ]
        );
    }
}
