"""A real browser (Debian's chromium, headless, driven by chromedriver through python3-selenium)
completes a guardian's edit end to end: the login at the ID-porten stand-in, "Mine opplysninger",
a refused phone number that stays in the form, then a saved one, shown back and in the store. No
JavaScript on our pages; the browser enforces our CSP, cookies and redirects for real."""
import json
import os
import shutil
import tempfile
import time

import pytest

from fstest.oidc import login_conf, make_op
from fstest.world import World

CHROMIUM = "/usr/bin/chromium"
CHROMEDRIVER = "/usr/bin/chromedriver"
FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
         "--disable-background-networking", "--disable-component-update", "--disable-sync",
         "--disable-dev-shm-usage", "--lang=nb-NO", "--window-size=1024,900"]


@pytest.fixture(scope="module")
def browser():
    for path in (CHROMIUM, CHROMEDRIVER):
        if not os.path.exists(path):
            pytest.fail(f"{path} is missing: apt-get install chromium chromium-driver (scripts/debian-packages)")
    from selenium import webdriver
    from selenium.webdriver.chrome.options import Options
    from selenium.webdriver.chrome.service import Service

    profile = tempfile.mkdtemp(prefix="fs-chromium-")
    opts = Options()
    opts.binary_location = CHROMIUM
    for flag in FLAGS + [f"--user-data-dir={profile}"]:
        opts.add_argument(flag)
    opts.add_experimental_option("prefs", {"intl.accept_languages": "nb-NO,nb,en"})
    driver = webdriver.Chrome(service=Service(CHROMEDRIVER), options=opts)
    driver.set_page_load_timeout(20)
    yield driver
    driver.quit()
    shutil.rmtree(profile, ignore_errors=True)


@pytest.fixture(scope="module")
def site(httpd_factory):
    op = make_op()
    h = httpd_factory(name="selfservice-browser")
    w = World(h)
    h.start(w.conf + login_conf(h, op))
    w.httpd, w.op = h, op
    # a guardian's edit wins over the roster's value when newer (whole seconds)
    time.sleep(max(0.0, os.path.getmtime(os.path.join(w.dir, "roster.csv")) + 1.05 - time.time()))
    yield w
    op.stop()


def wait_for(driver, css, timeout=10):
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support import expected_conditions as ec
    from selenium.webdriver.support.ui import WebDriverWait

    return WebDriverWait(driver, timeout).until(ec.presence_of_element_located((By.CSS_SELECTOR, css)))


def test_a_guardian_corrects_phone_and_email_in_a_browser(site, browser):
    from selenium.webdriver.common.by import By

    h = site.httpd
    kari = site.who("KARI HANSEN")
    browser.get(h.url("/foresatt/profil"))
    # at the ID-porten stand-in: type the number, log in
    field = wait_for(browser, 'input[name="pid_typed"]')
    assert browser.current_url.startswith(site.op.issuer)
    field.send_keys(kari["login"])
    browser.find_element(By.CSS_SELECTOR, 'button[value="login"]').click()
    # back at the module, on the page asked for
    wait_for(browser, "main h1")
    assert browser.current_url == h.url("/foresatt/profil")
    assert browser.find_element(By.CSS_SELECTOR, "main h1").text == "Mine opplysninger"
    assert "KARI HANSEN" in browser.find_element(By.TAG_NAME, "main").text
    phone = browser.find_element(By.ID, "phone")
    assert phone.get_attribute("value") == "+4791234567"
    # the stylesheet loaded under the CSP (style-src 'self'): the page is styled
    assert browser.find_element(By.TAG_NAME, "body").value_of_css_property("margin") == "0px"

    # a wrong number is refused, and what was typed stays
    phone.clear()
    phone.send_keys("98 76 54 3x")
    email2 = browser.find_element(By.ID, "email2")
    email2.send_keys("kari.hansen@jobb.example.no")
    browser.find_element(By.CSS_SELECTOR, 'form[action="/foresatt/profil"] button[type="submit"]').click()
    wait_for(browser, ".feil")
    assert "Endringene er ikke lagret." in browser.find_element(By.CSS_SELECTOR, ".feil").text
    assert browser.find_element(By.ID, "phone").get_attribute("value") == "98 76 54 3x"
    assert browser.find_element(By.ID, "phone").get_attribute("aria-invalid") == "true"
    assert browser.find_element(By.ID, "email2").get_attribute("value") == "kari.hansen@jobb.example.no"

    # corrected and saved
    phone = browser.find_element(By.ID, "phone")
    phone.clear()
    phone.send_keys("98 76 54 32")
    browser.find_element(By.CSS_SELECTOR, 'form[action="/foresatt/profil"] button[type="submit"]').click()
    wait_for(browser, ".ok")
    assert browser.current_url == h.url("/foresatt/profil?lagret=1")
    assert browser.find_element(By.CSS_SELECTOR, ".ok").text == "Endringene er lagret."
    assert browser.find_element(By.ID, "phone").get_attribute("value") == "+4798765432"
    assert browser.find_element(By.ID, "email1").get_attribute("value") == "kari@example.no"
    assert browser.find_element(By.ID, "email2").get_attribute("value") == "kari.hansen@jobb.example.no"

    p = site.ctl("export", "--guardian", kari["login"])
    assert p.returncode == 0, p.stderr
    for reg in json.loads(p.stdout)["registrations"]:
        assert reg["phone"] == "+4798765432"
        assert reg["emails"] == ["kari@example.no", "kari.hansen@jobb.example.no"]

    # and the logout button in the page's header ends the session (here, at the OP, then back home)
    from selenium.webdriver.support.ui import WebDriverWait
    browser.find_element(By.CSS_SELECTOR, "form.logout button").click()
    WebDriverWait(browser, 10).until(lambda d: d.current_url.split("?state=")[0] == h.url("/"))  # the OP adds the logout's state
    browser.get(h.url("/foresatt/profil"))
    wait_for(browser, 'input[name="pid_typed"]')
    assert browser.current_url.startswith(site.op.issuer)
