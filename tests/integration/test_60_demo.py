"""The demo, started the way README.md says (./demo, with --port), checked end to end by a real
browser (headless chromium): a guardian logs in through the ID-porten stand-in's person chooser,
sees the right pupils, is refused the wrong ones and logs out; the refused persons see why; a
pupil of 18 gives consent and the guardian sees him again. Then Ctrl-C, and nothing of the demo is
left. The expectations come from the scenarios.json that the demo itself generated for today."""
import json
import os
import queue
import re
import signal
import socket
import subprocess
import threading
import time

import pytest

from fstest import paths
from fstest.browser import Chromium
from fstest.net import free_port

STARTUP_TIMEOUT = 300  # a first run builds


class DemoProcess:
    """./demo in the background, its output collected line by line."""

    def __init__(self, *args):
        self.port = free_port()
        self.lines = []
        self.queue = queue.Queue()
        self.proc = subprocess.Popen([os.path.join(paths.SRCDIR, "demo"), "--port", str(self.port), *args],
                                     stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                                     text=True, env=dict(os.environ, FORESATT_BUILDDIR=paths.BUILDDIR))
        threading.Thread(target=self._read, daemon=True).start()
        self.root = None

    def _read(self):
        for line in self.proc.stdout:
            self.lines.append(line.rstrip("\n"))
            self.queue.put(line)
        self.queue.put(None)

    def output(self):
        return "\n".join(self.lines)

    def wait_for(self, pattern, timeout=STARTUP_TIMEOUT):
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            try:
                line = self.queue.get(timeout=max(0.1, deadline - time.monotonic()))
            except queue.Empty:
                break
            if line is None:
                break
            m = re.search(pattern, line)
            if m:
                return m
        pytest.fail(f"./demo never printed {pattern!r}; it printed:\n{self.output()}")

    def wait_exit(self, timeout=30):
        try:
            return self.proc.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            self.kill()
            pytest.fail(f"./demo did not stop within {timeout} s:\n{self.output()}")

    def kill(self):
        if self.proc.poll() is None:
            self.proc.kill()
            self.proc.wait()

    @property
    def url(self):
        return f"http://127.0.0.1:{self.port}"


def leftovers(root):
    """Processes whose command line names the demo's working directory."""
    found = []
    for pid in os.listdir("/proc"):
        if not pid.isdigit():
            continue
        try:
            with open(f"/proc/{pid}/cmdline", "rb") as f:
                cmd = f.read().replace(b"\0", b" ").decode(errors="replace")
        except OSError:
            continue
        if root in cmd:
            found.append(f"{pid}: {cmd}")
    return found


def port_open(port):
    try:
        with socket.create_connection(("127.0.0.1", port), timeout=0.5):
            return True
    except OSError:
        return False


@pytest.fixture(scope="module")
def demo():
    d = DemoProcess()
    d.root = d.wait_for(r"working directory (\S+)").group(1)
    d.wait_for(r"^Ready\.")
    with open(os.path.join(d.root, "world", "scenarios.json")) as f:
        d.scenarios = json.load(f)["scenarios"]
    yield d
    d.kill()


@pytest.fixture(scope="module")
def browser(demo):
    b = Chromium()
    yield b
    b.quit()


def who(demo, name):
    return next(s for s in demo.scenarios if s["who"] == name)


def login(b, demo, pid, path="/"):
    """From a protected page through the stand-in's person chooser and back."""
    b.delete_cookies()
    b.get(demo.url + path)
    b.wait_url(lambda u: "/authorize?" in u, "the ID-porten stand-in's person chooser")
    b.click(f'input[name="pid"][value="{pid}"]')
    b.click('button[value="login"]')
    b.wait_url(lambda u: u.startswith(demo.url + path), "back at the portal after login")


def test_the_banner_names_the_persons_to_try(demo):
    out = demo.output()
    assert f"open http://127.0.0.1:{demo.port}/" in out
    for name in ("KARI HANSEN", "PER BERG", "JONAS HANSEN", "TOR LIE"):
        s = who(demo, name)
        assert re.search(rf"^  {name.title()} +{s['login']}  ", out, re.M), out
    assert "Press Ctrl-C" in out


