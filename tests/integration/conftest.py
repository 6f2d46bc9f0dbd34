"""Shared fixtures: a real httpd per test module, error-log discipline after every test."""
import os
import sys

import pytest

sys.path.insert(0, os.path.dirname(__file__))

from fstest import paths  # noqa: E402
from fstest.httpd import Httpd  # noqa: E402


def pytest_report_header(config):
    return [f"mod_foresatt build: {paths.BUILDDIR}", f"httpd: {paths.HTTPD}"]


@pytest.fixture(scope="module")
def httpd_factory():
    """Make httpd instances that are stopped and removed at the end of the module."""
    made = []

    def make(**kw):
        h = Httpd(**kw)
        made.append(h)
        return h

    yield make
    for h in made:
        h.cleanup()


@pytest.fixture(autouse=True)
def error_log_discipline(request):
    """Fail a test when any httpd it used logged an unexpected warning or error."""
    servers = [v for v in request.node.funcargs.values() if isinstance(v, Httpd)]
    for h in servers:
        h.mark_log()
    yield
    for h in servers:
        bad = h.unexpected_log_lines()
        assert not bad, "unexpected lines in httpd's error log:\n" + "\n".join(bad)


@pytest.fixture(scope="module")
def op():
    """The ID-porten stand-in (fstest/oidc.py), one per test module; a module that needs other persons
    or settings defines its own op fixture."""
    from fstest.oidc import make_op
    op = make_op()
    yield op
    op.stop()


@pytest.fixture
def fresh_op(op):
    """Forget what op saw and reset its misbehaviour before a test; a module turns it on for all its
    tests with pytestmark = pytest.mark.usefixtures("fresh_op")."""
    op.reset()


@pytest.fixture(scope="module")
def oidc_provider():
    """npm oidc-provider configured like ID-porten (fstest/oidc_provider.py), one per test module:
    an independent OP beside the project's own stand-in."""
    from fstest.oidc_provider import OidcProvider
    op = OidcProvider().start()
    yield op
    op.cleanup()


@pytest.fixture(scope="session")
def postgres():
    """One throwaway PostgreSQL server for the whole run (fstest/postgres.py); tests use their own
    database or schema in it. Skipped only when the build has no PostgreSQL plugin (no libpq)."""
    from fstest.postgres import Postgres
    if not os.path.exists(paths.plugin("store_pgsql")):
        pytest.skip("built without libpq: no PostgreSQL plugin")
    pg = Postgres().start()
    yield pg
    pg.cleanup()
