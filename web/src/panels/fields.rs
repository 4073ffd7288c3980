//! Form-field callbacks the panels' forms share: each keeps a text state in step with an input
//! or a select.

use web_sys::{HtmlInputElement, HtmlSelectElement};
use yew::prelude::*;

/// Keeps `state` equal to a text or number input's value.
pub fn text_setter(state: &UseStateHandle<String>) -> Callback<InputEvent> {
    let state = state.clone();
    Callback::from(move |e: InputEvent| {
        state.set(e.target_unchecked_into::<HtmlInputElement>().value())
    })
}

/// Keeps `state` equal to a select's value.
pub fn select_setter(state: &UseStateHandle<String>) -> Callback<Event> {
    let state = state.clone();
    Callback::from(move |e: Event| {
        state.set(e.target_unchecked_into::<HtmlSelectElement>().value())
    })
}
