"""Is a page valid HTML5, and what does it say?

    assert_valid(r.text)            # html5lib's parser in strict mode, plus our own nesting check
    form_fields(r.text)             # {name: value} of the inputs in the page's forms
    visible_text(r.text)            # the text a reader sees (tags dropped, entities decoded)

html5lib (Debian's python3-html5lib) implements the WHATWG parsing algorithm; in strict mode every
parse error the specification names (stray end tags, bad attributes, a missing doctype, ...) fails.
The nesting check adds what the parser forgives: every non-void element closed in order, no
duplicate ids, and every label's for= and aria-describedby naming an element that exists.
"""
import html
import html.parser

import html5lib

VOID = {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source", "track", "wbr"}


class _Nesting(html.parser.HTMLParser):
    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.stack, self.problems, self.ids, self.refs = [], [], set(), []
        self.doctype = False

    def handle_decl(self, decl):
        if decl.lower() == "doctype html":
            self.doctype = True

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if "id" in a:
            if a["id"] in self.ids:
                self.problems.append(f"duplicate id {a['id']!r}")
            self.ids.add(a["id"])
        if tag == "label" and "for" in a:
            self.refs.append(("label for", a["for"]))
        for ref in (a.get("aria-describedby") or "").split():
            self.refs.append(("aria-describedby", ref))
        if tag not in VOID:
            self.stack.append((tag, self.getpos()))

    def handle_startendtag(self, tag, attrs):
        if tag not in VOID:
            self.problems.append(f"<{tag}/> is not a void element (line {self.getpos()[0]})")
        self.handle_starttag(tag, attrs)
        if tag not in VOID:
            self.stack.pop()

    def handle_endtag(self, tag):
        if tag in VOID:
            self.problems.append(f"</{tag}> closes a void element (line {self.getpos()[0]})")
            return
        if not self.stack or self.stack[-1][0] != tag:
            top = self.stack[-1] if self.stack else ("nothing", (0, 0))
            self.problems.append(f"</{tag}> at line {self.getpos()[0]} closes <{top[0]}> from line {top[1][0]}")
            return
        self.stack.pop()


def problems(text):
    """Every problem found; [] for a valid page."""
    found = []
    try:
        html5lib.HTMLParser(strict=True, namespaceHTMLElements=False).parse(text)
    except html5lib.html5parser.ParseError as e:
        found.append(f"html5lib: {e}")
    n = _Nesting()
    n.feed(text)
    n.close()
    if not n.doctype:
        found.append("no <!DOCTYPE html>")
    found += n.problems
    found += [f"<{tag}> from line {pos[0]} is not closed" for tag, pos in n.stack]
    found += [f"{kind}={ref!r} names no element" for kind, ref in n.refs if ref not in n.ids]
    return found


def assert_valid(text):
    bad = problems(text)
    assert not bad, "invalid HTML:\n" + "\n".join(bad) + "\n---\n" + text[:3000]


class _Forms(html.parser.HTMLParser):
    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.forms, self.current = [], None

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if tag == "form":
            self.current = {"action": a.get("action"), "method": a.get("method"), "fields": {}}
            self.forms.append(self.current)
        elif tag == "input" and self.current is not None and "name" in a:
            self.current["fields"][a["name"]] = a.get("value", "")

    def handle_endtag(self, tag):
        if tag == "form":
            self.current = None


def forms(text):
    """[{action, method, fields: {name: value}}] for every form in the page."""
    p = _Forms()
    p.feed(text)
    return p.forms


def form_fields(text, action_endswith=None):
    """The fields of the first form whose action ends with action_endswith (any form when None)."""
    for f in forms(text):
        if action_endswith is None or (f["action"] or "").split("?")[0].endswith(action_endswith):
            return f["fields"]
    raise AssertionError(f"no form posting to ...{action_endswith}")


class _Text(html.parser.HTMLParser):
    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.parts, self.skip = [], 0

    def handle_starttag(self, tag, attrs):
        if tag in ("style", "script", "title"):
            self.skip += 1

    def handle_endtag(self, tag):
        if tag in ("style", "script", "title"):
            self.skip -= 1

    def handle_data(self, data):
        if not self.skip:
            self.parts.append(data)


def visible_text(text):
    p = _Text()
    p.feed(text)
    return " ".join(" ".join(p.parts).split())


def unescape(text):
    return html.unescape(text)
