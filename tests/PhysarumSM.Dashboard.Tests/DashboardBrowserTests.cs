using System.Text.Json;
using Microsoft.Playwright;
using Xunit.Abstractions;

namespace PhysarumSM.Dashboard.Tests;

/// <summary>
/// The dashboard page in a real browser (Debian's chromium driven by Playwright): it updates live as the mesh changes,
/// and passes basic accessibility checks (headings, table headers, labels, legend contrast).
/// </summary>
[Collection(DashboardCollection.Name)]
public sealed class DashboardBrowserTests(DashboardMesh mesh, ITestOutputHelper output)
{
    /// <summary>Debian's chromium; Playwright never downloads a browser here.</summary>
    private const string Chromium = "/usr/bin/chromium";

    [Fact]
    public async Task The_dashboard_shows_a_new_service_and_instance_without_a_reload_and_is_accessible()
    {
        using var guard = new CancellationTokenSource(TimeSpan.FromMinutes(5));
        var ct = guard.Token;
        const string service = "browser-hello";
        Assert.True(File.Exists(Chromium), $"{Chromium} is missing: scripts/setup.sh test installs Debian's chromium");

        using var playwright = await Playwright.CreateAsync();
        await using var browser = await playwright.Chromium.LaunchAsync(new BrowserTypeLaunchOptions { ExecutablePath = Chromium, Headless = true });
        var page = await browser.NewPageAsync(new BrowserNewPageOptions { ViewportSize = new ViewportSize { Width = 1600, Height = 1200 } });
        page.SetDefaultTimeout(120_000);   // a failure guard for cold starts on a busy machine, not a performance claim
        await page.GotoAsync(mesh.Registry.Ports.AdminUri.ToString());
        await page.WaitForSelectorAsync($"#nodes-body tr[data-node='{mesh.Registry.PeerId}']");
        await page.WaitForSelectorAsync($"#nodes-body tr[data-node='{mesh.Observer.PeerId}']");
        await page.EvaluateAsync("() => { window.physarumTestMark = 'loaded once'; }");

        // The mesh changes after the page loaded: a new service, then its first request through a gateway.
        await mesh.AddHelloWorldAsync(service, ct);
        await page.WaitForSelectorAsync($"#services-body tr[data-service='{service}']");
        Assert.Equal("Hello, world", (await mesh.RequestThroughGatewayAsync(mesh.Registry, service, ct)).Trim());
        await page.WaitForSelectorAsync($"#instances-body tr[data-service='{service}'][data-state='running']");
        await page.WaitForSelectorAsync($"#events-body tr[data-kind='InstanceStarted'][data-service='{service}']");
        Assert.Equal("loaded once", await page.EvaluateAsync<string>("() => window.physarumTestMark"));   // no reload

        var row = page.Locator($"#instances-body tr[data-service='{service}']");
        Assert.Contains(mesh.Registry.PeerId[^8..], await row.InnerTextAsync(), StringComparison.Ordinal);

        // The heatmap: both links measured, coloured against the chosen service's requirements (100 ms soft, 1000 ms hard).
        await page.WaitForSelectorAsync("#rtt-body td[data-level]:not([data-level='none'])");
        await page.SelectOptionAsync("#rtt-requirement", service);
        await page.WaitForSelectorAsync("#rtt-legend [data-legend-level='bad']");
        Assert.Contains("100", await page.Locator("#rtt-legend [data-legend-level='ok']").InnerTextAsync(), StringComparison.Ordinal);
        Assert.Equal(2, await page.Locator("#rtt-body td:is([data-level='ok'], [data-level='warn'], [data-level='bad'])").CountAsync());

        var screenshot = Path.Combine(AppContext.BaseDirectory, "TestResults", "dashboard.png");
        Directory.CreateDirectory(Path.GetDirectoryName(screenshot)!);
        await page.ScreenshotAsync(new PageScreenshotOptions { Path = screenshot, FullPage = true });
        output.WriteLine($"dashboard screenshot: {screenshot}");

        await AssertAccessibleAsync(page);
    }

    private static async Task AssertAccessibleAsync(IPage page)
    {
        var report = await page.EvaluateAsync<JsonElement>("""
            () => ({
              h1: [...document.querySelectorAll('h1')].map(h => h.textContent.trim()),
              h2: [...document.querySelectorAll('h2')].map(h => h.textContent.trim()),
              sectionsWithoutHeading: [...document.querySelectorAll('main section')].filter(s => !s.querySelector(':scope > h2')).map(s => s.id),
              tablesWithoutHeaders: [...document.querySelectorAll('table')].filter(t => t.querySelectorAll('thead th').length === 0).map(t => t.closest('section').id),
              unlabelled: [...document.querySelectorAll('input, select, textarea')]
                .filter(c => c.labels.length === 0 && !c.getAttribute('aria-label')).map(c => c.id || c.outerHTML),
              legend: [...document.querySelectorAll('[data-legend-level]')].map(item => ({
                level: item.dataset.legendLevel,
                text: item.textContent.trim(),
                color: getComputedStyle(item).color,
                background: getComputedStyle(item).backgroundColor,
              })),
            })
            """);

        Assert.Single(report.Items("h1"));
        Assert.Equal(["Nodes", "Services", "Instances", "RTT matrix", "Recent events", "Admin actions"], report.Items("h2").Select(h => h.GetString()));
        Assert.Empty(report.Items("sectionsWithoutHeading"));
        Assert.Empty(report.Items("tablesWithoutHeaders"));
        Assert.Empty(report.Items("unlabelled"));

        var legend = report.Items("legend").ToList();
        Assert.True(legend.Count >= 3, $"the legend shows every level with text: {report.Get("legend")}");
        foreach (var item in legend)
        {
            var (color, background) = (item.Text("color"), item.Text("background"));
            Assert.True(item.Text("text").Length > 3, $"legend level {item.Text("level")} has no text label");
            Assert.Equal(1, Contrast.Alpha(background));
            var ratio = Contrast.Ratio(color, background);
            Assert.True(ratio >= 4.5, $"legend '{item.Text("text")}': {color} on {background} is {ratio:0.00}:1, below 4.5:1");
        }
    }
}
