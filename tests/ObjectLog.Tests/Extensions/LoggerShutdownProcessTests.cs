using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Text.RegularExpressions;

namespace ObjectLog.Tests.Extensions;

/// <summary>
/// A generic-host app logging through the ObjectLog provider (<c>tests/ObjectLog.LoggingHost</c>), run as a child
/// process with its store down or hung: it exits 0 and says on stderr how many entries it could not store.
/// </summary>
public sealed partial class LoggerShutdownProcessTests
{
#if DEBUG
    private const string Configuration = "Debug";
#else
    private const string Configuration = "Release";
#endif

    private static readonly string App = Path.Combine(ChildProcess.RepositoryRoot, "tests", "ObjectLog.LoggingHost", "bin", Configuration, "net10.0", "ObjectLog.LoggingHost.dll");

    [Fact]
    public async Task With_the_store_down_the_app_exits_0_and_reports_on_stderr_the_entries_it_could_not_store()
    {
        using var dir = new TempDirectory();
        (int code, string output, string error) = await ChildProcess.RunDllAsync(App, dir.Path, [], Environment(Loopback.FreePort(), shutdownSeconds: 5));

        Assert.True(code == 0, $"exit {code}: {output}{error}");
        Assert.Contains("stopped", output, StringComparison.Ordinal);
        Assert.Equal("10", NotStored().Match(error).Groups["entries"].Value);
        Assert.Contains("s3://nobucket/x", error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task With_a_store_that_never_answers_the_app_exits_0_within_the_shutdown_timeout_and_reports_the_entries()
    {
        using var dir = new TempDirectory();
        using var hung = new SilentServer();
        var clock = Stopwatch.StartNew();
        Dictionary<string, string> environment = Environment(hung.Port, shutdownSeconds: 3);
        environment["waitMs"] = "3000"; // the provider's 1 s timer has sent the entries, and the store holds them
        (int code, string output, string error) = await ChildProcess.RunDllAsync(App, dir.Path, [], environment);
        TimeSpan took = clock.Elapsed;

        Assert.True(code == 0, $"exit {code}: {output}{error}");
        Assert.Contains("stopped", output, StringComparison.Ordinal);
        Assert.Equal("10", NotStored().Match(error).Groups["entries"].Value);
        Assert.True(hung.Connections > 0, "the app never reached the store");

        // The SDK waits 100 s for an answer, and retries: only the shutdown bound ends the wait this soon (3 s of
        // waiting, 3 s of shutdown timeout, and the runtime's start, a few seconds on a busy machine).
        Assert.True(took < TimeSpan.FromSeconds(40), $"took {took}");
    }

    private static Dictionary<string, string> Environment(int port, int shutdownSeconds) => new()
    {
        ["Logging__ObjectLog__StoreUrl"] = $"s3://nobucket/x?endpoint=http://127.0.0.1:{port}",
        ["Logging__ObjectLog__LogLevel__Microsoft"] = "None", // only the app's own 10 entries
        ["DOTNET_shutdownTimeoutSeconds"] = shutdownSeconds.ToString(System.Globalization.CultureInfo.InvariantCulture),
        ["AWS_ACCESS_KEY_ID"] = "test",
        ["AWS_SECRET_ACCESS_KEY"] = "test",
    };

    [GeneratedRegex(@"(?<entries>\d+) entries .*not stored")]
    private static partial Regex NotStored();

    /// <summary>Accepts connections on 127.0.0.1 and never answers: a store that hangs.</summary>
    private sealed class SilentServer : IDisposable
    {
        private readonly TcpListener _listener = new(IPAddress.Loopback, 0);
        private readonly List<Socket> _accepted = [];

        public SilentServer()
        {
            _listener.Start();
            _ = AcceptAsync();
        }

        public int Port => ((IPEndPoint)_listener.LocalEndpoint).Port;

        public int Connections
        {
            get
            {
                lock (_accepted)
                {
                    return _accepted.Count;
                }
            }
        }

        public void Dispose()
        {
            _listener.Stop();
            lock (_accepted)
            {
                _accepted.ForEach(s => s.Dispose());
            }
        }

        private async Task AcceptAsync()
        {
            try
            {
                while (true)
                {
                    Socket socket = await _listener.AcceptSocketAsync();
                    lock (_accepted)
                    {
                        _accepted.Add(socket);
                    }
                }
            }
            catch (Exception e) when (e is SocketException or ObjectDisposedException)
            {
                // stopped
            }
        }
    }
}
