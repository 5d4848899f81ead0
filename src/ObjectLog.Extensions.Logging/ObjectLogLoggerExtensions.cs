using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging.Configuration;
using Microsoft.Extensions.Options;
using ObjectLog.Extensions.Logging;

namespace Microsoft.Extensions.Logging;

/// <summary>Adds the ObjectLog logger provider, as <c>AddConsole</c> adds the console's.</summary>
public static class ObjectLogLoggerExtensions
{
    /// <summary>
    /// Journals log entries as JSON Lines to the log <paramref name="storeUrl"/> names, one JSON object per entry
    /// (timestamp, level, category, event id, message, message template, properties, scopes, exception). Logging
    /// never blocks and never throws: entries that do not fit are dropped and counted. A host stores what is
    /// buffered when it stops, and disposing the provider stores the rest.
    /// </summary>
    /// <param name="builder">The logging builder.</param>
    /// <param name="storeUrl">Where the entries go (see <see cref="ObjectLog.Storage.ObjectStoreUrl"/>), such as <c>file://./objectlog-data/app-logs</c>. <c>Logging:ObjectLog:StoreUrl</c> in configuration overrides it.</param>
    /// <param name="configure">Applied after configuration (<c>Logging:ObjectLog</c>) is bound, so code has the last word.</param>
    /// <returns><paramref name="builder"/>.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="builder"/> is <see langword="null"/>.</exception>
    /// <exception cref="ArgumentException"><paramref name="storeUrl"/> is <see langword="null"/>, empty or whitespace.</exception>
    public static ILoggingBuilder AddObjectLog(this ILoggingBuilder builder, string storeUrl, Action<ObjectLogLoggerOptions>? configure = null)
    {
        ArgumentNullException.ThrowIfNull(builder);
        ArgumentException.ThrowIfNullOrWhiteSpace(storeUrl);
        builder.Services.Configure<ObjectLogLoggerOptions>(o => o.StoreUrl = storeUrl);
        return Add(builder, configure);
    }

    /// <summary>
    /// Journals log entries as <see cref="AddObjectLog(ILoggingBuilder, string, Action{ObjectLogLoggerOptions}?)"/> does,
    /// to the log that configuration names: <c>Logging:ObjectLog:StoreUrl</c> (in an environment variable,
    /// <c>Logging__ObjectLog__StoreUrl</c>).
    /// </summary>
    /// <param name="builder">The logging builder.</param>
    /// <returns><paramref name="builder"/>.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="builder"/> is <see langword="null"/>.</exception>
    /// <remarks>Without a store URL in configuration, building the logger factory (the host) throws an <see cref="InvalidOperationException"/> naming the key.</remarks>
    public static ILoggingBuilder AddObjectLog(this ILoggingBuilder builder)
    {
        ArgumentNullException.ThrowIfNull(builder);
        return Add(builder, null);
    }

    /// <inheritdoc cref="AddObjectLog(ILoggingBuilder)"/>
    /// <param name="builder">The logging builder.</param>
    /// <param name="configure">Applied after configuration (<c>Logging:ObjectLog</c>) is bound, so code has the last word.</param>
    /// <exception cref="ArgumentNullException"><paramref name="builder"/> or <paramref name="configure"/> is <see langword="null"/>.</exception>
    public static ILoggingBuilder AddObjectLog(this ILoggingBuilder builder, Action<ObjectLogLoggerOptions> configure)
    {
        ArgumentNullException.ThrowIfNull(builder);
        ArgumentNullException.ThrowIfNull(configure);
        return Add(builder, configure);
    }

    private static ILoggingBuilder Add(ILoggingBuilder builder, Action<ObjectLogLoggerOptions>? configure)
    {
        builder.AddConfiguration();
        builder.Services.TryAddEnumerable(ServiceDescriptor.Singleton<IConfigureOptions<ObjectLogLoggerOptions>, ObjectLogLoggerConfigureOptions>());
        builder.Services.TryAddEnumerable(ServiceDescriptor.Singleton<IOptionsChangeTokenSource<ObjectLogLoggerOptions>, LoggerProviderOptionsChangeTokenSource<ObjectLogLoggerOptions, ObjectLogLoggerProvider>>());
        if (configure is not null)
        {
            builder.Services.Configure(configure);
        }

        builder.Services.TryAddEnumerable(ServiceDescriptor.Singleton<ILoggerProvider, ObjectLogLoggerProvider>(
            services => new ObjectLogLoggerProvider(services.GetRequiredService<IOptions<ObjectLogLoggerOptions>>(), services.GetService<ILoggerFactory>)));
        builder.Services.TryAddEnumerable(ServiceDescriptor.Singleton<IHostedService, LoggerFlushService>());
        return builder;
    }
}
