//! Line charts: throughput and latency over simulated time (faults shaded), and scaling (its
//! line panel also draws the offered-load chart, `knee.rs`).

use plotters::coord::Shift;
use plotters::prelude::*;
use syncsim_core::bench::{FaultInterval, Suite};

use crate::common::{
    axis_top, color, err, fmt_num, legend, runs_by_nodes, titled, HPos, KeyedAxis, LegendMark, Pos,
    VPos, FONT, LABEL_SIZE, PANEL_TITLE_SIZE,
};

/// Fault shading colour (light red) and its label colour.
const FAULT_FILL: RGBColor = RGBColor(214, 39, 40);

/// One line: legend name, colour index, points.
pub(crate) struct Line {
    pub(crate) name: String,
    pub(crate) color: usize,
    pub(crate) points: Vec<(f64, f64)>,
    pub(crate) dashed: bool,
}

/// A panel of lines over `[x0, x1]` with optional shaded intervals.
#[allow(clippy::too_many_arguments)]
pub(crate) fn line_panel<DB: DrawingBackend>(
    area: &DrawingArea<DB, Shift>,
    caption: &str,
    x_desc: &str,
    y_desc: &str,
    (x0, x1): (f64, f64),
    x_keys: Option<Vec<f64>>,
    lines: &[Line],
    faults: &[FaultInterval],
) -> Result<(), String> {
    let y_max = lines
        .iter()
        .flat_map(|l| l.points.iter().map(|p| p.1))
        .fold(0.0, f64::max);
    let top = axis_top(y_max, !lines.is_empty());
    let keys = x_keys.unwrap_or_else(|| nice_ticks(x0, x1, 10));
    let x_range = KeyedAxis {
        lo: x0,
        hi: x1,
        keys,
    };
    let mut chart = ChartBuilder::on(area)
        .caption(caption, (FONT, PANEL_TITLE_SIZE))
        .margin(12)
        .x_label_area_size(40)
        .y_label_area_size(64)
        .build_cartesian_2d(x_range, 0.0..top)
        .map_err(err)?;
    let fmt = |v: &f64| fmt_num(*v);
    let mut mesh = chart.configure_mesh();
    mesh.max_light_lines(1)
        .x_label_formatter(&fmt)
        .y_label_formatter(&fmt)
        .x_desc(x_desc)
        .y_desc(y_desc)
        .label_style((FONT, LABEL_SIZE))
        .axis_desc_style((FONT, LABEL_SIZE + 1));
    mesh.draw().map_err(err)?;

    for f in faults {
        let (s, e) = (f.start_s.max(x0), f.end_s.min(x1));
        if e <= s {
            continue;
        }
        chart
            .draw_series(std::iter::once(Rectangle::new(
                [(s, 0.0), (e, top)],
                FAULT_FILL.mix(0.15).filled(),
            )))
            .map_err(err)?;
        let style = TextStyle::from((FONT, LABEL_SIZE - 1).into_font())
            .color(&FAULT_FILL)
            .pos(Pos::new(HPos::Left, VPos::Top));
        chart
            .draw_series(std::iter::once(Text::new(f.label.clone(), (s, top), style)))
            .map_err(err)?;
    }

    for l in lines {
        let c = color(l.color);
        let style = ShapeStyle::from(&c).stroke_width(2);
        let series = if l.dashed {
            chart.draw_series(DashedLineSeries::new(l.points.iter().copied(), 6, 4, style))
        } else {
            chart.draw_series(LineSeries::new(l.points.iter().copied(), style))
        };
        series.map_err(err)?;
        if x_keys_marked(l) {
            chart
                .draw_series(l.points.iter().map(|&p| Circle::new(p, 4, c.filled())))
                .map_err(err)?;
        }
    }
    if !lines.is_empty() {
        let items: Vec<(&str, LegendMark)> = lines
            .iter()
            .map(|l| (l.name.as_str(), LegendMark::Line(color(l.color))))
            .collect();
        legend(&chart.plotting_area().strip_coord_spec(), &items)?;
    }
    Ok(())
}

/// About `target` evenly spaced round tick values (1-2-5 steps) inside `[x0, x1]`.
pub(crate) fn nice_ticks(x0: f64, x1: f64, target: usize) -> Vec<f64> {
    let span = (x1 - x0).max(1e-9);
    let raw = span / target.max(1) as f64;
    let mag = 10f64.powf(raw.log10().floor());
    let step = [1.0, 2.0, 5.0, 10.0]
        .iter()
        .map(|m| m * mag)
        .find(|s| *s >= raw)
        .unwrap_or(10.0 * mag);
    let mut t = (x0 / step).ceil() * step;
    let mut out = Vec::new();
    while t <= x1 + 1e-9 {
        out.push(t);
        t += step;
    }
    out
}

