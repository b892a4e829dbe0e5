"""A program's exit-status table three ways, for the tests that keep them
equal: the C X-macro it is generated from, what --help prints, what the man
page's EXIT STATUS section says.  Each is {code: text}.

The C table rows look like `X(SYMBOL, CODE, "text" "more text")`; --help
prints "Exit status:" then one "  CODE  text" line per row; the man page has
one `.TP` / `.B CODE` entry per row whose first words are that text."""
import re

_ROW = re.compile(r'X\(\w+, (\d+), ((?:"[^"]*"\s*\\?\s*)+)\)')
_HELP_ROW = re.compile(r"^  (\d)  (.*)$", re.M)
_MAN_ROW = re.compile(r"^\.TP\n\.B (\d)\n(.*?)(?=^\.TP|^\.PP|^\.SH|\Z)", re.M | re.S)


def from_source(path, macro):
    """The rows of `#define MACRO(X)` in the C header at path."""
    with open(path) as f:
        src = f.read()
    start = src.index("#define %s(X)" % macro)
    end = src.index("\n\n", start)
    return {int(code): "".join(re.findall(r'"([^"]*)"', body)) for code, body in _ROW.findall(src[start:end])}


def from_help(text):
    """The rows after "Exit status:" in a --help text."""
    return {int(c): t for c, t in _HELP_ROW.findall(text.split("Exit status:", 1)[1])}


def from_man_page(path):
    """Each entry of the EXIT STATUS section, its text joined into one line
    (roff's \\- read as -)."""
    with open(path) as f:
        page = f.read()
    start = page.index(".SH EXIT STATUS")
    end = page.index(".SH", start + 1)
    return {int(c): " ".join(t.replace("\\-", "-").split()) for c, t in _MAN_ROW.findall(page[start:end])}


def check(source, helped, man):
    """The three agree: the same codes; --help says what the source says;
    each man page entry begins with it."""
    assert sorted(source) and sorted(helped) == sorted(source) == sorted(man), (source, helped, man)
    assert helped == source, (helped, source)
    for code, text in source.items():
        assert man[code].startswith(text), (code, man[code], text)
