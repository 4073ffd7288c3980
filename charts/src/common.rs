//! Shared pieces: colours, number formatting, the title strip and a grouped-bar panel.

use std::ops::Range;

use plotters::coord::ranged1d::{DefaultFormatting, KeyPointHint};
use plotters::coord::Shift;
use plotters::prelude::*;
pub use plotters::style::text_anchor::{HPos, Pos, VPos};
use syncsim_core::bench::{BenchResult, OpStats, Suite};

/// The chart font. The enum, not the string "sans-serif": plotters turns a family string into
/// this enum through `str::to_lowercase`, whose Unicode case tables cost the page 10 KB gzipped.
pub const FONT: FontFamily<'static> = FontFamily::SansSerif;
pub const TITLE_SIZE: u32 = 22;
pub const PANEL_TITLE_SIZE: u32 = 16;
pub const LABEL_SIZE: u32 = 13;

/// Colour-blind friendly palette (Okabe–Ito), cycled.
const PALETTE: [RGBColor; 8] = [
    RGBColor(0, 114, 178),
    RGBColor(230, 159, 0),
    RGBColor(0, 158, 115),
    RGBColor(204, 121, 167),
    RGBColor(86, 180, 233),
    RGBColor(213, 94, 0),
    RGBColor(240, 228, 66),
    RGBColor(0, 0, 0),
];

pub fn color(i: usize) -> RGBColor {
    PALETTE[i % PALETTE.len()]
}

pub fn err<E: std::fmt::Display>(e: E) -> String {
    format!("chart drawing failed: {e}")
}

/// Compact number for axis ticks and bar labels: 3 significant-ish digits, no trailing zeros.
pub fn fmt_num(v: f64) -> String {
    let a = v.abs();
    let s = if a >= 100.0 || a == 0.0 {
        format!("{v:.0}")
    } else if a >= 10.0 {
        format!("{v:.1}")
    } else if a >= 0.1 {
        format!("{v:.2}")
    } else {
        format!("{v:.3}")
    };
    if s.contains('.') {
        s.trim_end_matches('0').trim_end_matches('.').to_string()
    } else {
        s
    }
}

/// Top of a value axis: headroom above the data (more when a legend sits in the top right
/// corner, so it does not cover the data), 1 when there is no data.
pub fn axis_top(max: f64, legend: bool) -> f64 {
    let headroom = if legend { 1.35 } else { 1.15 };
    if max.is_finite() && max > 0.0 {
        max * headroom
    } else {
        1.0
    }
}

/// A linear f64 axis whose ticks are exactly `keys` (category centres, node counts, round
/// times). plotters' own `WithKeyPoints<f64>` has no label formatter, hence this small type.
#[derive(Clone, Debug)]
pub struct KeyedAxis {
    pub lo: f64,
    pub hi: f64,
    pub keys: Vec<f64>,
}

impl Ranged for KeyedAxis {
    type FormatOption = DefaultFormatting;
    type ValueType = f64;

    fn map(&self, v: &f64, limit: (i32, i32)) -> i32 {
        if self.hi == self.lo {
            return (limit.0 + limit.1) / 2;
        }
        let frac = (v - self.lo) / (self.hi - self.lo);
        limit.0 + (f64::from(limit.1 - limit.0) * frac + 1e-3).floor() as i32
    }

    fn key_points<H: KeyPointHint>(&self, hint: H) -> Vec<f64> {
        // Light (minor) grid lines: none; bold ones: the keys.
        if hint.weight().allow_light_points() {
            Vec::new()
        } else {
            self.keys.clone()
        }
    }

    fn range(&self) -> Range<f64> {
        self.lo..self.hi
    }
}

/// Draw the chart title and return the area below it.
pub fn titled<DB: DrawingBackend>(
    area: &DrawingArea<DB, Shift>,
    title: &str,
    suite: &Suite,
) -> Result<DrawingArea<DB, Shift>, String> {
    let full = format!("{title} — {}", suite.name);
    area.titled(&full, (FONT, TITLE_SIZE)).map_err(err)
}

