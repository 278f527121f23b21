"""`--report FILE` of `paycrypt speed` and `paycrypt load`, end to end: each command's run (its `--json`
output) and the picture written beside it must agree, in the file and in the page Chromium renders
headless (Debian's `chromium`): one series per workload with a point per message size; the load run's
throughput and error series with a point per second of its timeline, its latency curve with a point
per percentile; the `.svg` form parses as XML with the same series. Without Chromium the rendered checks
are skipped, unless PAYCRYPT_REQUIRE_CHROMIUM=1 (CI), which makes them fail.
"""
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import xml.etree.ElementTree as ET

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from serverlib import BIN, SEED, Server, Tally  # noqa: E402

t = Tally("reports")


def series_points(doc, name):
    """Points of each group whose data-series is `name` (HTML-escaped as the report writes it)."""
    needle = 'data-series="%s"' % name.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace('"', "&quot;")
    counts = []
    for m in re.finditer(re.escape(needle), doc):
        end = doc.find("</g>", m.start())
        counts.append(doc[m.start():end].count('class="point"'))
    return counts


def chromium_dom(path, scratch):
    binary = shutil.which("chromium") or shutil.which("chromium-browser")
    if binary is None:
        if os.environ.get("PAYCRYPT_REQUIRE_CHROMIUM") == "1":
            t.check(False, "PAYCRYPT_REQUIRE_CHROMIUM=1 but no chromium on PATH")
        else:
            print("SKIPPED: no chromium on PATH: the rendered checks did not run")
        return None
    out = subprocess.run([binary, "--headless=new", "--no-sandbox", "--disable-gpu", "--no-first-run",
                          f"--user-data-dir={scratch}/profile", "--dump-dom", f"file://{path}"],
                         capture_output=True, text=True, timeout=120)
    t.check(out.returncode == 0, f"chromium on {path}: exit {out.returncode}")
    return out.stdout


def check_speed(scratch):
    html = os.path.join(scratch, "speed.html")
    svg = os.path.join(scratch, "speed.svg")
    cmd = [BIN, "speed", "aes-128-cbc", "tdes-3key-ecb", "--seconds", "0.05", "--bytes", "16,256,4096", "--json"]
    out = subprocess.run(cmd + ["--report", html], capture_output=True, text=True, timeout=120)
    if not t.check(out.returncode == 0, f"paycrypt speed --report: {out.stderr}"):
        return
    run = json.loads(out.stdout)
    sizes = {}
    for r in run["Results"]:
        sizes.setdefault(r["Workload"], 0)
        sizes[r["Workload"]] += 1
    t.check(len(sizes) >= 4, f"speed ran {sorted(sizes)}")
    text = open(html).read()
    for name, n in sizes.items():
        t.check(series_points(text, name) == [n], f"speed.html: {name} has {n} points")
    dom = chromium_dom(html, scratch)
    if dom is not None:
        for name, n in sizes.items():
            t.check(series_points(dom, name) == [n], f"rendered speed report: {name} has {n} points")
        t.check("MB/s" in dom, "rendered speed report has its axis label")
    out = subprocess.run(cmd + ["--report", svg], capture_output=True, text=True, timeout=120)
    t.check(out.returncode == 0, f"paycrypt speed --report x.svg: {out.stderr}")
    root = ET.parse(svg).getroot()
    t.check(root.tag == "{http://www.w3.org/2000/svg}svg", "speed.svg is an SVG document")
    found = {g.get("data-series") for g in root.iter() if g.get("data-series")}
    t.check(set(sizes) <= found, f"speed.svg has every workload's series ({sorted(found)})")


def check_load(scratch):
    html = os.path.join(scratch, "load.html")
    srv = Server("--seed", SEED)
    try:
        out = subprocess.run([BIN, "load", "--endpoint-url", srv.url, "--operation", "encrypt-data", "--key-identifier",
                              "alias/zone", "--duration", "3", "--warmup", "0.5", "--connections", "4", "--json",
                              "--report", html],
                             capture_output=True, text=True, timeout=120,
                             env=dict(os.environ, AWS_ACCESS_KEY_ID="test", AWS_SECRET_ACCESS_KEY="test"))
    finally:
        srv.stop()
    if not t.check(out.returncode == 0, f"paycrypt load --report: {out.stderr}"):
        return
    run = json.loads(out.stdout)
    seconds, percentiles = len(run["Timeline"]), len(run["Percentiles"])
    t.check(seconds >= 3 and percentiles >= 5, f"load run: {seconds} intervals, {percentiles} percentiles")
    text = open(html).read()
    for doc, where in ((text, "load.html"), (chromium_dom(html, scratch), "rendered load report")):
        if doc is None:
            continue
        t.check(series_points(doc, "throughput") == [seconds], f"{where}: throughput has {seconds} points")
        t.check(series_points(doc, "errors") == [seconds], f"{where}: errors has {seconds} points")
        curve = series_points(doc, "latency")
        t.check(len(curve) == 1 and 1 <= curve[0] <= percentiles, f"{where}: the latency curve {curve} of {percentiles}")
        t.check(str(run["Requests"]) in doc, f"{where} shows the request count")


def main():
    scratch = tempfile.mkdtemp(prefix="paycrypt-reports-")
    try:
        check_speed(scratch)
        check_load(scratch)
    finally:
        shutil.rmtree(scratch, ignore_errors=True)
    t.finish()


if __name__ == "__main__":
    main()
