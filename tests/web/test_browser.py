"""The report page in a real headless Chromium, against a real server with the demo cohort.

Debian's ``chromium`` driven by Playwright (never ``playwright install``: no browser is
downloaded). Without it the test skips and says why; ``.ci/run`` installs it.
"""

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

from tests.processes import ROOT, diary, diary_env, free_port, wait_until_answering

CHROMIUM = Path(os.environ.get("DIARY_CHROMIUM", "/usr/bin/chromium"))
PHONE = {"width": 390, "height": 844}

sync_api = pytest.importorskip("playwright.sync_api",
                               reason="playwright is not installed (pip install -e .[dev])")
if not CHROMIUM.exists():
    pytest.skip(f"no Chromium at {CHROMIUM} (apt-get install chromium)", allow_module_level=True)


@pytest.fixture
def demo_service(tmp_path):
    """The service as `make run` leaves it on a new database: the demo cohort seeded."""
    port = free_port()
    env = diary_env(tmp_path / "diary.sqlite3", SECRET_KEY="browser-test",
                    DIARY_SMS_SENDER="console", DIARY_LOG_LEVEL="WARNING")
    for command in (["db", "upgrade"], ["load-default-study"]):
        assert diary(*command, env=env).returncode == 0
    seeded = diary("demo", "--if-new", "--url", f"http://127.0.0.1:{port}", env=env)
    assert seeded.returncode == 0, seeded.stdout + seeded.stderr
    email = re.search(r"e-mail:\s+(\S+)", seeded.stdout).group(1)
    password = re.search(r"password:\s+(\S+)", seeded.stdout).group(1)
    log = (tmp_path / "server.log").open("wb")
    server = subprocess.Popen(
        [sys.executable, "-m", "gunicorn", "--bind", f"127.0.0.1:{port}", "--workers", "1",
         "wsgi:app"], env=env, cwd=ROOT, stdout=log, stderr=subprocess.STDOUT)
    try:
        wait_until_answering(f"http://127.0.0.1:{port}/healthz")
        yield f"http://127.0.0.1:{port}", email, password
    finally:
        server.terminate()
        server.wait(30)
        log.close()


@pytest.fixture
def phone_page():
    with sync_api.sync_playwright() as playwright:
        # --no-sandbox: CI runs as root, where Chromium's sandbox cannot start.
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), headless=True,
                                             args=["--no-sandbox"])
        try:
            context = browser.new_context(viewport=PHONE, device_scale_factor=2)
            page = context.new_page()
            problems: list[str] = []
            # What the Content-Security-Policy refused (a script, a style from elsewhere).
            page.on("console", lambda message: "Refused" in message.text
                    and problems.append(message.text))
            yield page, problems
        finally:
            browser.close()


def test_a_coordinator_signs_in_and_reads_the_demo_cohort_on_a_phone(
        demo_service, phone_page, tmp_path):
    base, email, password = demo_service
    page, problems = phone_page
    page.goto(f"{base}/reports")
    assert page.url.endswith("/login?next=/reports")
    page.fill("#email", email)
    page.fill("#password", "a wrong password, surely")
    page.click("button[type=submit]")
    assert "The e-mail address or password is wrong." in page.inner_text("main")
    page.fill("#email", email)
    page.fill("#password", password)
    page.click("button[type=submit]")
    page.wait_for_url(f"{base}/reports")

    first = page.locator("svg rect.cell title").first.text_content()
    assert re.fullmatch(r"DEMO-01 · day 1 · \d{4}-\d\d-\d\d · (taken|missed|unreported)", first)
    row = page.locator("table.figures tbody tr", has_text="DEMO-01").inner_text()
    assert re.match(r"DEMO-01\s+\d{2,3}\.\d %\s+\d+\s+\d+", row)
    figure = row.split()[1]
    assert page.locator("svg .bar title", has_text=f"DEMO-01: {figure} %").count() == 1
    fatigue = page.locator("table.ae tbody tr", has_text="Fatigue").inner_text()
    assert re.match(r"Fatigue\s+\d+ \(\d+\.\d %\)", fatigue)
    assert re.search(r"\d+ of \d+ \(\d+\.\d %\); exact 95 % interval",
                     page.inner_text("#primary-endpoint"))
    alerts = page.inner_text("#alerts")
    assert re.search(r"median (\d+\.\d min|n/a), 90th percentile (\d+\.\d min|n/a)", alerts)
    assert re.search(r"Symptom reports that raised an alert\s+\d+ of \d+ \(", alerts)
    # On a phone the 112 days scroll sideways instead of squeezing the page.
    scrolls = page.eval_on_selector("#heatmap .scroll", "el => el.scrollWidth > el.clientWidth")
    page_width = page.evaluate("document.documentElement.scrollWidth")
    assert scrolls and page_width <= PHONE["width"]
    page.screenshot(path=str(tmp_path / "reports.png"), full_page=True)
    assert (tmp_path / "reports.png").stat().st_size > 10_000
    # The shipped stylesheet loaded under the policy: a taken day is green.
    fill = page.eval_on_selector("rect.cell.taken", "el => getComputedStyle(el).fill")
    assert fill == "rgb(46, 125, 50)"
    assert problems == []