/// The suite's runs ordered by node count (stable, so equal counts keep their order).
///
/// Deliberately not generic: a sort written inside a chart function (generic over the backend)
/// is compiled once per backend and per call site, and each copy of the standard library's
/// stable sort costs kilobytes of WASM.
pub fn runs_by_nodes(suite: &Suite) -> Vec<&BenchResult> {
    let mut runs: Vec<&BenchResult> = suite.runs.iter().collect();
    syncsim_core::base::sort::sort_by_key(&mut runs, |r| r.nodes);
    runs
}

/// Most "run · op" groups a multi-run bar chart shows before it falls back to one group per run.
const MAX_RUN_OP_GROUPS: usize = 6;

/// The operation groups a bar chart compares. One run: its op kinds (plus "all" when there are
/// several). Several runs: "run label · op" for each op kind when that makes at most
/// `MAX_RUN_OP_GROUPS` groups (e.g. a quick suite of lock, queue and cache runs), else each
/// run's overall stats labelled by run (e.g. contention at 10/50/100 clients).
pub fn op_groups(suite: &Suite) -> Vec<(String, &OpStats)> {
    if let [run] = suite.runs.as_slice() {
        let mut out: Vec<(String, &OpStats)> = run
            .ops
            .iter()
            .filter(|o| o.count > 0)
            .map(|o| (o.op.clone(), o))
            .collect();
        if out.len() != 1 {
            out.push((run.overall.op.clone(), &run.overall));
        }
        return out;
    }
    let per_op: Vec<(String, &OpStats)> = suite
        .runs
        .iter()
        .flat_map(|r| {
            r.ops
                .iter()
                .map(move |o| (format!("{} · {}", r.label, o.op), o))
        })
        .filter(|g| g.1.count > 0)
        .collect();
    if !per_op.is_empty() && per_op.len() <= MAX_RUN_OP_GROUPS {
        per_op
    } else {
        suite
            .runs
            .iter()
            .map(|r| (r.label.clone(), &r.overall))
            .collect()
    }
}

/// One bar series: legend name and one value per category.
pub struct BarSeries {
    pub name: String,
    pub values: Vec<f64>,
}

/// A horizontal reference line across a bar panel (a target, an ideal), labelled at its end.
pub struct RefLine {
    pub label: String,
    pub value: f64,
}

/// Reference lines: dark grey, dashed, labelled above their right end.
const REF_COLOR: RGBColor = RGBColor(90, 90, 90);

/// A titled panel of grouped vertical bars with value labels and a legend (when > 1 series).
pub fn grouped_bars<DB: DrawingBackend>(
    area: &DrawingArea<DB, Shift>,
    caption: &str,
    x_desc: &str,
    y_desc: &str,
    categories: &[String],
    series: &[BarSeries],
    y_max: Option<f64>,
) -> Result<(), String> {
    grouped_bars_with_refs(
        area,
        caption,
        x_desc,
        y_desc,
        categories,
        series,
        y_max,
        &[],
    )
}