def test_the_person_chooser_lists_every_test_person(demo, browser):
    b = browser
    b.delete_cookies()
    b.get(demo.url + "/")
    b.wait_url(lambda u: "/authorize?" in u, "the person chooser")
    text = b.text()
    for s in demo.scenarios:
        assert s["login"] in text
    assert len(b.find_all('input[name="pid"]')) == len(demo.scenarios)
    assert b.find('input[name="pid_typed"]')  # a number can be typed too
    assert "sees S1001, S1002, S1005" in text and "no parental responsibility" in text


def test_a_parent_sees_her_children_is_refused_others_and_logs_out(demo, browser):
    b = browser
    kari = who(demo, "KARI HANSEN")
    allowed = sorted(p for p, v in kari["expect"].items() if v == "allow")
    adult = sorted(p for p, v in kari["expect"].items() if v == "adult_without_consent")
    assert allowed and adult  # the fixture's parent has both kinds

    login(b, demo, kari["login"])
    assert b.title.startswith("Foresattportal")
    assert b.find("#who").text.casefold() == "kari hansen"
    links = sorted(a.text for a in b.find_all("ul a"))
    assert links == [f"Elev {p}" for p in allowed]

    # a pupil's pages, through the links
    b.click_link(f"Elev {allowed[0]}")
    b.wait_url(lambda u: u.endswith(f"/elev/{allowed[0]}/"))
    b.click_link("Karakterer")
    b.wait_url(lambda u: u.endswith(f"/elev/{allowed[0]}/karakterer"))
    assert "Halvårsvurdering" in b.text()

    # a pupil of 18 without consent: refused, and told why
    b.get(f"{demo.url}/elev/{adult[0]}/")
    assert b.title.startswith("Ingen tilgang")
    assert "Eleven har fylt 18 år" in b.text()
    # somebody else's child: refused, without a word about that child
    other = next(p for s in demo.scenarios for p in s.get("expect", {}) if p not in kari["expect"])
    b.get(f"{demo.url}/elev/{other}/")
    assert b.title.startswith("Ingen tilgang")
    assert "Du har ikke tilgang til denne eleven" in b.text()

    # logout: the portal's button posts the session's token; ID-porten sends the browser back
    b.get(demo.url + "/")
    b.click("form.logout button")
    b.wait_url(lambda u: u.split("?state=")[0] == demo.url + "/logget-ut", "the logged-out page (via the stand-in's end_session)")
    assert "Du er logget ut" in b.text()
    b.get(demo.url + "/")
    b.wait_url(lambda u: "/authorize?" in u, "a new login after logout")

    with open(os.path.join(demo.root, "logs", "access_log")) as f:
        log = f.read()
    assert re.search(rf'"GET /elev/{adult[0]}/ HTTP/1.1" 403', log)
    assert re.search(rf'"GET /elev/{other}/ HTTP/1.1" 403', log)
    assert kari["login"] not in log


def test_a_father_without_parental_responsibility_is_refused(demo, browser):
    per = who(demo, "PER BERG")
    assert set(per["expect"].values()) == {"no_parental_responsibility"}
    login(browser, demo, per["login"])
    assert browser.title.startswith("Ingen tilgang")
    assert "Vi fant ingen elever ved skolen som du har tilgang til som foresatt" in browser.text()
    assert "Innlogget som" not in browser.text()  # the portal never saw him


def test_the_guardian_who_refused_the_number_is_told_about_paper(demo, browser):
    tor = who(demo, "TOR LIE")
    assert set(tor["expect"].values()) == {"not_registered_by_school"}
    login(browser, demo, tor["login"])
    assert browser.title.startswith("Ingen tilgang")
    assert "på papir" in browser.text()
    # and the administrators' paper list names him
    p = subprocess.run([os.path.join(paths.BUILDDIR, "tools", "foresattctl", "foresattctl"), "--config",
                        os.path.join(demo.root, "conf", "httpd.conf"), "paper-list"], capture_output=True, text=True)
    assert p.returncode == 0, p.stderr
    assert "TOR LIE" in p.stdout


