//! `stemma compare` as one self-contained HTML page; every piece of document text escaped.

use super::*;

/// Self-contained HTML: one file with inline CSS and script and no external resource, that
/// opens offline and in print.
///
/// A header with the two documents, the passages by kind and coverage bars (where in each
/// document the passages lie); the two documents side by side in full, every passage
/// highlighted in its colour with its number, the unmatched words underlined; hovering or
/// focusing a passage outlines it on both sides and clicking it scrolls to its counterpart;
/// then a table of all passages linking to them, each with its alternatives (weaker
/// alignments of the same words) folded in a `<details>` below it. Every piece of document text and metadata
/// is escaped, and a Content-Security-Policy allows only the page's own inline style and
/// script.
pub fn to_html(view: &CompareView) -> String {
    let prep = Prepared::new(view);
    let s = &prep.summary;
    let mut body = String::with_capacity(
        (view.a.text.len() + view.b.text.len()) * 11 / 10 + view.passages.len() * 600 + 8192,
    );
    body.push_str("<a class=\"skip\" href=\"#passages\">Skip to the table of passages</a>\n");

    // Header: summary and coverage.
    body.push_str("<header class=\"top\">\n<h1>stemma compare</h1>\n<p class=\"sub\">");
    body.push_str(&grouped_plural(
        s.passages,
        "shared passage",
        "shared passages",
    ));
    if s.passages > 0 {
        let _ = write!(body, " · {}", html::esc(&kinds_line(&s.kinds)));
        body.push_str(" · <a href=\"#passages\">table of passages</a>");
    }
    if s.alternatives > 0 {
        let _ = write!(
            body,
            " · {} listed under their passages",
            grouped_plural(s.alternatives, "weaker alignment", "weaker alignments")
        );
    }
    body.push_str("</p>\n<div class=\"cards\">\n");
    for (label, doc, index, words, shared, coverage, spans) in [
        (
            "A",
            view.a,
            &prep.a,
            view.a_words,
            s.a_shared_chars,
            s.a_coverage,
            prep.passages.iter().map(|p| p.a.span()).collect::<Vec<_>>(),
        ),
        (
            "B",
            view.b,
            &prep.b,
            view.b_words,
            s.b_shared_chars,
            s.b_coverage,
            prep.passages.iter().map(|p| p.b.span()).collect::<Vec<_>>(),
        ),
    ] {
        body.push_str("<section class=\"card\">\n<h2><span class=\"side\">");
        body.push_str(label);
        body.push_str("</span>");
        html::text(&mut body, &doc.id);
        body.push_str("</h2>\n<p class=\"meta\">");
        let mut meta: Vec<String> = Vec::new();
        for value in [&doc.title, &doc.source, &doc.date, &doc.lang]
            .into_iter()
            .flatten()
        {
            meta.push(html::esc(value));
        }
        meta.push(html::esc(&doc.encoding));
        meta.push(grouped_plural(words, "word", "words"));
        meta.push(grouped_plural(index.chars, "char", "chars"));
        body.push_str(&meta.join(" · "));
        let _ = write!(
            body,
            "</p>\n<div class=\"bar\" role=\"img\" aria-label=\"{p} of {label} lies in shared passages\">",
            p = percent(coverage)
        );
        for m in crate::doc::merge_spans(spans) {
            let start = index.char_of(m.start);
            let end = index.char_of(m.end);
            let _ = write!(
                body,
                "<span style=\"left:{}%;width:{}%\"></span>",
                html::pct(start, index.chars),
                html::pct(end - start, index.chars)
            );
        }
        let _ = writeln!(
            body,
            "</div>\n<p class=\"cov\"><strong>{}</strong> of {label} in shared passages ({})</p>\n</section>",
            percent(coverage),
            grouped_plural(shared, "char", "chars")
        );
    }
    body.push_str("</div>\n<p class=\"legend\">Each passage has its own colour and number; \
        click one to see its counterpart. Underlined words have no identical word on the other side \
        (<span class=\"da\">in A</span>, <span class=\"db\">in B</span>).</p>\n</header>\n<main>\n");

    // The two documents.
    body.push_str("<section class=\"docs\" aria-label=\"The two documents\">\n");
    for (side, other, label, doc) in [("a", "b", "A", view.a), ("b", "a", "B", view.b)] {
        let _ = write!(
            body,
            "<article class=\"doc\" data-side=\"{side}\" aria-label=\"Document {label}\">\n\
             <h2><span class=\"side\">{label}</span>"
        );
        html::text(&mut body, &doc.id);
        body.push_str("</h2>\n<div class=\"text\"");
        // The language lets browsers pick the right glyphs (Japanese vs Chinese forms of the
        // same ideographs); only a well-formed tag is used, never arbitrary metadata.
        if let Some(lang) = doc.lang.as_deref().filter(|l| html::is_language_tag(l)) {
            let _ = write!(body, " lang=\"{lang}\"");
        }
        body.push('>');
        let on_a = side == "a";
        let diffs: Vec<Vec<Span>> = prep
            .passages
            .iter()
            .map(|p| {
                let d = if on_a { &p.a_diffs } else { &p.b_diffs };
                d.iter().map(CharSpan::span).collect()
            })
            .collect();
        let regions: Vec<html::Region> = prep
            .passages
            .iter()
            .zip(&diffs)
            .enumerate()
            .map(|(i, (p, d))| html::Region {
                number: i + 1,
                span: if on_a { p.a.span() } else { p.b.span() },
                diffs: d,
            })
            .collect();
        html::marked_text(&mut body, &doc.text, side, other, &regions);
        body.push_str("</div>\n</article>\n");
    }
    body.push_str("</section>\n");

    // The table of passages.
    body.push_str("<section class=\"tablewrap\" id=\"passages\" aria-label=\"Passages\">\n<h2>Passages</h2>\n");
    if view.passages.is_empty() {
        body.push_str("<p class=\"none\">No shared passages were found.</p>\n");
    } else {
        body.push_str(
            "<table>\n<thead><tr><th scope=\"col\">#</th><th scope=\"col\">Kind</th>\
            <th scope=\"col\">Identity</th><th scope=\"col\">In A</th><th scope=\"col\">In B</th>\
            <th scope=\"col\">Beginning</th></tr></thead>\n<tbody>\n",
        );
        for (i, (p, sp)) in view.passages.iter().zip(&prep.passages).enumerate() {
            let n = i + 1;
            let kind = kind_name(p.kind);
            let excerpt: String = view.a.text[sp.a.start..sp.a.end]
                .chars()
                .take(140)
                .collect();
            let mut excerpt = terminal::clean_line(&excerpt);
            if sp.a.char_end - sp.a.char_start > 140 {
                excerpt.push('…');
            }
            let _ = write!(
                body,
                "<tr><td class=\"num\"><span class=\"swatch c{c}\"></span><a class=\"jump\" href=\"#a-p{n}\" data-p=\"{n}\">{n}</a></td>\
                 <td class=\"kind\">{kind}</td><td class=\"num\">{id}</td>\
                 <td class=\"num\"><a href=\"#a-p{n}\">{ra}</a> · {wa}</td>\
                 <td class=\"num\"><a href=\"#b-p{n}\">{rb}</a> · {wb}</td><td class=\"ex\">",
                c = i % html::COLORS,
                kind = html::esc(&kind),
                id = percent(p.identity),
                ra = prep.a.range_label(sp.a.span()),
                rb = prep.b.range_label(sp.b.span()),
                wa = grouped_plural(p.a_tokens, "word", "words"),
                wb = grouped_plural(p.b_tokens, "word", "words"),
            );
            html::text(&mut body, &excerpt);
            body.push_str("</td></tr>\n");
            if !p.also.is_empty() {
                let _ = write!(
                    body,
                    "<tr class=\"also\"><td></td><td colspan=\"5\"><details><summary>{} of these words</summary><ul>",
                    grouped_plural(p.also.len(), "weaker alignment", "weaker alignments")
                );
                for (alt, alt_spans) in p.also.iter().zip(&sp.also) {
                    let b_excerpt: String = view.b.text[alt_spans.b.start..alt_spans.b.end]
                        .chars()
                        .take(100)
                        .collect();
                    let _ = write!(
                        body,
                        "<li>A {} ↔ B {} · {} · {} identical · {}: ",
                        prep.a.range_label(alt_spans.a.span()),
                        prep.b.range_label(alt_spans.b.span()),
                        html::esc(&kind_name(alt.kind)),
                        percent(alt.identity),
                        grouped_plural(alt.matched_tokens, "word matched", "words matched"),
                    );
                    html::text(&mut body, &terminal::clean_line(&b_excerpt));
                    if alt_spans.b.char_end - alt_spans.b.char_start > 100 {
                        body.push('…');
                    }
                    body.push_str("</li>");
                }
                body.push_str("</ul></details></td></tr>\n");
            }
        }
        body.push_str("</tbody>\n</table>\n");
    }
    body.push_str(
        "</section>\n</main>\n<footer>Made by stemma. Positions are line:column, \
        columns counted in characters; percentages are shares of characters.</footer>\n",
    );

    let mut title = format!("stemma compare: {} ↔ {}", view.a.id, view.b.id);
    title = terminal::clean_line(&title);
    html::page(&title, &body, html::LINK_SCRIPT)
}
