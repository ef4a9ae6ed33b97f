//! The self-contained HTML page every stemma report shares: one file, inline CSS and script,
//! a Content-Security-Policy that forbids every external resource, and the escaping helpers.
//!
//! Document text and metadata are untrusted. They only ever reach the page through
//! [`text`] and [`esc`], which escape for element content and quoted attributes alike; no markup, id,
//! class, URL or style is ever built from document content, so a document cannot inject
//! elements, attributes or script whatever it contains.

use std::collections::BTreeSet;
use std::fmt::Write as _;

use stemma_align::Span;

/// Only inline styles and scripts: no network, no frames, no forms, no plugins. The page is
/// static, so `'unsafe-inline'` is safe here: nothing in it is built from untrusted markup.
pub(crate) const CSP: &str = "default-src 'none'; style-src 'unsafe-inline'; \
     script-src 'unsafe-inline'; img-src data:; base-uri 'none'; form-action 'none'";

/// Number of passage colours in the palette (classes `c0` … `c7`).
pub(crate) const COLORS: usize = 8;

/// Chars shown raw as text could spoof what a reader sees: C0/C1 controls (other than line
/// breaks and tabs, which `white-space: pre-wrap` shows) and bidi overrides.
fn unsafe_char(c: char) -> bool {
    (c.is_control() && !matches!(c, '\n' | '\t' | '\r'))
        || matches!(c, '\u{202A}'..='\u{202E}' | '\u{2066}'..='\u{2069}')
}

/// Append `s`, escaped for element content (and for quoted attributes: quotes are escaped
/// too, so the same helper is safe in both places).
pub(crate) fn text(out: &mut String, s: &str) {
    if s.chars().any(unsafe_char) {
        let cleaned: String = s
            .chars()
            .map(|c| if unsafe_char(c) { '\u{FFFD}' } else { c })
            .collect();
        html_escape::encode_quoted_attribute_to_string(cleaned, out);
    } else {
        html_escape::encode_quoted_attribute_to_string(s, out);
    }
}

/// `s` escaped, as a new string (for short metadata).
pub(crate) fn esc(s: &str) -> String {
    let mut out = String::with_capacity(s.len() + 8);
    text(&mut out, s);
    out
}

/// Whether `tag` looks like a BCP 47 language tag ("en", "ru", "zh-Hant-TW"): ASCII letters,
/// digits and hyphens only, so that it can be written into an attribute as is.
pub(crate) fn is_language_tag(tag: &str) -> bool {
    !tag.is_empty()
        && tag.len() <= 35
        && tag.as_bytes()[0].is_ascii_alphabetic()
        && tag.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-')
}

/// A percentage for CSS, with fixed precision so the page is byte-identical across runs.
pub(crate) fn pct(part: usize, whole: usize) -> String {
    if whole == 0 {
        return "0".to_string();
    }
    format!("{:.3}", part as f64 * 100.0 / whole as f64)
}

/// A whole page: `title` is escaped here; `body` and `script` are trusted markup built by the
/// renderers.
pub(crate) fn page(title: &str, body: &str, script: &str) -> String {
    let mut out = String::with_capacity(body.len() + STYLE.len() + script.len() + 1024);
    out.push_str("<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n");
    let _ = writeln!(
        out,
        "<meta http-equiv=\"Content-Security-Policy\" content=\"{CSP}\">"
    );
    out.push_str("<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n");
    out.push_str("<meta name=\"referrer\" content=\"no-referrer\">\n<title>");
    text(&mut out, title);
    out.push_str("</title>\n<style>");
    out.push_str(STYLE);
    out.push_str("</style>\n</head>\n<body>\n");
    out.push_str(body);
    if !script.is_empty() {
        out.push_str("<script>");
        out.push_str(script);
        out.push_str("</script>\n");
    }
    out.push_str("</body>\n</html>\n");
    out
}

/// One highlighted region of a text: a passage (numbered from 1) with its inner diff words.
pub(crate) struct Region<'p> {
    pub number: usize,
    pub span: Span,
    pub diffs: &'p [Span],
}

