"""Screenshot pages of a built site with headless Chromium (for looking at what readers see).

Usage: python tools/screenshot.py SITE_DIR PAGE [PAGE ...] --out DIR
PAGE is a path inside the site, e.g. book/generated/01_capex_surge.html.
"""

from __future__ import annotations

import argparse
import functools
import http.server
import threading
from pathlib import Path

from playwright.sync_api import sync_playwright

ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking",
        "--disable-component-update", "--no-first-run", "--disable-sync"]


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("site", type=Path)
    parser.add_argument("pages", nargs="+")
    parser.add_argument("--out", type=Path, default=Path("/tmp/aiboom-shots"))
    parser.add_argument("--width", type=int, default=1280)
    parser.add_argument("--scroll", type=int, default=None,
                        help="screenshot one viewport after scrolling this many pixels")
    parser.add_argument("--theme", choices=("light", "dark"), default="light")
    args = parser.parse_args()
    args.out.mkdir(parents=True, exist_ok=True)
    class Quiet(http.server.SimpleHTTPRequestHandler):
        def log_message(self, *a):
            pass

    handler = functools.partial(Quiet, directory=str(args.site))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    base = f"http://127.0.0.1:{server.server_address[1]}"
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path="/usr/bin/chromium", args=ARGS)
        page = browser.new_page(viewport={"width": args.width, "height": 900})
        page.add_init_script(f"localStorage.setItem('mode', '{args.theme}');"
                             f"localStorage.setItem('theme', '{args.theme}');")
        for rel in args.pages:
            errors: list[str] = []
            page.on("console", lambda m, e=errors: e.append(m.text) if m.type == "error" else None)
            page.goto(f"{base}/{rel}", wait_until="networkidle")
            page.wait_for_timeout(300)
            shot = args.out / (rel.replace("/", "_").removesuffix(".html")
                               + f"-{args.width}-{args.theme}.png")
            if args.scroll is None:
                page.screenshot(path=str(shot), full_page=True)
            else:
                page.evaluate(f"window.scrollTo(0, {args.scroll})")
                page.wait_for_timeout(200)
                page.screenshot(path=str(shot))
            print(f"{shot}  console errors: {errors or 'none'}")
        browser.close()
    server.shutdown()


if __name__ == "__main__":
    main()
