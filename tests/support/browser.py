"""A real browser for the web tests: Debian's chromium, headless, driven by Selenium through
chromium-driver, in a 1400 x 1000 window (what a laptop shows). Screenshots land in
tests/artefacts/ (git-ignored), for people to look at."""

from pathlib import Path

from selenium import webdriver
from selenium.common.exceptions import StaleElementReferenceException as StaleElement
from selenium.webdriver.chrome.service import Service
from selenium.webdriver.common.by import By
from selenium.webdriver.support.ui import WebDriverWait

from tests.support.processes import ROOT

ARTEFACTS = ROOT / "tests" / "artefacts"
CHROMIUM = "/usr/bin/chromium"
CHROMEDRIVER = "/usr/bin/chromedriver"
WIDTH, HEIGHT = 1400, 1000


class Browser:
    def __init__(self, base_url: str):
        self.base_url = base_url
        options = webdriver.ChromeOptions()
        options.binary_location = CHROMIUM
        for argument in ("--headless=new", "--no-sandbox", "--disable-dev-shm-usage"):
            options.add_argument(argument)
        options.add_argument(f"--window-size={WIDTH},{HEIGHT}")
        self.driver = webdriver.Chrome(options=options, service=Service(CHROMEDRIVER))

    def __enter__(self) -> "Browser":
        return self

    def __exit__(self, *exc) -> None:
        self.driver.quit()

    def open(self, path: str) -> None:
        self.driver.get(self.base_url + path)

    def find(self, css: str):
        return self.driver.find_element(By.CSS_SELECTOR, css)

    def find_all(self, css: str) -> list:
        return self.driver.find_elements(By.CSS_SELECTOR, css)

    def log_in(self, username: str, password: str, then: str = "/admin/") -> None:
        """Through the admin's login form, as a person does."""
        self.open(f"/admin/login/?next={then}")
        self.find("#id_username").send_keys(username)
        self.find("#id_password").send_keys(password)
        self.find("input[type=submit]").click()
        self.wait_for(lambda: "/login/" not in self.driver.current_url, "the login to finish")

    def wait_for(self, condition, what: str, timeout: float = 30):
        # The board replaces its rows when it refreshes: an element found a moment ago may be
        # gone (stale) by the time it is read; the condition is asked again at the next poll.
        waiting = WebDriverWait(
            self.driver, timeout, poll_frequency=0.2, ignored_exceptions=[StaleElement]
        )
        return waiting.until(lambda _: condition(), message=f"waiting for {what}")

    def screenshot(self, name: str) -> Path:
        ARTEFACTS.mkdir(exist_ok=True)
        path = ARTEFACTS / f"{name}.png"
        self.driver.save_screenshot(str(path))
        return path

    def script(self, source: str, *args):
        return self.driver.execute_script(source, *args)
