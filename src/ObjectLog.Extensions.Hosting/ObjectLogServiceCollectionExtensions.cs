using System.Diagnostics.CodeAnalysis;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using ObjectLog;
using ObjectLog.Extensions.Hosting;
using ObjectLog.Internal;
using ObjectLog.Storage;

namespace Microsoft.Extensions.DependencyInjection;

/// <summary>Registers ObjectLog logs with dependency injection.</summary>
public static class ObjectLogServiceCollectionExtensions
{
    /// <summary>
    /// Registers a keyed singleton <see cref="AppendLog"/> named <paramref name="name"/> (resolve it with
    /// <c>GetRequiredKeyedService&lt;AppendLog&gt;(name)</c> or <c>[FromKeyedServices(name)]</c>), and a hosted service
    /// that stores and closes every registered log when the host stops.
    /// </summary>
    /// <remarks>
    /// The settings come, in this order, from: defaults (with the application's <see cref="ILoggerFactory"/>, so
    /// background failures are logged); the configuration section <c>ObjectLog:Logs:{name}</c> (its
    /// <c>StoreUrl</c> overrides <paramref name="storeUrl"/>; the other keys are <see cref="AppendLogOptions"/>
    /// properties, such as <c>FlushThreshold</c> or <c>FlushInterval</c>); then <paramref name="configure"/>, so code
    /// has the last word. The log is opened when first resolved. <see cref="AppendLogOptions.AutoCompaction"/> and
    /// <see cref="AppendLogOptions.Retention"/> take effect only in a process that runs the compactor role (see
    /// <see cref="AddObjectLogCompactor"/>); elsewhere they are switched off.
    /// </remarks>
    /// <param name="services">The service collection.</param>
    /// <param name="name">The log's key, such as <c>orders</c>.</param>
    /// <param name="storeUrl">Where the log lives (see <see cref="ObjectStoreUrl"/>), such as <c>file://./objectlog-data/orders</c>.</param>
    /// <param name="configure">Adjusts the log's settings after configuration is bound.</param>
    /// <returns><paramref name="services"/>.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="services"/> is <see langword="null"/>.</exception>
    /// <exception cref="ArgumentException"><paramref name="name"/> or <paramref name="storeUrl"/> is empty, or a log with this name is already registered.</exception>
    public static IServiceCollection AddObjectLog(this IServiceCollection services, string name, string storeUrl, Action<AppendLogOptions>? configure = null)
    {
        ArgumentNullException.ThrowIfNull(services);
        ArgumentException.ThrowIfNullOrWhiteSpace(name);
        ArgumentException.ThrowIfNullOrWhiteSpace(storeUrl);
        return Register(services, name, storeUrl, configure);
    }

    /// <summary>
    /// Registers a keyed singleton <see cref="AppendLog"/> named <paramref name="name"/> as
    /// <see cref="AddObjectLog(IServiceCollection, string, string, Action{AppendLogOptions}?)"/> does, where the log
    /// lives coming from configuration alone: <c>ObjectLog:Logs:{name}:StoreUrl</c> (in an environment variable,
    /// <c>ObjectLog__Logs__{name}__StoreUrl</c>).
    /// </summary>
    /// <param name="services">The service collection.</param>
    /// <param name="name">The log's key, such as <c>orders</c>.</param>
    /// <returns><paramref name="services"/>.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="services"/> is <see langword="null"/>.</exception>
    /// <exception cref="ArgumentException"><paramref name="name"/> is empty, or a log with this name is already registered.</exception>
    /// <remarks>Without a store URL in configuration, resolving the log throws an <see cref="InvalidOperationException"/> naming the key.</remarks>
    public static IServiceCollection AddObjectLog(this IServiceCollection services, string name)
    {
        ArgumentNullException.ThrowIfNull(services);
        ArgumentException.ThrowIfNullOrWhiteSpace(name);
        return Register(services, name, null, null);
    }

