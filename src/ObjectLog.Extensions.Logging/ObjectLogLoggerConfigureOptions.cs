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
    public void Configure(ObjectLogLoggerOptions options) => configuration.Configuration.Bind(options);
}
