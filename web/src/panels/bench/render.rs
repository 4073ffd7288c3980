//! Chart rendering for the panel: onto a `<canvas>` (plotters-canvas) for display and PNG
//! export, and to an SVG string (plotters' SVG backend) for SVG export. Both use the charts
//! crate's `draw_chart`, so what you see is what you export. Both go through one backend type
//! (`PageBackend`), so the charts are compiled once.

use super::backend::PageBackend;
use plotters::prelude::*;
use plotters_canvas::CanvasBackend;
use syncsim_charts::{draw_chart, ChartSpec, CHARTS, DEFAULT_SIZE};
use syncsim_core::bench::Suite;
use web_sys::HtmlCanvasElement;

/// The charts worth showing for `suite`, in the charts crate's order.
pub fn available_charts(suite: &Suite) -> Vec<&'static ChartSpec> {
    CHARTS.iter().filter(|c| (c.available)(suite)).collect()
}

/// Draw chart `id` of `suite` onto `canvas`, sized to the export size.
pub fn draw_on_canvas(id: &str, canvas: HtmlCanvasElement, suite: &Suite) -> Result<(), String> {
    canvas.set_width(DEFAULT_SIZE.0);
    canvas.set_height(DEFAULT_SIZE.1);
    let backend = CanvasBackend::with_canvas_object(canvas)
        .ok_or_else(|| format!("chart `{id}`: the canvas has no 2D context"))?;
    let area = PageBackend::Canvas(backend).into_drawing_area();
    draw_chart(id, &area, suite)?;
    area.present()
        .map_err(|e| format!("chart `{id}`: could not draw: {e}"))
}

/// Chart `id` of `suite` as a standalone SVG document.
pub fn render_svg(id: &str, suite: &Suite) -> Result<String, String> {
    let mut svg = String::new();
    {
        let area =
            PageBackend::Svg(SVGBackend::with_string(&mut svg, DEFAULT_SIZE)).into_drawing_area();
        draw_chart(id, &area, suite)?;
        area.present()
            .map_err(|e| format!("chart `{id}`: could not write SVG: {e}"))?;
    }
    Ok(svg)
}
