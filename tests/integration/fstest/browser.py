"""A real browser for tests: Debian's chromium, headless, driven through chromium-driver by
python3-selenium. A fresh profile each time, flags that work as root on a closed network.

    with Chromium() as b:
        b.get("http://127.0.0.1:8080/")
        b.click('input[value="14838000089"]')      # CSS selectors
        b.click('button[value="login"]')
        b.wait_url(lambda u: u.endswith("/"))
        assert "Kari" in b.text()
"""
import os
import shutil
import tempfile
import time

import pytest

CHROMIUM = os.environ.get("FORESATT_CHROMIUM", "/usr/bin/chromium")
CHROMEDRIVER = os.environ.get("FORESATT_CHROMEDRIVER", "/usr/bin/chromedriver")
FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
         "--disable-background-networking", "--disable-component-update", "--disable-sync",
         "--disable-dev-shm-usage", "--window-size=1200,900"]
TIMEOUT = 15


class Chromium:
    def __init__(self):
        try:
            from selenium import webdriver
            from selenium.webdriver.chrome.service import Service
        except ImportError:
            pytest.fail("python3-selenium is missing: apt-get install python3-selenium (scripts/install-deps does)")
        for path, pkg in ((CHROMIUM, "chromium"), (CHROMEDRIVER, "chromium-driver")):
            if not os.path.exists(path):
                pytest.fail(f"{path} is missing: apt-get install {pkg} (scripts/install-deps does)")
        self.profile = tempfile.mkdtemp(prefix="fs-chromium-")
        options = webdriver.ChromeOptions()
        options.binary_location = CHROMIUM
        for flag in FLAGS + [f"--user-data-dir={self.profile}"]:
            options.add_argument(flag)
        options.set_capability("goog:loggingPrefs", {"browser": "ALL"})
        self.driver = webdriver.Chrome(service=Service(CHROMEDRIVER), options=options)
        self.driver.set_page_load_timeout(TIMEOUT)

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.quit()

    def quit(self):
        try:
            self.driver.quit()
        finally:
            shutil.rmtree(self.profile, ignore_errors=True)

    # --- what a person does and sees ---------------------------------------------------------------
    def get(self, url):
        self.driver.get(url)

    def find(self, css):
        from selenium.webdriver.common.by import By
        return self.driver.find_element(By.CSS_SELECTOR, css)

    def find_all(self, css):
        from selenium.webdriver.common.by import By
        return self.driver.find_elements(By.CSS_SELECTOR, css)

    def click(self, css):
        self.find(css).click()

    def click_link(self, text):
        from selenium.webdriver.common.by import By
        self.driver.find_element(By.LINK_TEXT, text).click()

    @property
    def url(self):
        return self.driver.current_url

    @property
    def title(self):
        return self.driver.title

    def text(self):
        return self.find("body").text

    def source(self):
        return self.driver.page_source

    def wait(self, condition, what, timeout=TIMEOUT):
        """Until condition(self) is true; fails with what the page shows."""
        deadline = time.monotonic() + timeout
        while True:
            try:
                if condition(self):
                    return
            except Exception:  # noqa: BLE001 - a page in the middle of loading
                pass
            if time.monotonic() > deadline:
                pytest.fail(f"{what}: not after {timeout} s; at {self.url}:\n{self.text()[:1500]}\n"
                            f"browser log: {self.console()}")
            time.sleep(0.05)

    def wait_url(self, predicate, what="the expected page"):
        self.wait(lambda b: predicate(b.url) and b.driver.execute_script("return document.readyState") == "complete",
                  what)

    def console(self):
        """The browser's console and security messages (CSP refusals land here)."""
        try:
            return [e["message"] for e in self.driver.get_log("browser")]
        except Exception:  # noqa: BLE001
            return []

    def delete_cookies(self):
        self.driver.delete_all_cookies()
