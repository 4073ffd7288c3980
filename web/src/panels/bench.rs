//! The page's side of the Benchmarks tab. The tab itself is a second `.wasm` (`benchtab/`,
//! issue 10: its forms, tables, charts and report view are not part of the page's first
//! download). This loads that module the first time the tab opens and hands it an element to
//! render into; until then, and if it cannot load, the tab says so.

use wasm_bindgen::JsValue;
use wasm_bindgen_futures::JsFuture;
use web_sys::Element;
use yew::prelude::*;

/// Loads the module's script (wasm-bindgen's `no-modules` glue: it defines the global
/// `wasm_bindgen`), then its `.wasm`, then calls its `mount` with the tab's element. The build's
/// version rides in the URLs, as with the lab's worker: trunk does not hash these file names,
/// so a browser could otherwise pair a new page with a cached old tab.
const LOADER: &str = r#"
return new Promise((resolve, reject) => {
  const script = document.createElement('script');
  script.src = `./syncsim-benchtab.js?v=${version}`;
  script.onload = resolve;
  script.onerror = () => reject(new Error('syncsim-benchtab.js could not load'));
  document.head.append(script);
})
  .then(() => wasm_bindgen({ module_or_path: `./syncsim-benchtab_bg.wasm?v=${version}` }))
  .then(() => wasm_bindgen.mount(tab));
"#;

async fn load(tab: Element) -> Result<(), String> {
    let version = js_sys::encode_uri_component(&syncsim_core::report::version());
    let loader = js_sys::Function::new_with_args("version, tab", LOADER);
    let promise = loader
        .call2(&JsValue::NULL, &version.into(), &tab)
        .map_err(describe)?;
    JsFuture::from(js_sys::Promise::from(promise))
        .await
        .map(|_| ())
        .map_err(describe)
}

fn describe(e: JsValue) -> String {
    js_sys::Reflect::get(&e, &"message".into())
        .ok()
        .and_then(|m| m.as_string())
        .or_else(|| e.as_string())
        .unwrap_or_else(|| format!("{e:?}"))
}

#[derive(Clone, PartialEq)]
enum Loading {
    Pending,
    Done,
    Failed(String),
}

/// The tab's element, mounted once (the side panel keeps it mounted, hidden when another tab
/// is open); the module renders into it.
#[component]
pub fn BenchTab() -> Html {
    let tab = use_node_ref();
    let state = use_state(|| Loading::Pending);
    {
        let (tab, state) = (tab.clone(), state.clone());
        use_effect_with((), move |_| {
            if let Some(el) = tab.cast::<Element>() {
                wasm_bindgen_futures::spawn_local(async move {
                    state.set(match load(el).await {
                        Ok(()) => Loading::Done,
                        Err(e) => Loading::Failed(e),
                    });
                });
            }
        });
    }
    let note = match &*state {
        Loading::Pending => {
            html! { <p class="note" data-testid="bench-loading">{ "Loading the benchmarks…" }</p> }
        }
        Loading::Done => Html::default(),
        Loading::Failed(why) => html! {
            <div class="banner banner-warning" role="alert" data-testid="bench-load-error">
                { format!("The Benchmarks tab could not load: {why}. Reload the page to try again.") }
            </div>
        },
    };
    // The module's element first: the note before or after it never moves it.
    html! { <><div ref={tab} class="bench-tab-root"></div>{ note }</> }
}
