"""Where the sources and the built artefacts are."""
import os

SRCDIR = os.path.abspath(os.environ.get("FORESATT_SRCDIR",
                                        os.path.join(os.path.dirname(__file__), "..", "..", "..")))
BUILDDIR = os.path.abspath(os.environ.get("FORESATT_BUILDDIR", SRCDIR))
HTTPD = os.environ.get("HTTPD") or "/usr/sbin/apache2"
HTTPD_MODULES_DIR = os.environ.get("HTTPD_MODULES_DIR") or "/usr/lib/apache2/modules"

# The synthetic register, roster and expected decisions (tests/fixtures/make-fixtures --today D --out DIR),
# and the folder of its modules (idnumbers: valid synthetic identity numbers).
FIXTURES_DIR = os.path.join(SRCDIR, "tests", "fixtures")
FIXTURES = os.path.join(FIXTURES_DIR, "make-fixtures")


SANITIZER_PRELOAD = os.environ.get("FORESATT_SANITIZER_PRELOAD", "")


def httpd_env():
    """The environment httpd runs with: the ASan runtime preloaded when the module is instrumented."""
    env = dict(os.environ)
    if SANITIZER_PRELOAD:
        env["LD_PRELOAD"] = SANITIZER_PRELOAD
    return env


def module():
    return os.path.join(BUILDDIR, "mod_foresatt", ".libs", "mod_foresatt.so")


def plugin(name):
    """A plugin built in this tree, e.g. plugin('store_sqlite')."""
    return os.path.join(BUILDDIR, "plugins", name, ".libs", name + ".so")


def test_plugin(name):
    """One of the deliberately broken plugins in tests/plugins/."""
    return os.path.join(BUILDDIR, "tests", "plugins", ".libs", name + ".so")


def tool():
    return os.path.join(BUILDDIR, "tools", "foresattctl", "foresattctl")
