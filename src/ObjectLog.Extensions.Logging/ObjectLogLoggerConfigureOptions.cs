using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Logging.Configuration;
using Microsoft.Extensions.Options;

namespace ObjectLog.Extensions.Logging;

/// <summary>
/// Binds <c>Logging:ObjectLog</c> to <see cref="ObjectLogLoggerOptions"/>, as <c>LoggerProviderOptions.RegisterProviderOptions</c>
/// would, but through the configuration binding source generator (<c>EnableConfigurationBindingGenerator</c>), so it
/// is safe under trimming and native AOT: that method binds by reflection.
/// </summary>
internal sealed class ObjectLogLoggerConfigureOptions(ILoggerProviderConfiguration<ObjectLogLoggerProvider> configuration) : IConfigureOptions<ObjectLogLoggerOptions>
{
    /// <exception cref="InvalidOperationException">
    /// A value does not convert (<c>"Compression": "Brotli"</c>); the message names the section, since the binder sees
    /// the provider's section alone and names the key within it.
    /// </exception>
    public void Configure(ObjectLogLoggerOptions options)
    {
        try
        {
            configuration.Configuration.Bind(options);
        }
        catch (InvalidOperationException e)
        {
            throw new InvalidOperationException($"Logging:ObjectLog: {e.Message}", e);
        }
    }
}
