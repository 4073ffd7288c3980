//! The menu that opens when a node is clicked: crash / restart, pause / resume, force an
//! election timeout, transfer leadership to it, add it to or remove it from the cluster.

use syncsim_core::base::decimal::Fixed;
use syncsim_core::playground::{NodeMenuItem, NodeView, UiAction};
use yew::prelude::*;

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
    // The core decides which actions are legal (`NodeView::menu`); the menu only lists them.
    let items = props
        .node
        .menu
        .iter()
        .cloned()
        .map(|NodeMenuItem { key, label, action }| {
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
            style={format!("left:{}%;top:{}%", Fixed(props.left, 1), Fixed(props.top, 1))}>
            <div class="menu-title">
                <b>{ &props.node.name }</b>
                <span class="muted">{ format!(" {} · term {}", props.node.role.as_str(), props.node.term) }</span>
                <button class="menu-close" title="Close" onclick={close}>{ "✕" }</button>
            </div>
            { for items }
        </div>
    }
}