/// [`grouped_bars`] with horizontal reference lines (targets, ideals) drawn over the bars.
#[allow(clippy::too_many_arguments)]
pub fn grouped_bars_with_refs<DB: DrawingBackend>(
    area: &DrawingArea<DB, Shift>,
    caption: &str,
    x_desc: &str,
    y_desc: &str,
    categories: &[String],
    series: &[BarSeries],
    y_max: Option<f64>,
    refs: &[RefLine],
) -> Result<(), String> {
    let n = categories.len().max(1);
    let data_max = series
        .iter()
        .flat_map(|s| s.values.iter().copied())
        .chain(refs.iter().map(|r| r.value))
        .fold(0.0, f64::max);
    let top = y_max.unwrap_or_else(|| axis_top(data_max, series.len() > 1));
    let centers: Vec<f64> = (0..n).map(|i| i as f64).collect();
    let mut builder = ChartBuilder::on(area);
    if !caption.is_empty() {
        builder.caption(caption, (FONT, PANEL_TITLE_SIZE));
    }
    let mut chart = builder
        .margin(12)
        .x_label_area_size(if n > 4 { 56 } else { 40 })
        .y_label_area_size(64)
        .build_cartesian_2d(
            KeyedAxis {
                lo: -0.5,
                hi: n as f64 - 0.5,
                keys: centers,
            },
            0.0..top,
        )
        .map_err(err)?;
    let label_of = |v: &f64| {
        categories
            .get(v.round().max(0.0) as usize)
            .cloned()
            .unwrap_or_default()
    };
    let y_fmt = |v: &f64| fmt_num(*v);
    chart
        .configure_mesh()
        .disable_x_mesh()
        .max_light_lines(1)
        .x_labels(n)
        .x_label_formatter(&label_of)
        .y_label_formatter(&y_fmt)
        .x_desc(x_desc)
        .y_desc(y_desc)
        .label_style((FONT, LABEL_SIZE))
        .axis_desc_style((FONT, LABEL_SIZE + 1))
        .draw()
        .map_err(err)?;

    let k = series.len().max(1) as f64;
    let group_w = 0.8;
    let bar_w = group_w / k;
    // Value labels only where every one fits over its bar: overlapping numbers help no one
    // (the axis still gives the values).
    let value_font = (FONT, LABEL_SIZE - 2).into_font();
    let bar_px = f64::from(chart.plotting_area().dim_in_pixel().0) * bar_w / n as f64;
    let widest = series
        .iter()
        .flat_map(|s| s.values.iter())
        .map(|v| {
            text_width(
                &chart.plotting_area().strip_coord_spec(),
                &fmt_num(*v),
                &value_font,
            )
        })
        .max()
        .unwrap_or(0);
    let show_values = f64::from(widest) <= bar_px + 2.0;
    for (si, s) in series.iter().enumerate() {
        let c = color(si);
        let x0 = |i: usize| i as f64 - group_w / 2.0 + si as f64 * bar_w;
        chart
            .draw_series(s.values.iter().enumerate().map(|(i, &v)| {
                Rectangle::new(
                    [(x0(i), 0.0), (x0(i) + bar_w * 0.92, v.min(top))],
                    c.filled(),
                )
            }))
            .map_err(err)?;
        if show_values {
            let style =
                TextStyle::from(value_font.clone()).pos(Pos::new(HPos::Center, VPos::Bottom));
            chart
                .draw_series(s.values.iter().enumerate().map(|(i, &v)| {
                    Text::new(
                        fmt_num(v),
                        (x0(i) + bar_w * 0.46, v.min(top)),
                        style.clone(),
                    )
                }))
                .map_err(err)?;
        }
    }
    let mut right = false;
    for (i, r) in refs.iter().enumerate() {
        let (x0, x1) = (-0.5, n as f64 - 0.5);
        // Labels go at the left end (the legend sits top right), except that a line close
        // to the previous one takes the other end, so that both labels stay readable.
        right = i > 0 && (r.value - refs[i - 1].value).abs() < 0.08 * top && !right;
        let style = ShapeStyle::from(&REF_COLOR).stroke_width(2);
        chart
            .draw_series(DashedLineSeries::new(
                [(x0, r.value), (x1, r.value)],
                8,
                5,
                style,
            ))
            .map_err(err)?;
        let (h, x) = if right {
            (HPos::Right, x1 - 0.02)
        } else {
            (HPos::Left, x0 + 0.02)
        };
        let font = (FONT, LABEL_SIZE - 1).into_font();
        let text = TextStyle::from(font.clone())
            .color(&REF_COLOR)
            .pos(Pos::new(h, VPos::Bottom));
        // On a white band, so that a label crossing a bar stays readable.
        let (w, ht) = (
            text_width(&chart.plotting_area().strip_coord_spec(), &r.label, &font) as i32,
            LABEL_SIZE as i32,
        );
        let x0 = if right { -w - 2 } else { -2 };
        let band = Rectangle::new([(x0, -ht - 1), (x0 + w + 4, -1)], WHITE.mix(0.8).filled());
        chart
            .draw_series(std::iter::once(
                EmptyElement::at((x, r.value)) + band + Text::new(r.label.clone(), (0, -1), text),
            ))
            .map_err(err)?;
    }
    if series.len() > 1 {
        let items: Vec<(&str, LegendMark)> = series
            .iter()
            .enumerate()
            .map(|(si, s)| (s.name.as_str(), LegendMark::Bar(color(si))))
            .collect();
        legend(&chart.plotting_area().strip_coord_spec(), &items)?;
    }
    Ok(())
}