/// Append `full` with every region highlighted, for the pane of side `side` ("a" or "b")
/// whose counterpart pane is `other`.
///
/// Regions may overlap (one passage of A reused twice in B), so the text is cut at every
/// region and diff boundary and each piece is one flat `<span>` naming all the passages that
/// cover it (`data-p="3 5"`): no nesting to get wrong. Each region starts with a numbered
/// link to its counterpart, which is what keyboard users tab through.
pub(crate) fn marked_text(
    out: &mut String,
    full: &str,
    side: &str,
    other: &str,
    regions: &[Region],
) {
    let mut bounds: Vec<usize> = Vec::with_capacity(regions.len() * 4 + 2);
    bounds.push(0);
    bounds.push(full.len());
    let mut starts: Vec<(usize, usize)> = Vec::with_capacity(regions.len());
    let mut ends: Vec<(usize, usize)> = Vec::with_capacity(regions.len());
    let mut diff_starts: Vec<usize> = Vec::new();
    let mut diff_ends: Vec<usize> = Vec::new();
    for r in regions {
        bounds.extend([r.span.start, r.span.end]);
        starts.push((r.span.start, r.number));
        ends.push((r.span.end, r.number));
        for d in r.diffs.iter().filter(|d| !d.is_empty()) {
            bounds.extend([d.start, d.end]);
            diff_starts.push(d.start);
            diff_ends.push(d.end);
        }
    }
    bounds.sort_unstable();
    bounds.dedup();
    starts.sort_unstable();
    ends.sort_unstable();
    diff_starts.sort_unstable();
    diff_ends.sort_unstable();

    let (mut si, mut ei, mut dsi, mut dei) = (0, 0, 0, 0);
    let mut active: BTreeSet<usize> = BTreeSet::new();
    let mut diffs_open = 0usize;
    for w in bounds.windows(2) {
        let (pos, next) = (w[0], w[1]);
        while ei < ends.len() && ends[ei].0 <= pos {
            active.remove(&ends[ei].1);
            ei += 1;
        }
        while dei < diff_ends.len() && diff_ends[dei] <= pos {
            diffs_open -= 1;
            dei += 1;
        }
        while si < starts.len() && starts[si].0 <= pos {
            let n = starts[si].1;
            let _ = write!(
                out,
                "<a class=\"pl c{c}\" id=\"{side}-p{n}\" href=\"#{other}-p{n}\" data-p=\"{n}\" \
                 title=\"Passage {n}: show in {o}\">{n}</a>",
                c = (n - 1) % COLORS,
                o = other.to_uppercase(),
            );
            // An empty region ends where it starts: keep it out of the active set.
            if ends.binary_search(&(pos, n)).is_err() {
                active.insert(n);
            }
            si += 1;
        }
        while dsi < diff_starts.len() && diff_starts[dsi] <= pos {
            diffs_open += 1;
            dsi += 1;
        }
        let piece = &full[pos..next];
        match active.first() {
            None => text(out, piece),
            Some(&first) => {
                let _ = write!(out, "<span class=\"m c{}", (first - 1) % COLORS);
                if diffs_open > 0 {
                    out.push_str(" d");
                }
                out.push_str("\" data-p=\"");
                for (i, n) in active.iter().enumerate() {
                    if i > 0 {
                        out.push(' ');
                    }
                    let _ = write!(out, "{n}");
                }
                out.push_str("\">");
                text(out, piece);
                out.push_str("</span>");
            }
        }
    }
}

