//! Display-only markup written as text. A Yew `html!` tree compiles to code that builds every
//! element, attribute and listener at run time, which costs the `.wasm` several KB per table; a
//! part of a panel that has no listeners (a table, a drawing) is cheaper as one string, handed
//! to Yew as a raw node (`Html::from_html_unchecked`) that it replaces when the text changes.
//! Every text that comes from outside (a key, a message) goes through [`esc`].

use yew::{AttrValue, Html};

/// `text` escaped for an HTML (or SVG) text node or a quoted attribute value.
pub fn esc(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}

/// Markup built by this crate (every outside text escaped with [`esc`]) as a Yew node.
pub fn raw(markup: String) -> Html {
    Html::from_html_unchecked(AttrValue::from(markup))
}

#[cfg(test)]
mod tests {
    use super::esc;

    #[test]
    fn outside_text_cannot_open_a_tag_or_close_an_attribute() {
        assert_eq!(esc(r#"<b a="x">'&"#), "&lt;b a=&quot;x&quot;&gt;&#39;&amp;");
        assert_eq!(esc("plain"), "plain");
    }
}
