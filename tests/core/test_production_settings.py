"""Production mode (issue 13): the documented production environment (README "Production") passes
`manage.py check --deploy` with no warning and serves HTTPS only; a site reachable by others
refuses to start with the development key or with DEBUG. Each runs the settings in a fresh
process, as a server would load them."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

from django.conf import settings

PROJECT_DIR = Path(settings.PROJECT_DIR)

# The environment README "Production" documents (the secret is made up for the test).
PRODUCTION_ENV = {
    "SECRET_KEY": "t3st-only-9Kx2Qm7vLr8Zp4Wn6Hs1Jd5Fb0Yc3Ge8Ua7Tq2Xo4Ri6Mk9Vl1Sz5Nh0Cw",
    "DEBUG": "false",
    "ALLOWED_HOSTS": "service.example.com",
    "CSRF_TRUSTED_ORIGINS": "https://service.example.com",
    "SECURE_PROXY_SSL_HEADER": "X-Forwarded-Proto",
}
# What the machine or this test process might have set otherwise (the browser tests' conftest
# allows Django's sync calls from Playwright's event loop, which check --deploy rightly refuses).
SETTINGS_VARIABLES = (
    "DJANGO_ALLOW_ASYNC_UNSAFE",
    "AFTERSALES_ENV",
    "SECURE_COOKIES",
    "SECURE_SSL_REDIRECT",
    "SECURE_HSTS_SECONDS",
    "SECURE_HSTS_INCLUDE_SUBDOMAINS",
    "SECURE_HSTS_PRELOAD",
    "SECURE_REFERRER_POLICY",
    *PRODUCTION_ENV,
)


def run(args: list[str], environment: dict[str, str], tmp_path: Path) -> subprocess.CompletedProcess[str]:
    env = {key: value for key, value in os.environ.items() if key not in SETTINGS_VARIABLES}
    env.update(
        DJANGO_SETTINGS_MODULE="aftersales.config.settings",
        PYTHONPATH=str(PROJECT_DIR / "src"),  # this checkout's code, as pytest's pythonpath does
        AFTERSALES_VAR_DIR=str(tmp_path),
        **environment,
    )
    return subprocess.run(
        [sys.executable, *args], cwd=PROJECT_DIR, env=env, capture_output=True, text=True, timeout=120
    )


def test_check_deploy_passes_with_the_documented_production_environment(tmp_path):
    result = run(["manage.py", "check", "--deploy", "--fail-level", "WARNING"], PRODUCTION_ENV, tmp_path)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "System check identified no issues" in result.stdout
    assert "WARNING" not in result.stdout + result.stderr


def test_check_deploy_still_warns_when_https_is_turned_off(tmp_path):
    """The check above can fail: the same environment without the redirect to HTTPS is a finding."""
    environment = {**PRODUCTION_ENV, "SECURE_SSL_REDIRECT": "false"}
    result = run(["manage.py", "check", "--deploy", "--fail-level", "WARNING"], environment, tmp_path)
    assert result.returncode != 0 and "security.W008" in result.stderr


def test_production_refuses_to_start_with_the_development_key(tmp_path):
    environment = {key: value for key, value in PRODUCTION_ENV.items() if key != "SECRET_KEY"}
    result = run(["manage.py", "check"], environment, tmp_path)
    assert result.returncode != 0
    assert "ImproperlyConfigured" in result.stderr
    assert "set the SECRET_KEY environment variable" in result.stderr


def test_production_refuses_to_start_with_debug_on_a_public_host(tmp_path):
    result = run(["manage.py", "check"], {**PRODUCTION_ENV, "DEBUG": "true"}, tmp_path)
    assert result.returncode != 0
    assert "set the DEBUG environment variable to false" in result.stderr


def test_production_mode_can_be_asked_for_on_a_local_host_and_keeps_its_guard(tmp_path):
    result = run(["manage.py", "check"], {"AFTERSALES_ENV": "production"}, tmp_path)
    assert result.returncode != 0 and "SECRET_KEY" in result.stderr
    result = run(
        ["manage.py", "check"],
        {"AFTERSALES_ENV": "development", "ALLOWED_HOSTS": "service.example.com"},
        tmp_path,
    )
    assert result.returncode != 0 and "only production mode serves" in result.stderr


def test_development_defaults_start_without_any_setting(tmp_path):
    """The demo and the test suite: local hosts, the development key, plain HTTP."""
    result = run(["manage.py", "check"], {}, tmp_path)
    assert result.returncode == 0, result.stderr


SERVE_TWO_REQUESTS = """
import json
import django
django.setup()
from django.test import Client
client = Client(HTTP_HOST="service.example.com")
plain = client.get("/accounts/login/")
behind_tls = client.get("/accounts/login/", HTTP_X_FORWARDED_PROTO="https")
print(json.dumps({
    "plain": [plain.status_code, plain.get("Location")],
    "status": behind_tls.status_code,
    "hsts": behind_tls.get("Strict-Transport-Security"),
    "csp": behind_tls.get("Content-Security-Policy"),
    "csrf_cookie_secure": bool(behind_tls.cookies["csrftoken"]["secure"]),
}))
"""


def test_production_serves_https_only_behind_the_proxy(tmp_path):
    result = run(["-c", SERVE_TWO_REQUESTS], PRODUCTION_ENV, tmp_path)
    assert result.returncode == 0, result.stderr
    served = json.loads(result.stdout.strip().splitlines()[-1])
    assert served["plain"] == [301, "https://service.example.com/accounts/login/"]
    assert served["status"] == 200
    assert served["hsts"] == "max-age=31536000; includeSubDomains"  # no preload unless asked for
    assert "script-src 'self'" in served["csp"]
    assert served["csrf_cookie_secure"] is True
