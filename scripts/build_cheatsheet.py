"""Build the printable cheat sheet: workshop/cheatsheet.md -> workshop/cheatsheet.pdf.

    python scripts/build_cheatsheet.py

The Markdown becomes HTML (the ``markdown`` package, in requirements-dev.txt),
which headless Chromium prints to an A4 PDF. Chromium: ``apt-get install chromium``
on Debian and Ubuntu, or Google Chrome anywhere (pass ``--browser PATH``).
Exits 1 when the sheet no longer fits on one page: shorten the Markdown then.
"""

from __future__ import annotations

import argparse
import html
import re
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

import markdown

ROOT = Path(__file__).resolve().parent.parent
SOURCE = ROOT / "workshop" / "cheatsheet.md"
TARGET = ROOT / "workshop" / "cheatsheet.pdf"
BROWSERS = ["chromium", "chromium-browser", "google-chrome", "google-chrome-stable"]

STYLE = """
@page { size: A4; margin: 9mm 11mm; }
body { font-family: "DejaVu Sans", "Helvetica", "Arial", sans-serif; font-size: 7.9pt;
       line-height: 1.28; color: #111; margin: 0; }
h1 { font-size: 13pt; margin: 0 0 3pt; border-bottom: 1.5pt solid #333; }
h2 { font-size: 9.5pt; margin: 6pt 0 2pt; color: #1a4d80; }
p { margin: 2pt 0; }
pre { background: #f3f3f3; border-left: 2pt solid #1a4d80; padding: 3pt 5pt; margin: 2pt 0;
      font-size: 7.2pt; line-height: 1.22; white-space: pre-wrap; }
code { font-family: "DejaVu Sans Mono", "Menlo", "Consolas", monospace; font-size: 7.2pt; }
table { border-collapse: collapse; width: 100%; margin: 2pt 0; }
th, td { border: 0.5pt solid #bbb; padding: 1.2pt 4pt; text-align: left; vertical-align: top; }
th { background: #e8eef5; }
a { color: #1a4d80; text-decoration: none; }
"""


def to_html(text: str) -> str:
    """The cheat sheet's Markdown as a whole, printable HTML page."""
    body = markdown.markdown(text, extensions=["tables", "fenced_code"])
    title = html.escape(text.splitlines()[0].lstrip("# ").strip())
    return (
        f'<!doctype html><html lang="en"><head><meta charset="utf-8"><title>{title}</title>'
        f"<style>{STYLE}</style></head><body>{body}</body></html>"
    )


def pdf_pages(path: Path) -> int:
    """How many pages a PDF has (its page objects, as Chromium writes them)."""
    return len(re.findall(rb"/Type\s*/Page(?![a-zA-Z])", path.read_bytes()))


def find_browser(given: str | None) -> str:
    for name in [given] if given else BROWSERS:
        found = shutil.which(name)
        if found:
            return found
    sys.exit(
        "No Chromium found: install it (Debian, Ubuntu: apt-get install chromium) "
        "or pass --browser /path/to/chrome."
    )


def build(source: Path = SOURCE, target: Path = TARGET, browser: str | None = None) -> int:
    """Write the PDF of `source` to `target`; return its number of pages."""
    executable = find_browser(browser)
    with tempfile.TemporaryDirectory() as folder:
        page = Path(folder) / "cheatsheet.html"
        page.write_text(to_html(source.read_text(encoding="utf-8")), encoding="utf-8")
        run = subprocess.run(
            [
                executable, "--headless", "--no-sandbox", "--disable-gpu",
                f"--user-data-dir={folder}/profile", "--no-pdf-header-footer",
                f"--print-to-pdf={target}", page.as_uri(),
            ],
            capture_output=True, text=True, timeout=120,
        )  # fmt: skip
    if run.returncode != 0 or not target.is_file():
        sys.exit(f"Chromium could not print the PDF:\n{run.stderr}")
    return pdf_pages(target)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--browser", help="Chromium or Chrome to print with (default: found)")
    parser.add_argument("--out", type=Path, default=TARGET, help="the PDF to write")
    arguments = parser.parse_args(argv)
    pages = build(SOURCE, arguments.out, arguments.browser)
    print(f"{arguments.out}: {pages} page{'s' * (pages != 1)}")
    if pages != 1:
        print("The cheat sheet must fit on one page: shorten workshop/cheatsheet.md.")
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