def test_a_pupil_logs_in_as_a_pupil_and_sees_his_own_pages(demo, browser):
    b = browser
    jonas = who(demo, "JONAS HANSEN")
    login(b, demo, jonas["login"])
    assert "Du er logget inn som elev" in b.text()
    assert b.find("#who").text.casefold() == "jonas hansen"
    b.click_link("Mine sider")
    b.wait_url(lambda u: u == demo.url + "/meg/")
    assert b.title.startswith(f"Elev {jonas['student_id']}")
    b.click_link("Fravær")
    b.wait_url(lambda u: u == demo.url + "/meg/fravaer")
    # a pupil's own pages are not for a guardian
    login(b, demo, who(demo, "KARI HANSEN")["login"])
    b.get(demo.url + "/meg/")
    assert b.title.startswith("Ingen tilgang")
    assert "Denne siden er for elever" in b.text()


def test_a_pupil_of_18_gives_consent_and_the_guardian_sees_him_again(demo, browser):
    b = browser
    jonas, kari = who(demo, "JONAS HANSEN"), who(demo, "KARI HANSEN")
    pupil = jonas["student_id"]
    assert kari["expect"][pupil] == "adult_without_consent"

    login(b, demo, jonas["login"])
    b.click_link(next(a.text for a in b.find_all("a") if "Samtykke" in a.text))
    b.wait_url(lambda u: u.startswith(demo.url + "/foresatt/samtykke"), "the consent page")
    assert pupil in b.text()
    b.click('form[action="/foresatt/samtykke"] button')
    b.wait(lambda b: not b.find_all('input[name="action"][value="give"]'), "the consent recorded")

    # the guardian's next login: the pupil is back, and his pages open
    login(b, demo, kari["login"])
    assert f"Elev {pupil}" in [a.text for a in b.find_all("ul a")]
    b.get(f"{demo.url}/elev/{pupil}/fravaer")
    assert b.title.startswith(f"Fravær for elev {pupil}")


def test_ctrl_c_stops_everything_and_removes_the_working_directory(demo):
    assert os.path.isdir(demo.root) and leftovers(demo.root)
    demo.proc.send_signal(signal.SIGINT)
    assert demo.wait_exit() == 0, demo.output()
    assert "processes ended and temporary files removed" in demo.output()
    assert not os.path.exists(demo.root)
    assert leftovers(demo.root) == []
    assert not port_open(demo.port)


# --- the other ways it starts and stops ------------------------------------------------------------

def test_check_mode_starts_checks_and_stops():
    d = DemoProcess("--check")
    root = d.wait_for(r"working directory (\S+)").group(1)
    assert d.wait_exit() == 0, d.output()
    assert "check passed" in d.output()
    assert not os.path.exists(root) and leftovers(root) == []


def test_a_part_that_dies_stops_the_demo_and_everything_is_removed():
    d = DemoProcess()
    root = d.wait_for(r"working directory (\S+)").group(1)
    d.wait_for(r"^Ready\.")
    with open(os.path.join(root, "run", "httpd.pid")) as f:
        os.kill(int(f.read()), signal.SIGKILL)
    assert d.wait_exit() == 1, d.output()
    assert "httpd stopped" in d.output()
    assert not os.path.exists(root)
    assert leftovers(root) == []


def test_a_taken_port_is_refused_in_words():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        s.listen(1)
        port = s.getsockname()[1]
        p = subprocess.run([os.path.join(paths.SRCDIR, "demo"), "--port", str(port), "--check"],
                           capture_output=True, text=True, timeout=STARTUP_TIMEOUT,
                           env=dict(os.environ, FORESATT_BUILDDIR=paths.BUILDDIR))
    assert p.returncode == 1
    assert f"port {port} is taken" in p.stderr
