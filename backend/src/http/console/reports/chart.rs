//! The reports' charts, drawn on the server as SVG with plotters: they show without
//! JavaScript, and each carries its text summary as its accessible name, with the data
//! table beside it on the page.

use plotters::prelude::*;

/// Dark enough against white for WCAG 1.4.11 (3:1 for graphics), told apart by line style
/// as well as colour.
const BOOKED: RGBColor = RGBColor(0x1f, 0x4e, 0x9c);
const CANCELLED: RGBColor = RGBColor(0xb3, 0x26, 0x1e);
const TEXT: RGBColor = RGBColor(0x22, 0x22, 0x22);

const WIDTH: u32 = 720;

/// Up to this many periods each point gets its mark (a dot or a cross); beyond, the marks
/// would run together and the lines stand alone.
const MARKED_POINTS: usize = 62;

/// Bookings and cancellations over the periods: two lines, bookings solid with dots,
/// cancellations with crosses.
pub fn over_time(
    labels: &[String],
    booked: &[i64],
    cancelled: &[i64],
    names: (&str, &str),
    summary: &str,
) -> String {
    let mut svg = String::new();
    let drawn = (|| -> Result<(), Box<dyn std::error::Error + '_>> {
        let root = SVGBackend::with_string(&mut svg, (WIDTH, 320)).into_drawing_area();
        root.fill(&WHITE)?;
        let top = booked
            .iter()
            .chain(cancelled)
            .copied()
            .max()
            .unwrap_or(0)
            .max(1);
        let last = labels.len().max(1) - 1;
        let mut chart = ChartBuilder::on(&root)
            .margin(12)
            .x_label_area_size(36)
            .y_label_area_size(48)
            .build_cartesian_2d(0..last.max(1), 0..(top + top / 10 + 1))?;
        let label_of = |index: &usize| labels.get(*index).cloned().unwrap_or_default();
        chart
            .configure_mesh()
            .x_labels(labels.len().min(8))
            .x_label_formatter(&label_of)
            .y_labels(6)
            .label_style(("sans-serif", 13).into_font().color(&TEXT))
            .light_line_style(RGBColor(0xe4, 0xe4, 0xe4))
            .draw()?;
        let points =
            |values: &[i64]| -> Vec<(usize, i64)> { values.iter().copied().enumerate().collect() };
        chart
            .draw_series(LineSeries::new(points(booked), BOOKED.stroke_width(2)))?
            .label(names.0)
            .legend(|(x, y)| PathElement::new(vec![(x, y), (x + 18, y)], BOOKED.stroke_width(2)));
        let marked = labels.len() <= MARKED_POINTS;
        if marked {
            chart.draw_series(
                points(booked)
                    .into_iter()
                    .map(|(x, y)| Circle::new((x, y), 3, BOOKED.filled())),
            )?;
        }
        chart
            .draw_series(LineSeries::new(
                points(cancelled),
                CANCELLED.stroke_width(2),
            ))?
            .label(names.1)
            .legend(|(x, y)| Cross::new((x + 9, y), 4, CANCELLED.stroke_width(2)));
        if marked {
            chart.draw_series(
                points(cancelled)
                    .into_iter()
                    .map(|(x, y)| Cross::new((x, y), 4, CANCELLED.stroke_width(2))),
            )?;
        }
        chart
            .configure_series_labels()
            .position(SeriesLabelPosition::UpperRight)
            .label_font(("sans-serif", 13).into_font().color(&TEXT))
            .background_style(WHITE.mix(0.9))
            .border_style(TEXT)
            .draw()?;
        root.present()?;
        Ok(())
    })();
    finish(svg, drawn.is_ok(), summary)
}

/// Places used per place offered, per counter, as horizontal bars (0–100 %).
pub fn utilisation(counters: &[(String, f64)], summary: &str) -> String {
    let mut svg = String::new();
    let height = 60 + 26 * counters.len().max(1) as u32;
    let drawn = (|| -> Result<(), Box<dyn std::error::Error + '_>> {
        let root = SVGBackend::with_string(&mut svg, (WIDTH, height)).into_drawing_area();
        root.fill(&WHITE)?;
        let rows = counters.len().max(1);
        let mut chart = ChartBuilder::on(&root)
            .margin(12)
            .x_label_area_size(30)
            .y_label_area_size(160)
            .build_cartesian_2d(0f64..100f64, (0..rows).into_segmented())?;
        let name_of = |value: &SegmentValue<usize>| match value {
            SegmentValue::CenterOf(index) => counters
                .get(*index)
                .map(|c| c.0.clone())
                .unwrap_or_default(),
            _ => String::new(),
        };
        chart
            .configure_mesh()
            .disable_y_mesh()
            .y_labels(rows)
            .y_label_formatter(&name_of)
            .x_labels(6)
            .x_label_formatter(&|share| format!("{share:.0}%"))
            .label_style(("sans-serif", 13).into_font().color(&TEXT))
            .light_line_style(RGBColor(0xe4, 0xe4, 0xe4))
            .draw()?;
        chart.draw_series(counters.iter().enumerate().map(|(index, (_, share))| {
            Rectangle::new(
                [
                    (0.0, SegmentValue::Exact(index)),
                    (share.clamp(0.0, 100.0), SegmentValue::Exact(index + 1)),
                ],
                BOOKED.filled(),
            )
        }))?;
        root.present()?;
        Ok(())
    })();
    finish(svg, drawn.is_ok(), summary)
}

/// The SVG as an image named by `summary` (its drawing stays out of the reading order),
/// scaling down to a narrow screen; empty when plotters could not draw it.
fn finish(svg: String, drawn: bool, summary: &str) -> String {
    if !drawn {
        return String::new();
    }
    let name = summary
        .replace('&', "&amp;")
        .replace('"', "&quot;")
        .replace('<', "&lt;");
    svg.replacen(
        "<svg ",
        &format!("<svg role=\"img\" aria-label=\"{name}\" focusable=\"false\" "),
        1,
    )
}
