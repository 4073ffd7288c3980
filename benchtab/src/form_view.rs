//! The scenario picker and the parameter form. Each field shows its own error under it.

use syncsim_core::bench::{ScenarioKind, PARAM_KEYS};
use web_sys::{HtmlInputElement, HtmlSelectElement};
use yew::prelude::*;

use syncsim_core::bench::form::{
    Field, Form, FormErrors, Input, ADVANCED_FIELDS, FAULT_FIELDS, MAIN_FIELDS,
};

#[derive(Properties, PartialEq)]
pub struct FormProps {
    pub form: Form,
    pub errors: FormErrors,
    /// While a suite runs, the form is read-only.
    pub disabled: bool,
    pub on_kind: Callback<ScenarioKind>,
    pub on_field: Callback<(&'static str, String)>,
}

fn help(key: &str) -> &'static str {
    PARAM_KEYS
        .iter()
        .find(|(k, _)| *k == key)
        .map_or("", |(_, h)| h)
}

fn field_view(field: &Field, props: &FormProps) -> Html {
    let key = field.key;
    let value = props.form.value(key).to_string();
    let error = props.errors.field(key).map(str::to_string);
    let on_field = props.on_field.clone();
    let control = match field.input {
        Input::Text => {
            let oninput = Callback::from(move |e: InputEvent| {
                on_field.emit((key, e.target_unchecked_into::<HtmlInputElement>().value()))
            });
            html! {
                <input type="text" name={key} value={value} {oninput} disabled={props.disabled}
                    aria-invalid={error.is_some().then_some("true")} spellcheck="false" />
            }
        }
        Input::Select(choices) => {
            let onchange = Callback::from(move |e: Event| {
                on_field.emit((key, e.target_unchecked_into::<HtmlSelectElement>().value()))
            });
            html! {
                <select name={key} {onchange} disabled={props.disabled}>
                    { for choices.iter().map(|c| html! {
                        <option value={*c} selected={*c == value}>{ *c }</option>
                    }) }
                </select>
            }
        }
    };
    let class = classes!("bench-field", error.is_some().then_some("invalid"));
    html! {
        <label class={class} title={help(key)} data-field={key}>
            <span class="bench-label">{ field.label }</span>
            { control }
            if let Some(error) = error {
                <span class="bench-field-error" data-testid="bench-field-error">{ error }</span>
            }
        </label>
    }
}

#[component]
pub fn ParamForm(props: &FormProps) -> Html {
    let on_kind = props.on_kind.clone();
    let onchange = Callback::from(move |e: Event| {
        let id = e.target_unchecked_into::<HtmlSelectElement>().value();
        if let Ok(kind) = ScenarioKind::parse(&id) {
            on_kind.emit(kind);
        }
    });
    let kind = props.form.kind;
    let fields = |list: &[Field]| -> Html {
        let shown = list.iter().filter(|f| props.form.shows(f.key));
        shown.map(|f| field_view(f, props)).collect()
    };
    html! {
        <div class="bench-form">
            <label class="bench-scenario">
                <span class="bench-label">{ "Scenario" }</span>
                <select data-testid="bench-scenario" {onchange} disabled={props.disabled}>
                    { for ScenarioKind::ALL.iter().map(|k| html! {
                        <option value={k.id()} selected={*k == kind}>{ k.id() }</option>
                    }) }
                </select>
                <span class="bench-description" data-testid="bench-description">
                    { kind.description() }
                </span>
            </label>
            <div class="bench-fields">
                { fields(MAIN_FIELDS) }
                if props.form.has_fault() {
                    { fields(FAULT_FIELDS) }
                }
            </div>
            <details class="bench-advanced">
                <summary>{ "Advanced: warm-up, operations, open loop, timing, leases, CPU" }</summary>
                <div class="bench-fields">{ fields(ADVANCED_FIELDS) }</div>
            </details>
        </div>
    }
}
