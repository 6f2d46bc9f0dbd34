"""The foundation: httpd starts with the module, plugin lines fail configtest clearly, check-id."""
import os
import re
import subprocess

import pytest
import requests

from fstest import paths

def abi_version():
    """The ABI the host speaks, from the installed header."""
    text = open(os.path.join(paths.SRCDIR, "include", "foresatt", "plugin.h")).read()
    major = int(re.search(r"#define FORESATT_ABI_MAJOR (\d+)", text).group(1))
    minor = int(re.search(r"#define FORESATT_ABI_MINOR (\d+)", text).group(1))
    return major, minor


ABI_MAJOR, ABI_MINOR = abi_version()
EXAMPLE = os.path.join(paths.BUILDDIR, "plugins", "example", ".libs", "registry_example.so")


@pytest.fixture(scope="module")
def httpd(httpd_factory):
    h = httpd_factory(name="foundation")
    h.write_file("htdocs/hello.txt", "hello\n")
    h.start(f"ForesattPlugin people {EXAMPLE} person=20036914700,KARI,NORDMANN,1969-03-20\n"
            "ForesattRegistry people\n")
    return h


def test_module_loads_and_serves(httpd):
    r = requests.get(httpd.url("/hello.txt"), timeout=10)
    assert r.status_code == 200
    assert r.text == "hello\n"


def exported(shared_object):
    """The symbols a shared object defines in its dynamic symbol table (what dlopen can see), but
    AddressSanitizer's one-definition-rule indicators (__odr_asan.NAME, one per exported global)."""
    p = subprocess.run(["nm", "-D", "--defined-only", shared_object], capture_output=True, text=True, timeout=30)
    assert p.returncode == 0, p.stderr
    names = {line.split()[-1] for line in p.stdout.splitlines() if line.strip()}
    return {n for n in names if not n.startswith("__odr_asan")}


def test_the_module_exports_only_its_record():
    # APR loads modules RTLD_GLOBAL: anything else exported lands in httpd's namespace.
    assert exported(paths.module()) == {"foresatt_module"}


@pytest.mark.parametrize("plugin", ["example/registry_example", "registry_file/registry_file",
                                    "registry_freg/registry_freg", "store_sqlite/store_sqlite"])
def test_a_plugin_exports_only_its_entry(plugin):
    folder, name = plugin.split("/")
    so = os.path.join(paths.BUILDDIR, "plugins", folder, ".libs", name + ".so")
    assert exported(so) == {"foresatt_plugin_entry"}


def test_module_survives_graceful_restart(httpd):
    httpd.restart(graceful=True)
    assert requests.get(httpd.url("/hello.txt"), timeout=10).status_code == 200


def configtest(httpd, body):
    rc, out = httpd.configtest(body)
    return rc, out


BROKEN = [
    # (configuration, words the message must contain)
    ("ForesattPlugin p /nonexistent/registry.so",
     ["ForesattPlugin", "/nonexistent/registry.so", "No such file"]),
    ("ForesattPlugin p /etc/hostname",
     ["ForesattPlugin", "/etc/hostname", "not a shared object"]),
    (f"ForesattPlugin p {paths.test_plugin('broken_no_entry')}",
     ["ForesattPlugin", "broken_no_entry.so", "does not export foresatt_plugin_entry()"]),
    (f"ForesattPlugin p {paths.test_plugin('broken_no_descriptor')}",
     ["ForesattPlugin", "returned no descriptor"]),
    (f"ForesattPlugin p {paths.test_plugin('broken_abi_major')}",
     ["ForesattPlugin", "broken_abi_major.so", f"built for plugin ABI {ABI_MAJOR + 1}.{ABI_MINOR}",
      "rebuild the plugin"]),
    (f"ForesattPlugin p {paths.test_plugin('broken_abi_minor')}",
     ["ForesattPlugin", "broken_abi_minor.so", f"needs plugin ABI {ABI_MAJOR}.{ABI_MINOR + 1}",
      "newer than this host"]),
    (f"ForesattPlugin st {paths.test_plugin('broken_store_missing')}\nForesattStore st",
     ["ForesattPlugin", "broken_store_missing.so", "lacks the required operation(s) guardian_links, purge",
      "docs/plugin-authors.md"]),
    (f"ForesattPlugin st {paths.test_plugin('broken_store_short')}\nForesattStore st",
     ["ForesattPlugin", "broken_store_short.so", "lacks the required operation(s) guardian_links,",
      "contact_conflicts"]),
    (f"ForesattPlugin p {EXAMPLE}\nForesattStore p",
     ["ForesattStore", "plugin 'p'", "is a registry plugin", "needs a store plugin"]),
    (f"ForesattPlugin p {EXAMPLE}\nForesattPlugin p {EXAMPLE}",
     ["ForesattPlugin", "'p' is already used"]),
    (f"ForesattPlugin p {paths.test_plugin('broken_create_fails')}",
     ["ForesattPlugin p", "broken_create_fails.so", "key 'secret_file' is required"]),
    (f"ForesattPlugin p {EXAMPLE} colour=blue",
     ["ForesattPlugin p", "unknown key 'colour'"]),
    (f"ForesattPlugin p {EXAMPLE} person",
     ["ForesattPlugin", "'person' is not a key=value parameter"]),
    (f"ForesattPlugin p {EXAMPLE} person=\"20036914700,KARI",
     ["ForesattPlugin", "unterminated double quote"]),
    ("ForesattRegistry nobody",
     ["ForesattRegistry", "no plugin named 'nobody'", "declare it first with ForesattPlugin"]),
    ("ForesattPlugin onlyname",
     ["ForesattPlugin", "give a name and the path"]),
]