/// Points get markers when there are few of them (scaling), not on per-second series.
fn x_keys_marked(l: &Line) -> bool {
    l.points.len() <= 12
}

/// Top: successful ops per simulated second; bottom: p50 (dashed) and p99 latency. One colour
/// per run; fault intervals of every run shaded.
pub fn draw_over_time<DB: DrawingBackend>(
    area: &DrawingArea<DB, Shift>,
    title: &str,
    suite: &Suite,
) -> Result<(), String> {
    let body = titled(area, title, suite)?;
    let panels = body.split_evenly((2, 1));
    let t_max = suite
        .runs
        .iter()
        .flat_map(|r| r.series.last().map(|p| p.t_s + 1.0))
        .fold(1.0, f64::max);
    let many = suite.runs.len() > 1;
    let name = |label: &str, what: &str| {
        if many {
            format!("{label} {what}")
        } else {
            what.into()
        }
    };
    let mut tput = Vec::new();
    let mut lat = Vec::new();
    for (i, r) in suite.runs.iter().enumerate() {
        // Each window's value is drawn at the window's middle.
        let pts = |f: fn(&syncsim_core::bench::SeriesPoint) -> f64| {
            r.series
                .iter()
                .map(|p| (p.t_s + 0.5, f(p)))
                .collect::<Vec<_>>()
        };
        tput.push(Line {
            name: name(&r.label, "ok ops/s"),
            color: i,
            points: pts(|p| p.throughput),
            dashed: false,
        });
        lat.push(Line {
            name: name(&r.label, "p99"),
            color: i,
            points: pts(|p| p.p99_ms),
            dashed: false,
        });
        // One run: p50 gets its own colour; several: the run's colour, dashed.
        let p50_color = if many { i } else { 1 };
        lat.push(Line {
            name: name(&r.label, "p50"),
            color: p50_color,
            points: pts(|p| p.p50_ms),
            dashed: true,
        });
    }
    let faults: Vec<FaultInterval> = suite
        .runs
        .iter()
        .flat_map(|r| r.faults.iter().cloned())
        .collect();
    let x_desc = "simulated time (s)";
    line_panel(
        &panels[0],
        "Throughput",
        x_desc,
        "successful ops / s",
        (0.0, t_max),
        None,
        &tput,
        &faults,
    )?;
    line_panel(
        &panels[1],
        "Latency",
        x_desc,
        "latency (ms)",
        (0.0, t_max),
        None,
        &lat,
        &faults,
    )
}

/// Top: throughput against node count; bottom: p50/p95/p99 latency against node count.
pub fn draw_scaling<DB: DrawingBackend>(
    area: &DrawingArea<DB, Shift>,
    title: &str,
    suite: &Suite,
) -> Result<(), String> {
    let body = titled(area, title, suite)?;
    let panels = body.split_evenly((1, 2));
    let runs = runs_by_nodes(suite);
    let keys: Vec<f64> = runs.iter().map(|r| r.nodes as f64).collect();
    let x_max = keys.last().copied().unwrap_or(1.0) + 0.5;
    let pts = |f: fn(&syncsim_core::bench::OpStats) -> f64| {
        runs.iter()
            .map(|r| (r.nodes as f64, f(&r.overall)))
            .collect::<Vec<_>>()
    };
    let tput = [Line {
        name: "throughput".into(),
        color: 0,
        points: pts(|o| o.throughput_per_s),
        dashed: false,
    }];
    let lat = [
        Line {
            name: "p50".into(),
            color: 0,
            points: pts(|o| o.latency_ms.p50),
            dashed: false,
        },
        Line {
            name: "p95".into(),
            color: 1,
            points: pts(|o| o.latency_ms.p95),
            dashed: false,
        },
        Line {
            name: "p99".into(),
            color: 2,
            points: pts(|o| o.latency_ms.p99),
            dashed: false,
        },
    ];
    let x_desc = "nodes in the cluster";
    let range = (0.5, x_max);
    line_panel(
        &panels[0],
        "Throughput",
        x_desc,
        "successful ops / simulated s",
        range,
        Some(keys.clone()),
        &tput,
        &[],
    )?;
    line_panel(
        &panels[1],
        "Latency",
        x_desc,
        "latency (ms)",
        range,
        Some(keys),
        &lat,
        &[],
    )
}
