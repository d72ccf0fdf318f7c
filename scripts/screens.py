"""`make screens`: a screenshot of every page of the demo, for a reviewer to look at without
clicking through (issue 16).

Makes a data directory of its own, loads `cairn demo` into it, starts `cairn serve` on a free
local port, and drives Debian's Chromium (Playwright) through the pages each demo person
reaches by following links from their home page: the victim (and the pages only a form leads
to: the pack's check page, a phone check's result), the investigator (after the two-factor
code, from the demo's published key), the supervisor and the analyst. Each page is saved at
375 px and 1280 px wide, whole, as `screens/<person>/<nn>-<page>-<width>.png` (git ignores the
folder). Nothing leaves the machine: the browser may reach only the local server.

    .venv/bin/python scripts/screens.py [--out screens] [--per-page 1]
"""

from __future__ import annotations

import argparse
import os
import re
import shutil
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from collections import Counter, deque
from pathlib import Path
from urllib.parse import urljoin, urlsplit

ROOT = Path(__file__).resolve().parents[1]
CAIRN = Path(sys.executable).with_name("cairn")
CHROMIUM = "/usr/bin/chromium"
WIDTHS = {"375": {"width": 375, "height": 812}, "1280": {"width": 1280, "height": 900}}
NOT_PAGES = {
    "vault:exhibit-download",
    "vault:exhibit-image",
    "integrity:checkpoint",
    "packs:statement_download",
    "orders:spo-download",
    "breaches:breach-pack",
    "dashboard:csv",
    "orders:calendar",
    "importers:job-status",
    "accounts:sign-out",
    "web:leave",
    "accounts:passkey-options",
    "accounts:two-factor-passkey-options",
    "accounts:close",
    "accounts:close-check",
}
PER_VIEW = {"analysis:topic": 12}
PEOPLE = (
    ("victim", "demo"),
    ("investigator", "demo.investigator"),
    ("supervisor", "demo.supervisor"),
    ("analyst", "demo.analyst"),
)


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def _totp(key: bytes) -> str:
    """The 6-digit code an authenticator app shows now (RFC 6238, through django-otp)."""
    from django_otp.oath import TOTP

    return f"{TOTP(key).token():06d}"


def _wait_for(url: str, server: subprocess.Popen[bytes], seconds: float = 120) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if server.poll() is not None:
            raise SystemExit(f"screens: cairn serve stopped (exit {server.returncode})")
        try:
            with urllib.request.urlopen(url, timeout=2):  # noqa: S310 - our own local server
                return
        except OSError:
            time.sleep(0.5)
    raise SystemExit(f"screens: {url} did not answer within {seconds:.0f} s")


def _sign_in(page, base: str, username: str, password: str) -> None:  # type: ignore[no-untyped-def]
    from cairn.demo.police import totp_key

    page.goto(f"{base}/account/sign-in/")
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password", exact=True).fill(password)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url(lambda url: "/sign-in/" not in url)
    if "/two-factor/" in page.url:
        page.get_by_label("Code from your authenticator app").fill(_totp(totp_key(username)))
        page.get_by_role("button", name="Continue").click()
        page.wait_for_url(lambda url: "/two-factor/" not in url)


def _shoot(page, out: Path, number: int, name: str) -> None:  # type: ignore[no-untyped-def]
    for label, size in WIDTHS.items():
        page.set_viewport_size(size)
        page.wait_for_timeout(100)  # let the layout settle after the resize
        page.screenshot(path=str(out / f"{number:02d}-{name}-{label}.png"), full_page=True)


def _crawl(page, base: str, start: str, out: Path, per_page: int) -> int:  # type: ignore[no-untyped-def]
    from django.urls import Resolver404, resolve

    queue, seen, per_view = deque([start]), set(), Counter()
    number = 0
    while queue:
        url = queue.popleft()
        path = urlsplit(url).path
        if url in seen or not path.startswith("/") or path.startswith("/static/"):
            continue
        seen.add(url)
        try:
            name = resolve(path).view_name
        except Resolver404:
            continue
        if name in NOT_PAGES or per_view[name] >= PER_VIEW.get(name, per_page):
            continue
        response = page.goto(base + url)
        if (
            response is None
            or response.status != 200
            or "text/html" not in (response.headers.get("content-type", ""))
        ):
            continue
        per_view[name] += 1
        number += 1
        slug = name.replace(":", "-") + ("" if per_view[name] == 1 else f"-{per_view[name]}")
        _shoot(page, out, number, slug)
        hrefs = page.eval_on_selector_all("a[href]", "els => els.map(e => e.getAttribute('href'))")
        for href in hrefs:
            if href and (href.startswith("/") or href.startswith("?")):
                queue.append(
                    urlsplit(urljoin(base + url, href))._replace(scheme="", netloc="").geturl()
                )
    return number