    /// <inheritdoc cref="AddObjectLog(IServiceCollection, string)"/>
    /// <param name="services">The service collection.</param>
    /// <param name="name">The log's key, such as <c>orders</c>.</param>
    /// <param name="configure">Adjusts the log's settings after configuration is bound.</param>
    /// <exception cref="ArgumentNullException"><paramref name="services"/> or <paramref name="configure"/> is <see langword="null"/>.</exception>
    public static IServiceCollection AddObjectLog(this IServiceCollection services, string name, Action<AppendLogOptions> configure)
    {
        ArgumentNullException.ThrowIfNull(services);
        ArgumentException.ThrowIfNullOrWhiteSpace(name);
        ArgumentNullException.ThrowIfNull(configure);
        return Register(services, name, null, configure);
    }

    private static IServiceCollection Register(IServiceCollection services, string name, string? storeUrl, Action<AppendLogOptions>? configure)
    {
        RegisteredLogNames registered = services.FirstOrDefault(d => d.ServiceType == typeof(RegisteredLogNames))?.ImplementationInstance as RegisteredLogNames
            ?? AddRegistry(services);
        if (!registered.Names.Add(name))
        {
            throw new ArgumentException($"An ObjectLog log named '{name}' is already registered.", nameof(name));
        }

        string section = $"ObjectLog:Logs:{name}";
        services.AddOptions<AppendLogOptions>(name)
            .Configure<IServiceProvider>((options, provider) =>
            {
                if (provider.GetService<ILoggerFactory>() is { } loggerFactory)
                {
                    options.LoggerFactory = loggerFactory;
                }

                provider.GetService<IConfiguration>()?.GetSection(section).Bind(options);
                configure?.Invoke(options);
                CompactorRole.Apply(provider, options);
            });
        services.AddKeyedSingleton(name, (provider, _) =>
        {
            string url = provider.GetService<IConfiguration>()?[$"{section}:StoreUrl"] is { Length: > 0 } configured ? configured
                : storeUrl ?? throw new InvalidOperationException($"The ObjectLog log '{name}' needs a store URL: set {section}:StoreUrl in configuration (the environment variable {section.Replace(":", "__", StringComparison.Ordinal)}__StoreUrl), or pass one to AddObjectLog.");
            return ObjectStoreUrl.Open(url); // the container disposes it (an SDK client) after the log
        });
        services.AddKeyedSingleton(name, (provider, _) =>
        {
            ObjectStoreLocation location = provider.GetRequiredKeyedService<ObjectStoreLocation>(name);
            var log = new AppendLog(location.Store, location.Prefix, provider.GetRequiredService<IOptionsMonitor<AppendLogOptions>>().Get(name));
            provider.GetRequiredService<RegisteredLogs>().Created(name, log);
            return log;
        });
        return services;
    }

    /// <summary>
    /// Makes this process the compactor of every log registered here: their <see cref="AppendLogOptions.AutoCompaction"/>
    /// and <see cref="AppendLogOptions.Retention"/> run in the background only in processes that call this, or whose
    /// configuration sets <c>ObjectLog:Compactor</c> to <c>true</c> (so one binary takes the role by deployment, e.g.
    /// <c>ObjectLog__Compactor=true</c>). Any number of writers may share a prefix, and compactions may race safely,
    /// but one compactor per prefix saves the LISTs and merges every writer would otherwise repeat.
    /// </summary>
    /// <param name="services">The service collection.</param>
    /// <returns><paramref name="services"/>.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="services"/> is <see langword="null"/>.</exception>
    public static IServiceCollection AddObjectLogCompactor(this IServiceCollection services)
    {
        ArgumentNullException.ThrowIfNull(services);
        services.TryAddSingleton<CompactorRole>();
        return services;
    }

