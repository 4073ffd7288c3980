//! The menu that opens when a node is clicked: crash / restart, pause / resume, force an
//! election timeout, transfer leadership to it, add it to or remove it from the cluster.

use syncsim_core::playground::{NodeView, Role, UiAction};
use yew::prelude::*;

/// The actions that make sense for a node in its current state, with their labels.
pub fn menu_actions(
    node: &NodeView,
    has_leader: bool,
) -> Vec<(&'static str, &'static str, UiAction)> {
    let id = node.id;
    let mut out = Vec::new();
    match node.role {
        Role::Crashed => out.push((
            "restart",
            "Restart (recovers its disk)",
            UiAction::Restart { node: id },
        )),
        Role::Paused => {
            out.push(("resume", "Resume", UiAction::Resume { node: id }));
            out.push(("crash", "Crash", UiAction::Crash { node: id }));
        }
        _ => {
            out.push((
                "crash",
                "Crash (loses memory)",
                UiAction::Crash { node: id },
            ));
            out.push(("pause", "Pause (freeze)", UiAction::Pause { node: id }));
            if node.role != Role::Leader {
                out.push((
                    "timeout",
                    "Force election timeout",
                    UiAction::ForceTimeout { node: id },
                ));
                if has_leader && node.is_voter {
                    out.push((
                        "transfer",
                        "Transfer leadership here",
                        UiAction::TransferLeadership { to: id },
                    ));
                }
            }
        }
    }
    if has_leader {
        if node.is_voter {
            out.push((
                "remove",
                "Remove from the cluster",
                UiAction::RemoveServer { node: id },
            ));
        } else {
            out.push((
                "add",
                "Add to the cluster",
                UiAction::AddServer { node: id },
            ));
        }
    }
    out
}

#[derive(Properties, PartialEq)]
pub struct NodeMenuProps {
    pub node: NodeView,
    pub has_leader: bool,
    /// Where to open, in percent of the drawing's width and height.
    pub left: f64,
    pub top: f64,
    pub on_act: Callback<UiAction>,
    pub on_close: Callback<()>,
}

#[component]
pub fn NodeMenu(props: &NodeMenuProps) -> Html {
    let items =
        menu_actions(&props.node, props.has_leader)
            .into_iter()
            .map(|(key, label, action)| {
                let (on_act, on_close) = (props.on_act.clone(), props.on_close.clone());
                let onclick = Callback::from(move |_: MouseEvent| {
                    on_close.emit(());
                    on_act.emit(action.clone());
                });
                html! { <button data-menu-action={key} {onclick}>{ label }</button> }
            });
    let close = props.on_close.reform(|_: MouseEvent| ());
    html! {
        <div class="node-menu" role="menu" data-testid="node-menu" data-menu-node={props.node.name.clone()}
            style={format!("left:{:.1}%;top:{:.1}%", props.left, props.top)}>
            <div class="menu-title">
                <b>{ &props.node.name }</b>
                <span class="muted">{ format!(" {} · term {}", props.node.role.as_str(), props.node.term) }</span>
                <button class="menu-close" title="Close" onclick={close}>{ "✕" }</button>
            </div>
            { for items }
        </div>
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn menus_fit_the_node_state() {
        let leader = NodeView {
            id: 1,
            role: Role::Leader,
            is_voter: true,
            ..NodeView::default()
        };
        let keys: Vec<_> = menu_actions(&leader, true).iter().map(|a| a.0).collect();
        assert_eq!(keys, ["crash", "pause", "remove"]);
        let crashed = NodeView {
            role: Role::Crashed,
            is_voter: true,
            ..NodeView::default()
        };
        assert_eq!(
            menu_actions(&crashed, false)[0].2,
            UiAction::Restart { node: 0 }
        );
        let follower = NodeView {
            id: 2,
            is_voter: true,
            ..NodeView::default()
        };
        let keys: Vec<_> = menu_actions(&follower, true).iter().map(|a| a.0).collect();
        assert_eq!(keys, ["crash", "pause", "timeout", "transfer", "remove"]);
    }
}
