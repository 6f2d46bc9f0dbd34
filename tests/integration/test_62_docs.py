"""The guides stay true to the code: every directive the module has (its command table, as httpd
itself lists it with -L) is in docs/sysadmin.md with the default the module states, no document
names a directive that does not exist, every log message at warn or worse has its number in the
guide, the plugin guide names every operation of plugin.h, and every relative link resolves."""
import glob
import os
import re
import shutil
import subprocess

import pytest

from fstest import paths
from fstest.net import free_port

DOCS = os.path.join(paths.SRCDIR, "docs")
SYSADMIN = os.path.join(DOCS, "sysadmin.md")


def read(path):
    with open(path, encoding="utf-8") as f:
        return f.read()


@pytest.fixture(scope="module")
def directives(tmp_path_factory):
    """{name: help text} of every directive mod_foresatt registers, from `apache2 -L`."""
    d = tmp_path_factory.mktemp("dash-L")
    conf = d / "httpd.conf"
    conf.write_text(f'ServerRoot "{d}"\nServerName localhost\nListen 127.0.0.1:{free_port()}\n'
                    f'ErrorLog "{d}/error_log"\nPidFile "{d}/httpd.pid"\n'
                    f"LoadModule mpm_event_module {paths.HTTPD_MODULES_DIR}/mod_mpm_event.so\n"
                    f"LoadModule authz_core_module {paths.HTTPD_MODULES_DIR}/mod_authz_core.so\n"
                    f"LoadModule foresatt_module {paths.module()}\n")
    p = subprocess.run([paths.HTTPD, "-f", str(conf), "-L"], capture_output=True, text=True, timeout=60,
                       env=paths.httpd_env())
    assert p.returncode == 0, p.stdout + p.stderr
    found = dict(re.findall(r"^(\w+) \(mod_foresatt\.c\)\n\t(.*)$", p.stdout, re.M))
    assert len(found) >= 40, p.stdout  # the table is there, and this parse found it
    return found


def sysadmin_rows():
    """{directive: [cells]} of the guide's directive tables (rows starting with | `Foresatt...)."""
    rows = {}
    for line in read(SYSADMIN).splitlines():
        m = re.match(r"^\| `(Foresatt\w+)", line)
        if m:
            rows[m.group(1)] = [c.strip() for c in re.split(r"(?<!\\)\|", line)[1:-1]]
    return rows


def stated_default(help_text):
    """The default the command table's help text states, when it is one word."""
    m = (re.search(r"\(default:? ([^;,()]+?)(?:;|,|\))", help_text)
         or re.search(r"(\S+) \(default\)", help_text))
    if not m:
        return None
    value = m.group(1).strip()
    return value if " " not in value else None


def test_every_directive_is_documented_with_its_default(directives):
    rows = sysadmin_rows()
    missing = sorted(set(directives) - set(rows))
    assert not missing, f"directives missing from docs/sysadmin.md's tables: {missing}"
    wrong = []
    for name, help_text in directives.items():
        default = stated_default(help_text)
        if default is not None and default.lower() not in rows[name][1].replace("`", "").lower():
            wrong.append(f"{name}: the module says default {default!r}, the guide says {rows[name][1]!r}")
    assert not wrong, "\n".join(wrong)
    assert all(rows[name][2] for name in directives), "every directive has an example"


def test_no_document_names_a_directive_that_does_not_exist(directives):
    sources = (glob.glob(os.path.join(DOCS, "*.md")) + [os.path.join(paths.SRCDIR, "README.md")]
               + glob.glob(os.path.join(paths.SRCDIR, "conf", "*.conf"))
               + [os.path.join(paths.SRCDIR, "examples", "demo", "httpd.conf.in")])
    unknown = set()
    for path in sources:
        for name in re.findall(r"\b(Foresatt[A-Z][A-Za-z]+)\b", read(path)):
            if name not in directives:
                unknown.add(f"{os.path.relpath(path, paths.SRCDIR)}: {name}")
    assert not unknown, "names that are no directive: " + ", ".join(sorted(unknown))


def log_messages():
    """{number: level} of every numbered log line in the module."""
    found = {}
    for path in glob.glob(os.path.join(paths.SRCDIR, "mod_foresatt", "**", "*.c"), recursive=True):
        for level, number in re.findall(r"ap_log_r?error\(APLOG_MARK,\s*APLOG_(\w+)[^;]*?FSLOGNO\((\d{4})\)",
                                        read(path), re.S):
            found[number] = level
    return found


def test_every_warning_and_error_in_the_log_is_explained():
    messages = log_messages()
    assert len(messages) >= 40
    guide = read(SYSADMIN)
    serious = {"WARNING", "ERR", "CRIT", "ALERT", "EMERG"}
    missing = sorted(n for n, level in messages.items() if level in serious and f"FS{n}" not in guide)
    assert not missing, f"log messages at warn or worse without a line in docs/sysadmin.md: FS{missing}"


