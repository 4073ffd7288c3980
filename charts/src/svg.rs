//! Charts as SVG documents: what the CLI writes, what the report embeds, and what the page's
//! lab worker hands to the page (which draws them onto its canvases). One SVG backend for all,
//! so every chart is compiled once per binary.

use plotters::prelude::*;
use syncsim_core::bench::{ChartSvg, Suite};

use crate::{draw_chart, CHARTS, DEFAULT_SIZE};

/// Chart `id` of `suite` as a standalone SVG document of [`DEFAULT_SIZE`].
pub fn chart_svg(id: &str, suite: &Suite) -> Result<String, String> {
    let mut svg = String::new();
    {
        let area = SVGBackend::with_string(&mut svg, DEFAULT_SIZE).into_drawing_area();
        draw_chart(id, &area, suite)?;
        area.present()
            .map_err(|e| format!("chart `{id}`: could not write SVG: {e}"))?;
    }
    Ok(svg)
}

/// Every chart with something to show for `suite`, in [`CHARTS`] order, drawn.
pub fn suite_charts(suite: &Suite) -> Result<Vec<ChartSvg>, String> {
    CHARTS
        .iter()
        .filter(|c| (c.available)(suite))
        .map(|c| {
            Ok(ChartSvg {
                id: c.id.to_string(),
                title: c.title.to_string(),
                description: c.description.to_string(),
                svg: chart_svg(c.id, suite)?,
            })
        })
        .collect()
}
