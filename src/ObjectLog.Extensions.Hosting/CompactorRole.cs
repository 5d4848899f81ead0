using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;

namespace ObjectLog.Extensions.Hosting;

/// <summary>
/// Whether this process runs the background compaction and retention of the logs registered here: it does if
/// <c>AddObjectLogCompactor</c> was called or configuration says <c>ObjectLog:Compactor=true</c>, so one binary can
/// run as writer or compactor by deployment. Elsewhere <see cref="AppendLogOptions.AutoCompaction"/> and
/// <see cref="AppendLogOptions.Retention"/> are switched off, so many writers don't all list and merge the same prefix.
/// </summary>
internal sealed class CompactorRole
{
    public const string ConfigurationKey = "ObjectLog:Compactor";

    public static bool IsEnabled(IServiceProvider provider)
        => provider.GetService<CompactorRole>() is not null
        || (bool.TryParse(provider.GetService<IConfiguration>()?[ConfigurationKey], out bool enabled) && enabled);

    /// <summary>Switches the background roles off in <paramref name="options"/> unless this process is the compactor.</summary>
    public static void Apply(IServiceProvider provider, AppendLogOptions options)
    {
        if (!IsEnabled(provider))
        {
            options.AutoCompaction = null;
            options.Retention = Timeout.InfiniteTimeSpan;
        }
    }
}
