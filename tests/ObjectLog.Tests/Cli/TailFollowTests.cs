using System.Diagnostics;

namespace ObjectLog.Tests.Cli;

/// <summary><c>objlog tail -f</c> waits for events: on an empty log too, as <c>tail -f</c> waits on an empty file.</summary>
public sealed class TailFollowTests : IDisposable
{
    private readonly TempDirectory _dir = new();

    public void Dispose() => _dir.Dispose();

    [Fact]
    public async Task Tail_follow_on_an_empty_log_waits_and_prints_the_first_event_stored()
    {
        Directory.CreateDirectory(Path.Combine(_dir.Path, "objectlog-data"));
        var start = new ProcessStartInfo("dotnet") { WorkingDirectory = _dir.Path, RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (string a in new[] { Path.Combine(AppContext.BaseDirectory, "objlog.dll"), "tail", "-f", "--interval", "0.2" })
        {
            start.ArgumentList.Add(a);
        }

        using Process tail = Process.Start(start)!;
        try
        {
            Task<string?> firstLine = tail.StandardOutput.ReadLineAsync();
            string waiting = (await tail.StandardError.ReadLineAsync().WaitAsync(TimeSpan.FromSeconds(60))) ?? "";
            Assert.Contains("waiting for events", waiting, StringComparison.Ordinal);
            Assert.False(tail.HasExited, "tail -f stopped on an empty log");

            Assert.Equal(0, (await Objlog.RunAsync(_dir.Path, ["append", "{\"n\":1}"], null)).Code);
            Assert.Equal("{\"n\":1}", await firstLine.WaitAsync(TimeSpan.FromSeconds(60)));
        }
        finally
        {
            tail.Kill(entireProcessTree: true);
            await tail.WaitForExitAsync();
        }
    }
}