    /// <summary>
    /// Runs the named consumer <paramref name="consumerName"/> of the log registered as <paramref name="logName"/>
    /// (with <c>AddObjectLog</c>) in a hosted service, which hands each event to <typeparamref name="THandler"/>.
    /// </summary>
    /// <remarks>
    /// <para>
    /// The service creates the consumer with <see cref="AppendLog.CreateConsumer"/> when the host starts; its first
    /// read takes ownership of the name, waiting as standby while another instance holds it. Each event goes to a
    /// <typeparamref name="THandler"/> resolved from a new scope for each attempt (added as scoped unless already
    /// registered). A failed attempt is retried up to <see cref="ObjectLogConsumerOptions.MaxAttempts"/> times, with
    /// a delay from <see cref="ObjectLogConsumerOptions.RetryDelay"/> doubling up to
    /// <see cref="ObjectLogConsumerOptions.MaxRetryDelay"/>; an event that still fails goes, with its error, to the
    /// dead-letter log (by default <c>{log prefix}/_dead/{consumer}</c> in the log's store, one JSON line each:
    /// <c>position</c>, <c>consumer</c>, <c>error</c>, <c>attempts</c>, <c>event</c>, <c>failed_at</c>,
    /// <c>exception</c>), stored before the consumer moves on.
    /// </para>
    /// <para>
    /// An event counts as handled once its handler returned or its dead letter is stored; the consumer checkpoints
    /// by its policy (<see cref="ObjectLogConsumerOptions.Consumer"/>). When the host stops, the handler's token is
    /// cancelled, an event whose handler then throws is not counted, and disposing the consumer commits what was
    /// handled and releases the name. If the instance is fenced (another took the name over) or fails, the service
    /// logs it and starts a new instance after a back-off, which waits as standby. Delivery is at least once:
    /// handlers must be idempotent.
    /// </para>
    /// </remarks>
    /// <typeparam name="THandler">The handler of each event.</typeparam>
    /// <param name="services">The service collection.</param>
    /// <param name="logName">The name the log was registered with.</param>
    /// <param name="consumerName">The consumer's name: 1 to 100 ASCII letters, digits, '-', '_' and '.', not starting with '.'.</param>
    /// <param name="configure">Adjusts the consumer's settings.</param>
    /// <returns><paramref name="services"/>.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="services"/> or <paramref name="consumerName"/> is <see langword="null"/>.</exception>
    /// <exception cref="ArgumentException"><paramref name="logName"/> is empty, <paramref name="consumerName"/> is not a consumer name, or this consumer of this log is already registered.</exception>
    public static IServiceCollection AddObjectLogConsumer<[DynamicallyAccessedMembers(DynamicallyAccessedMemberTypes.PublicConstructors)] THandler>(this IServiceCollection services, string logName, string consumerName, Action<ObjectLogConsumerOptions>? configure = null)
        where THandler : class, ILogEventHandler
    {
        ArgumentNullException.ThrowIfNull(services);
        ArgumentException.ThrowIfNullOrWhiteSpace(logName);
        ConsumerNames.Validate(consumerName, nameof(consumerName));
        string key = ConsumerStatus.KeyOf(logName, consumerName);
        if (services.Any(d => d.IsKeyedService && d.ServiceType == typeof(ConsumerStatus) && Equals(d.ServiceKey, key)))
        {
            throw new ArgumentException($"The consumer '{consumerName}' of the ObjectLog log '{logName}' is already registered; one process runs one instance of a consumer.", nameof(consumerName));
        }

        var status = new ConsumerStatus(logName, consumerName);
        services.AddKeyedSingleton(key, status);
        OptionsBuilder<ObjectLogConsumerOptions> options = services.AddOptions<ObjectLogConsumerOptions>(key);
        if (configure is not null)
        {
            options.Configure(configure);
        }

        services.TryAddScoped<THandler>();
        services.AddSingleton<IHostedService>(provider => new ObjectLogConsumerService(
            provider,
            status,
            scoped => scoped.GetRequiredService<THandler>(),
            (provider.GetService<ILoggerFactory>() ?? NullLoggerFactory.Instance).CreateLogger<ObjectLogConsumerService>()));
        return services;
    }

    private static RegisteredLogNames AddRegistry(IServiceCollection services)
    {
        var registered = new RegisteredLogNames();
        services.AddSingleton(registered);
        services.AddSingleton<RegisteredLogs>();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IHostedService, AppendLogShutdownService>());
        return registered;
    }
}
