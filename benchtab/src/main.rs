//! The playground's Benchmarks tab, compiled to its own `.wasm` (issue 10). The page (`web/`)
//! loads it the first time someone opens the tab and calls [`mount`] with the tab's element;
//! from then on this module renders the tab with its own Yew app. The tab needs nothing of the
//! page's simulator: it edits a suite's parameters, hands the suite or the seeds' report to lab
//! workers (`lab/`), and shows what they send back. So its forms, tables, chart canvases,
//! report view and ZIP export stay out of the page's first download.

mod charts;
mod download;
mod form_view;
mod panel;
mod report;
mod report_workers;
mod results;
mod zip;

use wasm_bindgen::prelude::*;
use yew::prelude::*;

/// The banner a panic in this module shows: nothing here depends on the playground's seed.
fn banner(message: &str) -> String {
    format!(
        "syncsim's Benchmarks tab stopped because of a bug: {message}. \
         The playground itself is unaffected. Reload the page to use the tab again."
    )
}

/// Renders the Benchmarks tab in a new element at the end of `tab`, for good: the page keeps
/// `tab` once the tab has opened, so a running suite survives switching tabs.
#[wasm_bindgen]
pub fn mount(tab: web_sys::Element) -> Result<(), JsValue> {
    let document = tab.owner_document().ok_or("the tab is not in a document")?;
    let host = document.create_element("div")?;
    host.set_class_name("bench-host");
    tab.append_child(&host)?;
    skip_the_pages_tree_ids(&tab)?;
    yew::Renderer::<panel::BenchPanel>::with_root(host).render();
    Ok(())
}

/// The property Yew sets on every element it renders: the number of the tree (an app or a
/// portal) whose listeners handle events there.
const TREE_ID: &str = "__yew_subtree_id";

fn tree_id(el: &web_sys::Element) -> Option<f64> {
    js_sys::Reflect::get(el, &TREE_ID.into()).ok()?.as_f64()
}

#[function_component]
fn Probe() -> Html {
    Html::default()
}

/// Why: the page and this module each link their own Yew, and each numbers its trees from 1.
/// Both listen at their tree's host, so a click in this tab also reaches the page's listener on
/// the body; the page ignores it only if the element's tree number is not one of its own. So
/// this module uses up numbers (one throwaway app each) until its next tree is numbered above
/// every tree of the page's around `tab`, the only ones an event from here passes through.
fn skip_the_pages_tree_ids(tab: &web_sys::Element) -> Result<(), JsValue> {
    let mut page = 0.0f64;
    let mut el = Some(tab.clone());
    while let Some(e) = el {
        page = page.max(tree_id(&e).unwrap_or(0.0));
        el = e.parent_element();
    }
    let document = tab.owner_document().ok_or("the tab is not in a document")?;
    loop {
        let probe = document.create_element("div")?;
        let app = yew::Renderer::<Probe>::with_root(probe.clone()).render();
        let used = tree_id(&probe).ok_or("Yew did not number its tree")?;
        app.destroy();
        if used >= page {
            return Ok(());
        }
    }
}

/// Runs when the module loads (wasm-bindgen starts a `bin` with it), before the page calls
/// [`mount`].
fn main() {
    syncsim_uikit::panic::install(banner);
}

#[cfg(test)]
mod tests {
    #[test]
    fn the_banner_says_the_tab_stopped_and_the_playground_did_not() {
        let text = super::banner("index out of bounds");
        assert!(text.contains("index out of bounds"));
        assert!(text.contains("Benchmarks tab"));
    }
}
