"""What `make run` starts, started the same way: the CLI builds and seeds a
SQLite database and gunicorn serves it; a demo producer logs in over real
HTTP. (The worker on the embedded broker has its own test in
test_celery_worker.py.)"""
import http.cookiejar
import os
import re
import subprocess
import sys
import urllib.parse
import urllib.request
from pathlib import Path

from tests.support.servers import ROOT, free_port, wait_for

BIN = Path(sys.executable).parent


def _env(instance_dir) -> dict:
    env = {k: v for k, v in os.environ.items()
           if k not in ("DATABASE_URL", "CELERY_BROKER_URL", "CELERY_RESULT_BACKEND", "REDIS_URL", "APP_ENV")}
    env.update(INSTANCE_PATH=str(instance_dir), FLASK_APP="wsgi")
    return env


def test_the_embedded_default_serves_pages_and_logs_in_a_demo_producer(instance_dir, tmp_path):
    env = _env(instance_dir)
    for command in (["init-db"], ["seed-demo"]):
        done = subprocess.run([str(BIN / "flask"), *command], cwd=ROOT, env=env, capture_output=True, text=True,
                              timeout=120)
        assert done.returncode == 0, done.stderr
    assert "nuocmam@cungcau.vn" in done.stdout and "cungcau-demo-2026" in done.stdout

    port = free_port()
    log = open(tmp_path / "gunicorn.log", "w")
    web = subprocess.Popen([str(BIN / "gunicorn"), "--bind", f"127.0.0.1:{port}", "--workers", "2", "wsgi:app"],
                           cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT)
    try:
        base = f"http://127.0.0.1:{port}"

        def home():
            try:
                return urllib.request.urlopen(base + "/", timeout=2).read().decode()
            except OSError:
                return None

        page = wait_for(home, timeout=60, message="gunicorn to serve the home page")
        assert '<html lang="vi">' in page

        jar = http.cookiejar.CookieJar()
        browser = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(jar))
        form = browser.open(base + "/auth/login").read().decode()
        token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', form).group(1)
        body = urllib.parse.urlencode({"csrf_token": token, "email": "nuocmam@cungcau.vn",
                                       "password": "cungcau-demo-2026"}).encode()
        after = browser.open(base + "/auth/login", data=body).read().decode()
        assert "HTX Nước mắm Phú Quốc Hưng Thành" in after
        assert "Nước mắm Phú Quốc 40 độ đạm" in browser.open(base + "/listings/mine").read().decode()
    finally:
        web.terminate()
        web.wait(timeout=20)
        log.close()