/// Page style shared by every report: light and dark schemes, two panes side by side on wide
/// screens and stacked on narrow ones, and a print layout without scroll boxes.
pub(crate) const STYLE: &str = r#"
:root{--bg:#fff;--fg:#1d1d1f;--mute:#5f6368;--line:#d8dbe0;--card:#f6f7f9;--bar:#e4e7ec;--fill:#3b6fd8;--focus:#f5a623;--da:#c62828;--db:#1b7f3b;
--c0:#ffe08a;--c1:#a8e6b8;--c2:#a9d1ff;--c3:#ffc1d6;--c4:#d7c4ff;--c5:#ffd0a6;--c6:#b7f0ec;--c7:#e3ee9e}
@media (prefers-color-scheme:dark){:root{--bg:#121316;--fg:#e8e8ea;--mute:#a0a4ab;--line:#33363c;--card:#1c1e22;--bar:#2a2d33;--fill:#6d9bff;--da:#ff8a80;--db:#7ee2a0;
--c0:#6b5412;--c1:#1e5a2e;--c2:#1d4673;--c3:#6e2a41;--c4:#46306e;--c5:#6e4320;--c6:#1d5753;--c7:#535a1a}}
*{box-sizing:border-box}
html{-webkit-text-size-adjust:100%}
body{margin:0;background:var(--bg);color:var(--fg);font:15px/1.5 system-ui,-apple-system,"Segoe UI",Roboto,"Noto Sans",sans-serif}
a{color:var(--fill)}
:focus-visible{outline:3px solid var(--focus);outline-offset:2px}
.skip{position:absolute;left:-999px;top:0;background:var(--bg);padding:.5em}
.skip:focus{left:.5em}
header.top{padding:1rem 1.25rem;border-bottom:1px solid var(--line)}
h1{font-size:1.35rem;margin:0 0 .25rem}
h2{font-size:1.05rem;margin:0 0 .5rem}
.sub{color:var(--mute);margin:0 0 .75rem}
.cards{display:grid;grid-template-columns:1fr 1fr;gap:1rem}
.card{background:var(--card);border:1px solid var(--line);border-radius:8px;padding:.75rem 1rem;min-width:0;overflow-x:auto}
.card h2,.doc h2{overflow-wrap:anywhere}
.meta{color:var(--mute);margin:.1rem 0 .5rem;overflow-wrap:anywhere}
.side{display:inline-block;min-width:1.6em;text-align:center;border-radius:4px;background:var(--fg);color:var(--bg);font-weight:700;margin-right:.35em}
.bar{position:relative;height:12px;border-radius:6px;background:var(--bar);overflow:hidden}
.bar span{position:absolute;top:0;bottom:0;background:var(--fill);min-width:1px}
.cov{margin:.35rem 0 0;font-variant-numeric:tabular-nums}
.legend{color:var(--mute);font-size:.9em;margin:.75rem 0 0}
.legend .d{padding:0 .2em}
main{padding:1rem 1.25rem}
.docs{display:grid;grid-template-columns:1fr 1fr;gap:1rem}
.doc{border:1px solid var(--line);border-radius:8px;min-width:0;display:flex;flex-direction:column}
.doc h2{padding:.6rem .9rem;margin:0;border-bottom:1px solid var(--line);background:var(--card);border-radius:8px 8px 0 0}
.text{padding:.75rem .9rem;white-space:pre-wrap;overflow-wrap:anywhere;max-height:75vh;overflow:auto;font-family:ui-serif,Georgia,"Noto Serif",serif;font-size:1rem;line-height:1.6}
.m{border-radius:2px;cursor:pointer;color:inherit}
.c0{background:var(--c0)}.c1{background:var(--c1)}.c2{background:var(--c2)}.c3{background:var(--c3)}
.c4{background:var(--c4)}.c5{background:var(--c5)}.c6{background:var(--c6)}.c7{background:var(--c7)}
.m.d{text-decoration:underline wavy;text-decoration-thickness:1.5px;text-underline-offset:3px;font-weight:600}
[data-side=a] .m.d,.legend .da{text-decoration-color:var(--da);color:var(--da)}
[data-side=b] .m.d,.legend .db{text-decoration-color:var(--db);color:var(--db)}
.legend .da,.legend .db{text-decoration-line:underline;text-decoration-style:wavy;font-weight:600}
.m.hl{outline:2px solid var(--fg);outline-offset:0}
.m.flash{animation:flash 1.2s ease-out}
@keyframes flash{0%{box-shadow:0 0 0 4px var(--focus)}100%{box-shadow:0 0 0 0 transparent}}
@media (prefers-reduced-motion:reduce){.m.flash{animation:none;outline:2px solid var(--focus)}}
.pl{display:inline-block;font:700 .7rem/1.4 system-ui,sans-serif;color:var(--fg);text-decoration:none;border:1px solid var(--fg);border-radius:8px;padding:0 .35em;margin-right:.15em;vertical-align:.25em;scroll-margin:40vh}
.pl:hover{text-decoration:underline}
table{border-collapse:collapse;width:100%;font-size:.92rem}
.tablewrap{overflow-x:auto;margin-top:1.5rem}
th,td{border-bottom:1px solid var(--line);padding:.35rem .5rem;text-align:left;vertical-align:top}
th{background:var(--card);position:sticky;top:0}
td.num{font-variant-numeric:tabular-nums;white-space:nowrap}
td.ex{color:var(--mute);overflow-wrap:anywhere;min-width:12em}
.kind{font-weight:600;white-space:nowrap}
.swatch{display:inline-block;width:.8em;height:.8em;border-radius:2px;margin-right:.35em;vertical-align:-.05em;border:1px solid var(--line)}
.none{color:var(--mute);font-style:italic}
footer{color:var(--mute);font-size:.85rem;padding:1rem 1.25rem;border-top:1px solid var(--line)}
@media (max-width:820px){.cards,.docs{grid-template-columns:1fr}.text{max-height:none}main,header.top{padding:.75rem}body{font-size:14px}}
@media print{:root{--bg:#fff;--fg:#000;--mute:#444;--card:#fff}
body{font-size:10.5pt}.skip,script{display:none}.docs,.cards{grid-template-columns:1fr}
.text{max-height:none;overflow:visible}.doc{break-inside:auto;border:none}.doc h2{border:none;padding-left:0}
.m{-webkit-print-color-adjust:exact;print-color-adjust:exact;box-shadow:inset 0 -1px 0 #888}
.pl{border-color:#000;color:#000}a{color:#000;text-decoration:none}th{position:static}tr{break-inside:avoid}}
"#;

/// Link behaviour between two panes (`data-side="a"` / `"b"`) of marked text: hovering or
/// focusing a passage outlines it on both sides; clicking a passage (or its number) scrolls
/// the counterpart into view inside its pane and flashes it (but not while the reader is
/// selecting text to copy, nor on a modified click). Without script, the numbered links still
/// jump by fragment.
pub(crate) const LINK_SCRIPT: &str = r#"
(function(){
"use strict";
function parts(n){return document.querySelectorAll('[data-p~="'+n+'"].m');}
var on=null;
function light(n){if(on===n)return;if(on!==null){parts(on).forEach(function(e){e.classList.remove("hl");});}
on=n;if(n!==null){parts(n).forEach(function(e){e.classList.add("hl");});}}
function num(t){var e=t&&t.closest?t.closest("[data-p]"):null;return e?e.getAttribute("data-p").split(" ")[0]:null;}
function go(side,n){var a=document.getElementById(side+"-p"+n);if(!a)return;
var pane=a.closest(".text");if(pane&&pane.scrollHeight>pane.clientHeight){pane.scrollTop+=a.getBoundingClientRect().top-pane.getBoundingClientRect().top-pane.clientHeight/3;}
a.scrollIntoView({block:"nearest"});
var ps=document.querySelectorAll('[data-side="'+side+'"] [data-p~="'+n+'"].m');
ps.forEach(function(e){e.classList.remove("flash");void e.offsetWidth;e.classList.add("flash");});
light(n);}
document.addEventListener("mouseover",function(ev){var n=num(ev.target);if(n!==null)light(n);});
document.addEventListener("focusin",function(ev){var n=num(ev.target);if(n!==null)light(n);});
document.addEventListener("click",function(ev){var t=ev.target;if(!t.closest)return;
if(ev.button!==0||ev.ctrlKey||ev.metaKey||ev.shiftKey)return;
var sel=window.getSelection?String(window.getSelection()):"";if(sel&&!t.closest(".pl"))return;
var el=t.closest(".m,.pl");if(!el)return;var doc=el.closest("[data-side]");if(!doc)return;
var other=doc.getAttribute("data-side")==="a"?"b":"a";ev.preventDefault();
go(other,el.getAttribute("data-p").split(" ")[0]);});
document.querySelectorAll("a.jump").forEach(function(a){a.addEventListener("click",function(ev){
ev.preventDefault();go("a",a.getAttribute("data-p"));go("b",a.getAttribute("data-p"));
var t=document.getElementById("a-p"+a.getAttribute("data-p"));if(t)t.focus();});});
})();
"#;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escapes_markup_and_controls() {
        let s = esc("<script>alert(\"x\")</script> & 'q' \u{0}\u{202E}");
        assert_eq!(
            s,
            "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt; &amp; &#x27;q&#x27; \u{FFFD}\u{FFFD}"
        );
    }

    #[test]
    fn language_tags() {
        assert!(is_language_tag("en") && is_language_tag("zh-Hant-TW"));
        assert!(
            !is_language_tag("en\" onload=\"x") && !is_language_tag("") && !is_language_tag("-x")
        );
    }

    #[test]
    fn overlapping_regions_stay_flat() {
        let full = "0123456789";
        let d = [Span { start: 3, end: 4 }];
        let regions = [
            Region {
                number: 1,
                span: Span { start: 2, end: 6 },
                diffs: &d,
            },
            Region {
                number: 2,
                span: Span { start: 4, end: 8 },
                diffs: &[],
            },
        ];
        let mut out = String::new();
        marked_text(&mut out, full, "a", "b", &regions);
        assert_eq!(
            out,
            "01<a class=\"pl c0\" id=\"a-p1\" href=\"#b-p1\" data-p=\"1\" title=\"Passage 1: show in B\">1</a>\
             <span class=\"m c0\" data-p=\"1\">2</span><span class=\"m c0 d\" data-p=\"1\">3</span>\
             <a class=\"pl c1\" id=\"a-p2\" href=\"#b-p2\" data-p=\"2\" title=\"Passage 2: show in B\">2</a>\
             <span class=\"m c0\" data-p=\"1 2\">45</span><span class=\"m c1\" data-p=\"2\">67</span>89"
        );
    }
}
