//! The `?` overlay: keyboard shortcuts and how to drive the playground.

use yew::prelude::*;

use super::keyboard::SHORTCUTS;

#[derive(Properties, PartialEq)]
pub struct HelpProps {
    pub on_close: Callback<()>,
}

#[component]
pub fn Help(props: &HelpProps) -> Html {
    let close = props.on_close.reform(|_: MouseEvent| ());
    let stop = Callback::from(|e: MouseEvent| e.stop_propagation());
    html! {
        <div class="overlay" data-testid="help" onclick={close.clone()}>
            <div class="help-card" role="dialog" aria-label="Help" onclick={stop}>
                <button class="menu-close" title="Close" onclick={close}>{ "✕" }</button>
                <h2>{ "Keyboard" }</h2>
                <table class="shortcuts">
                    { for SHORTCUTS.iter().map(|(k, what)| html! { <tr><td><kbd>{ *k }</kbd></td><td>{ *what }</td></tr> }) }
                </table>
                <h2>{ "Mouse" }</h2>
                <ul>
                    <li>{ "Click a " }<b>{ "link" }</b>{ " to cut it (red dashes); click again to heal. Shift- or Alt-click cuts one direction only (orange)." }</li>
                    <li>{ "Click a " }<b>{ "node" }</b>{ " for its menu: crash, restart, pause, force a timeout, transfer leadership, membership." }</li>
                    <li>{ "Click a " }<b>{ "message" }</b>{ " in flight to drop it." }</li>
                    <li>{ "Drag the " }<b>{ "time slider" }</b>{ " back to see the past; acting there forks history." }</li>
                    <li>{ "Share copies a link that replays this exact run (same seed, same actions, same trace hash)." }</li>
                </ul>
            </div>
        </div>
    }
}
