//! The charts the lab draws (SVG documents) onto the tab's canvases: decoded as images, then
//! drawn (PNG export reads the canvases).

use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;
use wasm_bindgen_futures::JsFuture;
use web_sys::{
    Blob, BlobPropertyBag, CanvasRenderingContext2d, HtmlCanvasElement, HtmlImageElement, Url,
};

/// Loads each SVG document as an image, decoded and ready to draw. Object URLs of blobs, not
/// data URLs: same-origin, so the canvases they are drawn on stay exportable as PNG.
pub async fn load_svgs(svgs: Vec<String>) -> Result<Vec<HtmlImageElement>, String> {
    let mut images = Vec::with_capacity(svgs.len());
    for svg in svgs {
        let options = BlobPropertyBag::new();
        options.set_type("image/svg+xml");
        let blob = Blob::new_with_str_sequence_and_options(
            &js_sys::Array::of1(&JsValue::from_str(&svg)),
            &options,
        )
        .map_err(|e| format!("could not hold a chart: {e:?}"))?;
        let url = Url::create_object_url_with_blob(&blob)
            .map_err(|e| format!("could not hold a chart: {e:?}"))?;
        let img = HtmlImageElement::new().map_err(|e| format!("no image element: {e:?}"))?;
        img.set_src(&url);
        let decoded = JsFuture::from(img.decode()).await;
        let _ = Url::revoke_object_url(&url);
        decoded.map_err(|e| format!("a chart could not be decoded: {e:?}"))?;
        images.push(img);
    }
    Ok(images)
}

/// Draws `img` over the whole of `canvas`, sized to the image.
pub fn draw_image(canvas: &HtmlCanvasElement, img: &HtmlImageElement) -> Result<(), String> {
    canvas.set_width(img.natural_width());
    canvas.set_height(img.natural_height());
    let ctx: CanvasRenderingContext2d = canvas
        .get_context("2d")
        .ok()
        .flatten()
        .and_then(|c| c.dyn_into().ok())
        .ok_or("the canvas has no 2D context")?;
    ctx.draw_image_with_html_image_element(img, 0.0, 0.0)
        .map_err(|e| format!("could not draw a chart: {e:?}"))
}