def test_no_document_names_a_log_number_the_code_does_not_have():
    code = " ".join(read(p) for p in glob.glob(os.path.join(paths.SRCDIR, "mod_foresatt", "**", "*.c"),
                                                recursive=True))
    have = set(re.findall(r"FSLOGNO\((\d{4})\)", code))
    for path in glob.glob(os.path.join(DOCS, "*.md")):
        stale = sorted(set(re.findall(r"\bFS(\d{4})\b", read(path))) - have)
        assert not stale, f"{os.path.basename(path)} names FS{stale}, which no log line has"


def test_the_plugin_guide_names_every_operation_and_descriptor_field():
    header = read(os.path.join(paths.SRCDIR, "include", "foresatt", "plugin.h"))
    guide = read(os.path.join(DOCS, "plugin-authors.md"))
    names = set()
    for struct in ("foresatt_registry_ops", "foresatt_store_ops", "foresatt_plugin", "foresatt_host"):
        body = re.search(rf"typedef struct {struct} \{{(.*?)\}} {struct}_t;", header, re.S).group(1)
        names |= set(re.findall(r"\(\*(\w+)\)\(", body))
        names |= set(re.findall(r"^\s+(?:const )?[\w ]+?\**(\w+);", body, re.M))
    missing = sorted(n for n in names if f"`{n}" not in guide and f".{n}" not in guide)
    assert not missing, f"docs/plugin-authors.md does not mention: {missing}"


def test_every_relative_link_resolves():
    sources = glob.glob(os.path.join(DOCS, "*.md")) + [os.path.join(paths.SRCDIR, "README.md")]
    broken = []
    for path in sources:
        for target in re.findall(r"\]\(([^)#:]+)(?:#[^)]*)?\)", read(path)):
            if not os.path.exists(os.path.join(os.path.dirname(path), target)):
                broken.append(f"{os.path.relpath(path, paths.SRCDIR)} -> {target}")
    assert not broken, broken


def test_the_readme_opens_with_the_two_commands_and_links_every_guide():
    readme = read(os.path.join(paths.SRCDIR, "README.md"))
    first_block = re.search(r"```sh\n(.*?)```", readme, re.S).group(1)
    assert [line.split()[0] for line in first_block.strip().splitlines()] == ["./demo", "./run-tests"]
    assert readme.index("./demo") < readme.index("## ")
    for guide in glob.glob(os.path.join(DOCS, "*.md")):
        assert f"docs/{os.path.basename(guide)}" in readme, f"README does not link {guide}"


def test_every_guide_is_shipped_and_installed():
    shipped = set(re.findall(r"docs/([\w.-]+\.md)", read(os.path.join(DOCS, "local.mk"))))
    present = {os.path.basename(p) for p in glob.glob(os.path.join(DOCS, "*.md"))}
    assert present <= shipped, f"add to docs/local.mk (dist_doc_DATA): {sorted(present - shipped)}"


# HACKING.md draws the glue's folders and which way they depend; scripts/check-layers holds the
# code to that drawing (includes, and the calls the built objects make).
CHECK_LAYERS = os.path.join(paths.SRCDIR, "scripts", "check-layers")


def check_layers(srcdir, builddir):
    return subprocess.run(["sh", CHECK_LAYERS, srcdir, builddir], capture_output=True, text=True, timeout=120)


def test_the_glue_depends_only_downward():
    p = check_layers(paths.SRCDIR, paths.BUILDDIR)
    assert p.returncode == 0, p.stdout + p.stderr
    assert "calls into other folders" in p.stdout, "the built objects were not read"
    hacking = read(os.path.join(paths.SRCDIR, "HACKING.md"))
    for folder in ("core", "http", "session", "login", "authz", "pages"):
        assert f"`{folder}/`" in hacking, f"HACKING.md does not draw mod_foresatt/{folder}/"


@pytest.mark.parametrize("where, include", [("core/log.c", "pages/pages.h"), ("session/cookies.c", "login/login.h"),
                                            ("login/authn.c", "authz/authz.h")])
def test_check_layers_refuses_an_include_up_or_sideways(tmp_path, where, include):
    shutil.copytree(os.path.join(paths.SRCDIR, "mod_foresatt"), tmp_path / "mod_foresatt",
                    ignore=shutil.ignore_patterns(".libs", ".deps", "*.lo", "*.o", "*.la"))
    path = tmp_path / "mod_foresatt" / where
    path.write_text(f'#include "{include}"\n' + path.read_text(encoding="utf-8"), encoding="utf-8")
    p = check_layers(str(tmp_path), str(tmp_path))
    assert p.returncode == 1, p.stdout
    assert f"not downward: mod_foresatt/{where}:1:" in p.stdout
