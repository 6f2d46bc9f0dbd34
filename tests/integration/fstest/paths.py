"""Where the sources and the built artefacts are."""
import os

SRCDIR = os.path.abspath(os.environ.get("FORESATT_SRCDIR",
                                        os.path.join(os.path.dirname(__file__), "..", "..", "..")))
BUILDDIR = os.path.abspath(os.environ.get("FORESATT_BUILDDIR", SRCDIR))
HTTPD = os.environ.get("HTTPD") or "/usr/sbin/apache2"
HTTPD_MODULES_DIR = os.environ.get("HTTPD_MODULES_DIR") or "/usr/lib/apache2/modules"


def _find_shared():
    """shared/ sits beside the checkout; a worktree (wt/NAME) or a copy inside it (CI's _build_asan)
    is one level further down."""
    if os.environ.get("FORESATT_SHARED"):
        return os.path.abspath(os.environ["FORESATT_SHARED"])
    for up in (("..",), ("..", "..")):
        candidate = os.path.abspath(os.path.join(SRCDIR, *up, "shared"))
        if os.path.isdir(os.path.join(candidate, "fixtures")):
            return candidate
    return os.path.abspath(os.path.join(SRCDIR, "..", "shared"))


SHARED = _find_shared()
FIXTURES = os.path.join(SHARED, "fixtures", "make-freg-fixtures")


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
