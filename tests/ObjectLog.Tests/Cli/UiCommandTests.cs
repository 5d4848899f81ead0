using System.Net.Http.Json;
using System.Text.Json;

namespace ObjectLog.Tests.Cli;

/// <summary><c>objlog ui</c> run as a user runs it: after <c>objlog demo</c>, the printed URL serves the demo's log.</summary>
public sealed class UiCommandTests
{
    [Fact]
    public async Task After_the_demo_the_printed_url_offers_and_charts_the_demo_log()
    {
        using var dir = new TempDirectory();
        (int code, _, string error) = await Objlog.RunAsync(dir.Path, ["demo", "--events", "50"], null);
        Assert.True(code == 0, error);

        using FollowingObjlog ui = FollowingObjlog.Start(dir.Path, ["ui", "--port", "0"]);
        string url = await PrintedUrlAsync(ui);
        Assert.StartsWith("http://127.0.0.1:", url, StringComparison.Ordinal);

        using var http = new HttpClient { BaseAddress = new Uri(url) };
        JsonElement logs = await http.GetFromJsonAsync<JsonElement>("/api/logs");
        Assert.Equal(["demo"], logs.GetProperty("logs").EnumerateArray().Select(l => l.GetProperty("name").GetString()));
        Assert.DoesNotContain("?", logs.GetProperty("store").GetString(), StringComparison.Ordinal);
        JsonElement histogram = await http.GetFromJsonAsync<JsonElement>("/api/histogram?log=demo&range=1h");
        Assert.Equal(50, histogram.GetProperty("total").GetInt64());
        Assert.Contains("Information", histogram.GetProperty("levels").EnumerateArray().Select(l => l.GetString()));
        Assert.Contains("<script src=\"/app.js\"", await http.GetStringAsync("/"), StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_log_url_fixes_the_log_and_the_page_url_names_it()
    {
        using var dir = new TempDirectory();
        Assert.Equal(0, (await Objlog.RunAsync(dir.Path, ["append", "--log", "app-logs", "{\"level\":\"Error\"}"], null)).Code);

        using FollowingObjlog ui = FollowingObjlog.Start(dir.Path, ["ui", "file://./objectlog-data/app-logs", "--port", "0"]);
        string url = await PrintedUrlAsync(ui);
        Assert.EndsWith("/?log=app-logs", url, StringComparison.Ordinal);
        using var http = new HttpClient { BaseAddress = new Uri(url) };
        JsonElement logs = await http.GetFromJsonAsync<JsonElement>("/api/logs");
        Assert.Equal("app-logs", logs.GetProperty("fixedLog").GetString());
        JsonElement page = await http.GetFromJsonAsync<JsonElement>("/api/events"); // the fixed log, unnamed
        Assert.Equal("Error", page.GetProperty("events")[0].GetProperty("level").GetString());
    }

    [Fact]
    public async Task Listening_beyond_loopback_warns_that_the_page_has_no_authentication()
    {
        using var dir = new TempDirectory();
        Directory.CreateDirectory(Path.Combine(dir.Path, "objectlog-data"));
        using FollowingObjlog ui = FollowingObjlog.Start(dir.Path, ["ui", "--listen", "0.0.0.0", "--port", "0"]);
        string url = await PrintedUrlAsync(ui);
        Assert.StartsWith("http://127.0.0.1:", url, StringComparison.Ordinal); // where a browser on this machine reaches it
        Assert.Contains("no authentication", ui.Error, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("--port", "70000", "--port must be from 0 to 65535")]
    [InlineData("--listen", "everywhere", "is not an IP address")]
    public async Task A_bad_option_is_a_usage_error(string option, string value, string message)
    {
        using var dir = new TempDirectory();
        (int code, _, string error) = await Objlog.RunAsync(dir.Path, ["ui", option, value], null);
        Assert.Equal(2, code);
        Assert.Contains(message, error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_missing_store_folder_is_refused_and_not_created()
    {
        using var dir = new TempDirectory();
        (int code, _, string error) = await Objlog.RunAsync(dir.Path, ["ui", "--store", "./nowhere"], null);
        Assert.Equal(1, code);
        Assert.Contains("no store at", error, StringComparison.Ordinal);
        Assert.False(Directory.Exists(Path.Combine(dir.Path, "nowhere")));
    }

    private static async Task<string> PrintedUrlAsync(FollowingObjlog ui)
    {
        for (int i = 0; i < 300; i++)
        {
            if (ui.Lines.FirstOrDefault(l => l.StartsWith("objlog ui: ", StringComparison.Ordinal)) is { } line)
            {
                return line["objlog ui: ".Length..].Split(' ')[0];
            }

            await Task.Delay(100);
        }

        Assert.Fail($"objlog ui printed no URL in 30 s. It printed:\n{string.Join('\n', ui.Lines)}\nstderr:\n{ui.Error}");
        return "";
    }
}
