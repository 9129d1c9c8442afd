"""The HTML compressor on pages shaped like real ones: metadata first, the article kept, the chrome left out."""

from __future__ import annotations

import json

from structure_helpers import assert_markers_resolve, compress_checked, context

from compressors._html import HtmlCompressor
from compressors._html_page import read_page

HTML = HtmlCompressor()

_SENTENCE = (
    "The harbour authority reported on Tuesday that the new breakwater, finished after three winters of work, "
    "has cut the swell at the inner moorings by half, and fishermen say the season has never started so calmly."
)


def _news_page(paragraphs: int = 12, related: int = 30) -> str:
    """A news article inside the usual template: header and navigation, the article with its byline,
    a sidebar of related links, comments and a footer; metadata in the head and in JSON-LD."""
    ld = {
        "@context": "https://schema.org",
        "@type": "NewsArticle",
        "headline": "Breakwater halves the swell at the inner harbour",
        "author": [{"@type": "Person", "name": "Ingrid Vale"}],
        "datePublished": "2024-03-05T08:00:00Z",
    }
    body = "\n".join(
        f"<p>{_SENTENCE.replace('Tuesday', day)}</p>"
        for day in (["Monday", "Tuesday", "Friday", "Sunday"] * paragraphs)[:paragraphs]
    )
    body += "\n<p>Boats longer than 24 metres must still book a pilot through the harbour office.</p>"
    links = "\n".join(
        f'<li><a href="/news/{k}">Another story number {k} worth a click</a></li>' for k in range(related)
    )
    comments = "\n".join(
        f'<div class="comment"><p>Reader {k} says the old wall was fine, and the money went elsewhere.</p></div>'
        for k in range(8)
    )
    return f"""<!DOCTYPE html>
<html><head>
<title>Breakwater halves the swell at the inner harbour | Coast Gazette</title>
<meta name="description" content="After three winters of work the new breakwater has cut the swell...">
<meta property="og:description"
 content="After three winters of work the new breakwater has cut the swell at the inner moorings by half.">
<meta property="og:site_name" content="Coast Gazette">
<script type="application/ld+json">{json.dumps(ld)}</script>
<style>.x {{ color: red }}</style>
</head><body>
<header class="site-header"><nav>
<a href="/">Home</a> <a href="/local">Local</a> <a href="/sport">Sport</a></nav></header>
<main>
<article>
<h1>Breakwater halves the swell at the inner harbour</h1>
<div class="article-body">
{body}
</div>
</article>
<aside class="sidebar"><h3>Related</h3><ul>{links}</ul></aside>
<section class="comments">{comments}</section>
</main>
<footer class="site-footer"><p>Copyright Coast Gazette. All rights reserved. Contact the newsroom.</p></footer>
<script>track("page")</script>
</body></html>
"""


def test_title_author_date_and_summary_head_the_output() -> None:
    page = _news_page()
    out = compress_checked(HTML, page, context(page))
    head = out.split("\n")[1:6]
    assert "Title: Breakwater halves the swell at the inner harbour | Coast Gazette" in head
    assert "By: Ingrid Vale" in head
    assert "Published: 2024-03-05T08:00:00Z" in head
    # The longest of the page's descriptions: one of them was cut short.
    assert (
        "Summary: After three winters of work the new breakwater has cut the swell at the inner moorings by half."
        in head
    )


def test_the_article_is_kept_and_the_navigation_sidebar_comments_and_footer_go() -> None:
    page = _news_page()
    out = compress_checked(HTML, page, context(page, query="Who has to book a pilot?"))
    assert "Boats longer than 24 metres must still book a pilot through the harbour office." in out
    for chrome in ("Another story number", "Reader 3 says", "All rights reserved", "Sport (/sport)", "track("):
        assert chrome not in out
    assert_markers_resolve(page, out, context(page))


def test_a_line_outside_the_article_that_the_question_names_stays() -> None:
    page = _news_page()
    out = compress_checked(HTML, page, context(page, query="which story number 17 worth reading?"))
    assert "Another story number 17 worth a click (/news/17)" in out
    assert "Another story number 5 worth" not in out


def test_the_page_reader_finds_the_article_by_its_paragraphs() -> None:
    page = read_page(_news_page())
    article = [page.elements[k] for k in page.article]
    assert [el.hint for el in article] == ["article-body"] or [el.tag for el in article] == ["article"]
    assert page.metadata.author == "Ingrid Vale"


def test_a_documentation_page_keeps_its_signatures_and_drops_its_table_of_contents() -> None:
    toc = "\n".join(f'<li><a href="#m{k}">method_{k}</a></li>' for k in range(40))
    methods = "\n".join(
        f'<section id="m{k}" class="method"><h4 class="code-header"><a href="#m{k}">fn method_{k}</a>'
        f'(&amp;self, <a href="t.html">Thing</a>) -&gt; <a href="r.html">Result</a></h4>'
        f'<div class="docblock"><p>Method {k} turns the thing into a result, and it never panics.</p></div></section>'
        for k in range(40)
    )
    page = f"""<html><head><title>Thing in lib - Rust</title></head><body>
<nav class="sidebar"><ul>{toc}</ul></nav>
<main><section class="main-content"><h1>Struct Thing</h1>{methods}</section></main>
</body></html>"""
    out = compress_checked(HTML, page, context(page, query="What does method_17 return?"))
    assert "fn method_17(&self, Thing) -> Result" in out.replace(" (#m17)", "").replace(" (t.html)", "").replace(
        " (r.html)", ""
    )
    assert "- method_3 (#m3)" not in out


def test_a_page_without_an_article_keeps_all_of_its_text() -> None:
    page = "<html><body><p>First note.</p><div><p>Second note, a short one.</p></div></body></html>"
    out = HTML.compress(page, context(page))
    assert "First note." in out and "Second note, a short one." in out


def _readme_with_badges(sections: int = 12) -> str:
    """A Markdown README that opens with HTML images and badges, as many projects' READMEs do."""
    badges = "\n".join(
        f"[![badge {k}](https://img.example.org/badge/{k}.svg)](https://ci.example.org/{k})" for k in range(8)
    )
    body = "\n\n".join(
        f"## Topic {k}\n\nParagraph about topic {k}: it explains option_{k} and how the parser treats it.\n\n"
        f'<img src="https://img.example.org/diagram{k}.png" width="40%">'
        for k in range(sections)
    )
    logo = '<p align="center"><img alt="logo" src="https://img.example.org/logo.svg"></p>'
    return f"{logo}\n\n# Parser\n\n{badges}\n\n{body}\n"


def test_a_markdown_file_with_html_tags_is_read_as_text_with_its_paragraphs() -> None:
    readme = _readme_with_badges()
    out = compress_checked(HTML, readme, context(readme, query="What does the README say about topic 7?"))
    # Its own lines, not one run-on line of the whole file.
    assert "\nParagraph about topic 7: it explains option_7 and how the parser treats it.\n" in out
    assert "Paragraph about topic 2:" not in out
