using Microsoft.Extensions.DependencyInjection.Extensions;

namespace NewsMonitor.Sources.Fetching;

/// <summary>Registers the polite fetcher.</summary>
public static class FetchingModule
{
    /// <summary>
    /// Binds <see cref="FetchOptions"/> from the "Sources" section (checked at start) and registers one
    /// <see cref="PoliteFetcher"/> for the process: its per-host limits only hold if everyone shares it.
    /// </summary>
    public static IServiceCollection AddPoliteFetcher(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddOptions<FetchOptions>()
            .Bind(configuration.GetSection(FetchOptions.Section))
            .Validate(options => options.MaxConcurrentPerHost >= 1, "Sources:MaxConcurrentPerHost must be at least 1.")
            .Validate(options => options.MinIntervalPerHost >= TimeSpan.Zero, "Sources:MinIntervalPerHost must not be negative.")
            .Validate(options => options.ConnectTimeout > TimeSpan.Zero && options.ResponseTimeout > TimeSpan.Zero,
                "Sources:ConnectTimeout and Sources:ResponseTimeout must be positive.")
            .Validate(options => options.MaxResponseBytes >= 1, "Sources:MaxResponseBytes must be at least 1.")
            .Validate(options => options.MaxRedirects >= 0, "Sources:MaxRedirects must not be negative.")
            .Validate(options => options.HostBackoff >= TimeSpan.Zero, "Sources:HostBackoff must not be negative.")
            .Validate(options => !string.IsNullOrWhiteSpace(options.UserAgent), "Sources:UserAgent must not be empty.")
            .ValidateOnStart();
        services.TryAddSingleton(TimeProvider.System);
        services.AddSingleton<PoliteFetcher>();
        return services;
    }
}