/// The width in pixels of `text` in `font` (0 if the backend cannot tell).
fn text_width<DB: DrawingBackend>(
    area: &DrawingArea<DB, Shift>,
    text: &str,
    font: &FontDesc<'_>,
) -> u32 {
    area.estimate_text_size(text, &TextStyle::from(font.clone()))
        .map_or(0, |(w, _)| w)
}

/// What a legend entry shows left of its label.
pub enum LegendMark {
    /// A 12 × 10 filled box (bar series).
    Bar(RGBColor),
    /// A 16 px line, 2 px wide (line series).
    Line(RGBColor),
}

/// The series legend in the upper right corner of a plotting area: white at 85 %, a black
/// border, one line per entry. It draws exactly what plotters' `configure_series_labels()` with
/// `.position(UpperRight)`, `.background_style(WHITE.mix(0.85))`, `.border_style(BLACK)` and
/// `.label_font((FONT, LABEL_SIZE))` draws (the same layout code), without plotters' default
/// font, which is built from the string "sans-serif" (see [`FONT`]).
pub fn legend<DB: DrawingBackend>(
    area: &DrawingArea<DB, Shift>,
    items: &[(&str, LegendMark)],
) -> Result<(), String> {
    const LEGEND_AREA_SIZE: i32 = 30;
    const MARGIN: i32 = 10;
    let font = (FONT, LABEL_SIZE).into_text_style(&area.dim_in_pixel());
    let font_error = |e| {
        err(DrawingAreaErrorKind::<DB::ErrorType>::BackendError(
            plotters_backend::DrawingErrorKind::FontError(Box::new(e)),
        ))
    };
    let mut text = MultiLineText::<_, &str>::new((0, 0), &font);
    for (label, _) in items {
        text.push_line(*label);
    }
    let (w, h) = text.estimate_dimension().map_err(font_error)?;
    let (w, h) = (w + LEGEND_AREA_SIZE + MARGIN * 2, h + MARGIN * 2);
    let (area_w, _) = area.dim_in_pixel();
    let (x, y) = (area_w as i32 - w - 5, 5);
    text.relocate((x + LEGEND_AREA_SIZE + MARGIN, y + MARGIN));
    let corners = [(x, y), (x + w, y + h)];
    area.draw(&Rectangle::new(corners, WHITE.mix(0.85).filled()))
        .map_err(err)?;
    area.draw(&Rectangle::new(corners, ShapeStyle::from(BLACK)))
        .map_err(err)?;
    area.draw(&text).map_err(err)?;
    let lines = text.compute_line_layout().map_err(font_error)?;
    for (((_, y0), (_, y1)), (_, mark)) in lines.into_iter().zip(items) {
        let (mx, my) = (x + MARGIN, (y0 + y1) / 2);
        match *mark {
            LegendMark::Bar(c) => area.draw(&Rectangle::new(
                [(mx, my - 5), (mx + 12, my + 5)],
                c.filled(),
            )),
            LegendMark::Line(c) => area.draw(&PathElement::new(
                vec![(mx, my), (mx + 16, my)],
                ShapeStyle::from(&c).stroke_width(2),
            )),
        }
        .map_err(err)?;
    }
    Ok(())
}
