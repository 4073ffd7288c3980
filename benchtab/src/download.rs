//! Browser downloads: hand the user a file built in memory, through an `<a download>` pointing
//! at a Blob URL (works for text and binary, no size limit of data: URLs).

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
    // A Blob stores a string as its UTF-8 bytes: the same file either way.
    download_bytes(name, mime, text.as_bytes())
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

/// The PNG encoding of a canvas, as bytes.
pub fn canvas_png_bytes(canvas: &HtmlCanvasElement) -> Result<Vec<u8>, String> {
    let url = canvas
        .to_data_url_with_type("image/png")
        .map_err(|e| js_err("could not encode the chart", e))?;
    let base64 = url
        .split_once(',')
        .map(|(_, data)| data)
        .ok_or("the browser returned no PNG data")?;
    let window = web_sys::window().ok_or("no window")?;
    let binary = window
        .atob(base64)
        .map_err(|e| js_err("could not decode the PNG", e))?;
    // `atob` yields one char per byte (all < 256).
    Ok(binary.chars().map(|c| c as u32 as u8).collect())
}

/// Offer raw bytes as a file called `name`.
pub fn download_bytes(name: &str, mime: &str, bytes: &[u8]) -> Result<(), String> {
    let parts = js_sys::Array::of1(&js_sys::Uint8Array::from(bytes));
    let options = BlobPropertyBag::new();
    options.set_type(mime);
    let blob = Blob::new_with_u8_array_sequence_and_options(&parts, &options)
        .map_err(|e| js_err("could not build the file", e))?;
    download_blob(name, &blob)
}

/// Offer a canvas as a PNG file called `name`. Encoded synchronously, so the download starts
/// inside the click's user gesture.
pub fn download_canvas_png(name: &str, canvas: &HtmlCanvasElement) -> Result<(), String> {
    download_bytes(name, "image/png", &canvas_png_bytes(canvas)?)
}
