//! Browser downloads: hand the user a file built in memory, through an `<a download>` pointing
//! at a Blob URL (works for text and binary, no size limit of data: URLs).

use wasm_bindgen::closure::Closure;
use wasm_bindgen::{JsCast, JsValue};
use web_sys::{Blob, BlobPropertyBag, HtmlAnchorElement, HtmlCanvasElement, Url};

/// Blob URLs are revoked this long after the click: the browser reads the blob asynchronously,
/// so revoking at once can cancel the download.
const REVOKE_AFTER_MS: u32 = 60_000;

fn js_err(what: &str, e: JsValue) -> String {
    format!(
        "{what}: {}",
        e.as_string().unwrap_or_else(|| format!("{e:?}"))
    )
}

/// Offer `text` as a file called `name` with MIME type `mime`.
pub fn download_text(name: &str, mime: &str, text: &str) -> Result<(), String> {
    let parts = js_sys::Array::of1(&JsValue::from_str(text));
    let options = BlobPropertyBag::new();
    options.set_type(mime);
    let blob = Blob::new_with_str_sequence_and_options(&parts, &options)
        .map_err(|e| js_err("could not build the file", e))?;
    download_blob(name, &blob)
}

/// Offer `blob` as a file called `name`.
pub fn download_blob(name: &str, blob: &Blob) -> Result<(), String> {
    let url = Url::create_object_url_with_blob(blob)
        .map_err(|e| js_err("could not create a download URL", e))?;
    let document = web_sys::window()
        .and_then(|w| w.document())
        .ok_or("no document to download from")?;
    let anchor: HtmlAnchorElement = document
        .create_element("a")
        .map_err(|e| js_err("could not create a link", e))?
        .unchecked_into();
    anchor.set_href(&url);
    anchor.set_download(name);
    anchor.click();
    gloo_timers::callback::Timeout::new(REVOKE_AFTER_MS, move || {
        let _ = Url::revoke_object_url(&url);
    })
    .forget();
    Ok(())
}

/// Offer the picture on `canvas` as a PNG file called `name` (encoded asynchronously by the
/// browser; `on_error` hears about a failure).
pub fn download_canvas_png(
    name: &str,
    canvas: &HtmlCanvasElement,
    on_error: impl FnOnce(String) + 'static,
) -> Result<(), String> {
    let name = name.to_string();
    let callback = Closure::once_into_js(move |blob: Option<Blob>| {
        let outcome = match blob {
            Some(blob) => download_blob(&name, &blob),
            None => Err(format!("the browser could not encode {name}")),
        };
        if let Err(e) = outcome {
            on_error(e);
        }
    });
    canvas
        .to_blob_with_type(callback.unchecked_ref(), "image/png")
        .map_err(|e| js_err("could not encode the chart", e))
}
