//! `audit --html FILE`: the audit as one self-contained page — no scripts, fonts, stylesheets
//! or images from elsewhere, readable with the network off. Charts are inline SVG drawn with
//! plotters.

use super::audit::Audit;
use plotters::prelude::*;
use std::fmt::Write;

fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}

/// "connected_on" → "Connected on".
fn column_title(name: &str) -> String {
    let spaced = name.replace('_', " ");
    let mut chars = spaced.chars();
    chars
        .next()
        .map(|c| c.to_uppercase().collect::<String>() + chars.as_str())
        .unwrap_or_default()
}

fn table(out: &mut String, list: &super::audit::List) {
    let _ = writeln!(out, "<h2>{} ({})</h2>", escape(list.title), list.rows.len());
    if list.rows.is_empty() {
        out.push_str("<p class=\"none\">None.</p>\n");
        return;
    }
    out.push_str("<table>\n<thead><tr>");
    for h in list.header {
        let _ = write!(out, "<th>{}</th>", escape(&column_title(h)));
    }
    out.push_str("</tr></thead>\n<tbody>\n");
    for row in &list.rows {
        out.push_str("<tr>");
        for cell in row {
            let _ = write!(out, "<td>{}</td>", escape(cell));
        }
        out.push_str("</tr>\n");
    }
    out.push_str("</tbody>\n</table>\n");
}

/// Inline SVG without its namespace URI (HTML does not need it, and the page holds no link).
fn inline(svg: String) -> String {
    svg.replace(" xmlns=\"http://www.w3.org/2000/svg\"", "")
}

/// Inbound messages per month, one line per class.
fn months_chart(a: &Audit) -> Option<String> {
    if a.months.is_empty() {
        return None;
    }
    let mut svg = String::new();
    {
        let root = SVGBackend::with_string(&mut svg, (760, 280)).into_drawing_area();
        root.fill(&WHITE).ok()?;
        let n = a.months.len() as u32;
        let top = a.months.iter().map(|m| m.inbound).max().unwrap_or(1).max(1) as u32;
        let labels: Vec<String> = a.months.iter().map(|m| m.month.clone()).collect();
        let mut chart = ChartBuilder::on(&root)
            .caption("Inbound messages per month", ("sans-serif", 16))
            .margin(10)
            .x_label_area_size(36)
            .y_label_area_size(40)
            .build_cartesian_2d(0u32..n.saturating_sub(1).max(1), 0u32..top + 1)
            .ok()?;
        chart
            .configure_mesh()
            .x_labels(12.min(n as usize))
            .x_label_formatter(&|i| labels.get(*i as usize).cloned().unwrap_or_default())
            .draw()
            .ok()?;
        let series = [
            (
                "genuine",
                GREEN.mix(0.9),
                a.months.iter().map(|m| m.genuine).collect::<Vec<_>>(),
            ),
            (
                "vague",
                BLUE.mix(0.7),
                a.months.iter().map(|m| m.vague).collect(),
            ),
            (
                "sales pitch",
                RED.mix(0.9),
                a.months.iter().map(|m| m.sales_pitch).collect(),
            ),
        ];
        for (name, color, values) in series {
            chart
                .draw_series(LineSeries::new(
                    values
                        .iter()
                        .enumerate()
                        .map(|(i, v)| (i as u32, *v as u32)),
                    color.stroke_width(2),
                ))
                .ok()?
                .label(name)
                .legend(move |(x, y)| {
                    PathElement::new(vec![(x, y), (x + 16, y)], color.stroke_width(2))
                });
        }
        chart
            .configure_series_labels()
            .background_style(WHITE.mix(0.8))
            .border_style(BLACK)
            .draw()
            .ok()?;
        root.present().ok()?;
    }
    Some(inline(svg))
}

/// Connections made per year.
fn years_chart(a: &Audit) -> Option<String> {
    if a.connections_per_year.is_empty() {
        return None;
    }
    let years: Vec<(i32, usize)> = a
        .connections_per_year
        .iter()
        .map(|(y, n)| (*y, *n))
        .collect();
    let first = years.first()?.0;
    let last = years.last()?.0;
    let top = years.iter().map(|(_, n)| *n).max().unwrap_or(1) as u32;
    let mut svg = String::new();
    {
        let root = SVGBackend::with_string(&mut svg, (760, 240)).into_drawing_area();
        root.fill(&WHITE).ok()?;
        let mut chart = ChartBuilder::on(&root)
            .caption("Connections per year", ("sans-serif", 16))
            .margin(10)
            .x_label_area_size(30)
            .y_label_area_size(40)
            .build_cartesian_2d((first..last).into_segmented(), 0u32..top + 1)
            .ok()?;
        chart.configure_mesh().draw().ok()?;
        chart
            .draw_series(
                Histogram::vertical(&chart)
                    .style(BLUE.mix(0.6).filled())
                    .margin(4)
                    .data(years.iter().map(|(y, n)| (*y, *n as u32))),
            )
            .ok()?;
        root.present().ok()?;
    }
    Some(inline(svg))
}

/// The whole page.
pub fn audit_page(a: &Audit, today: &str) -> String {
    let mut out = String::from(
        "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n<title>notewright audit</title>\n<style>\nbody{font-family:system-ui,sans-serif;margin:2em auto;max-width:60em;color:#222}\ntable{border-collapse:collapse;margin:.5em 0 1.5em}\nth,td{border:1px solid #ccc;padding:.25em .6em;text-align:left;vertical-align:top}\nth{background:#f3f3f3}\n.none{color:#777}\n</style>\n</head>\n<body>\n",
    );
    let _ = write!(
        out,
        "<h1>Network audit</h1>\n<p>{} connections · {} messages ({} inbound, {} from LinkedIn itself left out) · as of {}</p>\n",
        a.connections,
        a.messages,
        a.inbound_messages,
        a.sponsored,
        escape(today)
    );
    let lists = a.lists();
    let (months, lists) = lists.split_last().expect("the audit has lists");
    for list in lists {
        table(&mut out, list);
    }
    out.push_str("<h2>Per month</h2>\n");
    if let Some(svg) = months_chart(a) {
        out.push_str(&svg);
        out.push('\n');
    }
    table(&mut out, months);
    if let Some(svg) = years_chart(a) {
        out.push_str(&svg);
        out.push('\n');
    }
    out.push_str("</body>\n</html>\n");
    out
}
