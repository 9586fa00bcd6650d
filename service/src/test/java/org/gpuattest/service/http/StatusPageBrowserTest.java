package org.gpuattest.service.http;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.openqa.selenium.By;
import org.openqa.selenium.WebDriver;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.chrome.ChromeDriverService;
import org.openqa.selenium.chrome.ChromeOptions;

/**
 * The status page as a person sees it, in headless Chromium (Debian's chromium and
 * chromium-driver, which .ci/run installs): providers in order, failing and flagged ones
 * marked, a plot of each one's rates, and a verdict one click away. Skipped, saying why, where
 * either is missing.
 */
class StatusPageBrowserTest {
  static final Path CHROMIUM = Path.of("/usr/bin/chromium");
  static final Path DRIVER = Path.of("/usr/bin/chromedriver");

  @TempDir Path dir;
  private ApiFixture api;
  private WebDriver browser;

  @BeforeAll
  static void chromium() {
    assumeTrue(Files.isExecutable(CHROMIUM) && Files.isExecutable(DRIVER),
        "no headless Chromium: install Debian's chromium and chromium-driver ("
            + CHROMIUM + ", " + DRIVER + ")");
  }

  @BeforeEach
  void start() throws Exception {
    api = new ApiFixture(dir, new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), null);
    ChromeOptions options = new ChromeOptions();
    options.setBinary(CHROMIUM.toFile());
    options.addArguments("--headless", "--no-sandbox", "--disable-gpu",
        "--disable-background-networking", "--disable-component-update", "--disable-sync",
        "--no-first-run", "--user-data-dir=" + Files.createDirectories(dir.resolve("profile")));
    // The driver named outright: Selenium Manager would otherwise look for one on the network.
    ChromeDriverService service = new ChromeDriverService.Builder()
        .usingDriverExecutable(DRIVER.toFile()).usingAnyFreePort().build();
    browser = new ChromeDriver(service, options);
  }

  @AfterEach
  void stop() throws Exception {
    if (browser != null) {
      browser.quit();
    }
    api.close();
  }

  @Test
  void statusPage_providersInOrderWithStatePlotAndVerdictLink() {
    browser.get(api.uri("/").toString());
    assertEquals("gpu-attest: fleet", browser.getTitle());
    List<WebElement> rows = browser.findElements(By.cssSelector("#providers tbody tr"));
    assertEquals(List.of("broken", "slow", "good"), rows.stream()
        .map(r -> r.findElement(By.cssSelector("td.name")).getText()).toList());
    assertEquals("failing", rows.get(0).findElement(By.cssSelector("td.state")).getText());
    assertEquals("flagged (flagged)", rows.get(1).findElement(By.cssSelector("td.state"))
        .getText());
    assertTrue(rows.get(0).getAttribute("class").contains("failing"));
    assertEquals("51.000 (of 2)", rows.get(2).findElement(By.cssSelector("td.median"))
        .getText());
    String points = rows.get(2).findElement(By.cssSelector("td.plot svg polyline"))
        .getAttribute("points");
    assertEquals(2, points.trim().split(" ").length, "two passing rates plotted: " + points);
    assertTrue(browser.findElement(By.id("summary")).getText()
        .startsWith("3 providers; 1 failing; 1 flagged"));

    rows.get(2).findElement(By.cssSelector("td.verdict a")).click();
    assertEquals("gpu-attest: attestation " + api.lastPassId, browser.getTitle());
    String verdict = browser.findElement(By.id("verdict")).getText();
    assertTrue(verdict.contains("PASS  openings.exact"), verdict);
  }

  /** A provider's page lists its attestations, newest first, each linked to its verdict. */
  @Test
  void providerPage_historyNewestFirstEachLinkedToItsVerdict() {
    browser.get(api.uri("/").toString());
    browser.findElement(By.linkText("good")).click();
    assertEquals("gpu-attest: good", browser.getTitle());
    assertTrue(browser.findElement(By.id("state")).getText().contains("2 passed, 0 failed"));
    List<WebElement> rows = browser.findElements(By.cssSelector("#attestations tbody tr"));
    assertEquals(2, rows.size());
    assertEquals(List.of("52.0", "50.0"), rows.stream()
        .map(r -> r.findElement(By.cssSelector("td.rate")).getText()).toList());
    rows.get(0).findElement(By.cssSelector("td.verdict a")).click();
    assertEquals("gpu-attest: attestation " + api.lastPassId, browser.getTitle());
  }
}