@pytest.mark.parametrize("body,words", BROKEN, ids=[w[-1][:40] for _, w in BROKEN])
def test_broken_plugin_line_fails_configtest(httpd, body, words):
    rc, out = configtest(httpd, body)
    assert rc != 0, out
    for w in words:
        assert w in out, f"{w!r} missing from:\n{out}"


def test_good_plugin_line_passes_configtest(httpd):
    rc, out = configtest(httpd, f"ForesattPlugin people {EXAMPLE} person=20036914700,KARI,NORDMANN,1969-03-20\n"
                                "ForesattRegistry people")
    assert rc == 0, out
    assert "Syntax OK" in out


def test_plugin_built_for_an_older_minor_is_accepted(httpd):
    assert ABI_MINOR >= 1, "needs a host with minor >= 1 to have an older minor"
    rc, out = configtest(httpd, f"ForesattPlugin old {paths.test_plugin('older_abi_plugin')}\nForesattRegistry old")
    assert rc == 0, out


def test_plugin_line_quoted_value_is_one_value(httpd):
    # A quoted value with spaces reaches the plugin as one value; the example plugin then
    # complains about the whole value, which proves it arrived in one piece.
    rc, out = configtest(httpd, f'ForesattPlugin p {EXAMPLE} person="20036914700,KARI ANNE,NORDMANN,1969-03-2"')
    assert rc != 0
    assert "person=20036914700,KARI ANNE,NORDMANN" in out


def ctl(*args):
    return subprocess.run([paths.tool(), *args], capture_output=True, text=True, timeout=30)


@pytest.mark.parametrize("number,kind", [
    ("20036914700", "fnr"),
    ("30108299939", "fnr (check digits under the 2032 rule)"),
    ("55102499947", "dnr (check digits under the 2032 rule)"),
    ("03851598730", "synthetic"),
])
def test_check_id_valid(number, kind):
    p = ctl("check-id", number)
    assert p.returncode == 0, p.stderr
    assert p.stdout.strip() == kind


@pytest.mark.parametrize("number,why", [
    ("20036914712", "check digits are wrong"),
    ("29020105729", "birth date it encodes does not exist"),
    ("2003691470", "not 11 digits"),
    ("2003691470x", "other than digits"),
])
def test_check_id_invalid(number, why):
    p = ctl("check-id", number)
    assert p.returncode == 1
    assert why in p.stdout


def test_ctl_usage_errors():
    assert ctl().returncode == 2
    assert ctl("no-such-command").returncode == 2
    assert ctl("check-id").returncode == 2
    p = ctl("check-id", "--help")
    assert p.returncode == 0 and "usage: foresattctl check-id" in p.stdout
    p = ctl("--help")
    assert p.returncode == 0 and "check-id" in p.stdout


def test_ctl_reads_plugins_from_apache_config(tmp_path, monkeypatch):
    # The tool reads the same file httpd does: Include, continuation lines, ${ENV}, quotes,
    # other directives and sections skipped.
    inc = tmp_path / "conf.d"
    inc.mkdir()
    (inc / "people.conf").write_text(
        "# a comment\n"
        "<IfModule foresatt_module>\n"
        f"ForesattPlugin people ${{FS_TEST_PLUGIN}} \\\n"
        "    person=\"20036914700,KARI,NORDMANN,1969-03-20\"\n"
        "ForesattRegistry people\n"
        "</IfModule>\n")
    main = tmp_path / "apache.conf"
    main.write_text(f"ServerRoot {tmp_path}\nLoadModule foo_module modules/mod_foo.so\nIncludeOptional conf.d/*.conf\n"
                    "IncludeOptional nothing-here/*.conf\n")
    monkeypatch.setenv("FS_TEST_PLUGIN", EXAMPLE)
    p = ctl("--config", str(main), "plugins")
    assert p.returncode == 0, p.stderr
    fields = p.stdout.strip().split("\t")
    assert fields[:3] == ["people", "registry", "registry_example 1.0"]
    assert fields[3] == "ForesattRegistry"


@pytest.mark.parametrize("conf,exit_code,words", [
    ("ForesattPlugin p /nonexistent.so\n", 3, ["apache.conf:1", "No such file"]),
    (f"ForesattPlugin p {EXAMPLE} colour=blue\n", 3, ["unknown key 'colour'"]),
    (f"ForesattPlugin p {EXAMPLE}\nForesattStore p\n", 3, ["ForesattStore", "is a registry plugin"]),
    ("Include missing.conf\n", 3, ["Include missing.conf: no such file"]),
])
def test_ctl_config_errors(tmp_path, conf, exit_code, words):
    main = tmp_path / "apache.conf"
    main.write_text(conf)
    p = ctl("--config", str(main), "plugins")
    assert p.returncode == exit_code, p.stderr
    for w in words:
        assert w in p.stderr


def test_ctl_config_missing_file():
    p = ctl("--config", "/nonexistent/foresatt.conf", "plugins")
    assert p.returncode == 3
    assert "cannot read /nonexistent/foresatt.conf" in p.stderr