def _victim_forms(page, base: str, out: Path, number: int) -> int:  # type: ignore[no-untyped-def]
    """The pages only a form leads to: the pack's check page, a phone check's result."""
    page.goto(f"{base}/")
    vault = re.search(r"/vaults/([0-9a-f-]+)/", page.content())
    if vault is None:
        return number
    page.goto(f"{base}/pack/{vault.group(1)}/")
    page.get_by_role("button", name="Continue").click()
    page.wait_for_load_state("load")
    number += 1
    _shoot(page, out, number, "packs-check")
    page.goto(f"{base}/check/{vault.group(1)}/")
    page.get_by_label("Or type or paste the names of the apps").fill("com.apspy.app")
    page.get_by_role("button", name="Check the apps").click()
    page.wait_for_load_state("load")
    number += 1
    _shoot(page, out, number, "checks-apps-result")
    return number


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", default=str(ROOT / "screens"))
    parser.add_argument(
        "--per-page", type=int, default=1, help="screenshots of each kind of page (default 1)"
    )
    args = parser.parse_args()
    out = Path(args.out)
    data = Path(tempfile.mkdtemp(prefix="cairn-screens-"))
    env = {**os.environ, "CAIRN_DATA_DIR": str(data), "CAIRN_EXIT_URL": "https://exit.invalid/"}
    env.pop("DATABASE_URL", None)
    os.environ.update(CAIRN_DATA_DIR=str(data), DJANGO_SETTINGS_MODULE="cairn.settings")
    os.environ.pop("DATABASE_URL", None)
    server = None
    try:
        subprocess.run(
            [
                sys.executable,
                "-m",
                "django",
                "collectstatic",
                "--noinput",
                "--verbosity",
                "0",
                "--settings=cairn.settings",
            ],
            env=env,
            check=True,
        )
        subprocess.run([str(CAIRN), "demo"], env=env, check=True, stdout=subprocess.DEVNULL)
        port = _free_port()
        base = f"http://127.0.0.1:{port}"
        server = subprocess.Popen(
            [str(CAIRN), "serve", "--host", "127.0.0.1", "--port", str(port)],
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        _wait_for(f"{base}/healthz", server)
        import django

        django.setup()
        from playwright.sync_api import sync_playwright

        from cairn.demo import DEMO_PASSWORD
        from cairn.demo.police import DEMO_POLICE_PASSWORD

        if out.exists():
            shutil.rmtree(out)
        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(
                executable_path=CHROMIUM,
                headless=True,
                args=[
                    "--no-sandbox",
                    "--disable-gpu",
                    "--disable-background-networking",
                    "--disable-component-update",
                    "--disable-sync",
                    "--no-first-run",
                ],
            )
            for person, username in PEOPLE:
                folder = out / person
                folder.mkdir(parents=True, exist_ok=True)
                context = browser.new_context(viewport=WIDTHS["1280"])
                page = context.new_page()
                page.route(
                    re.compile(r"^(?!" + re.escape(base) + r").*"), lambda route: route.abort()
                )
                _sign_in(
                    page,
                    base,
                    username,
                    DEMO_PASSWORD if person == "victim" else DEMO_POLICE_PASSWORD,
                )
                start = urlsplit(page.url).path or "/"
                count = _crawl(page, base, start, folder, args.per_page)
                if person == "victim":
                    count = _victim_forms(page, base, folder, count)
                print(f"{person}: {count} pages, {count * len(WIDTHS)} screenshots in {folder}")
                context.close()
            browser.close()
    finally:
        if server is not None:
            server.terminate()
            server.wait(timeout=30)
        shutil.rmtree(data, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
