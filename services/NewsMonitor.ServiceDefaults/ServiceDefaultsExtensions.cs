using System.Reflection;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Diagnostics.HealthChecks;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Hosting;
using Microsoft.OpenApi;
using Npgsql;
using OpenTelemetry;
using OpenTelemetry.Resources;
using OpenTelemetry.Trace;

namespace NewsMonitor.ServiceDefaults;

/// <summary>What every NewsMonitor service and the gateway share: tracing, health checks, problem+json errors, input checks.</summary>
public static class ServiceDefaultsExtensions
{
    /// <summary>Adds OpenTelemetry tracing, health checks, problem details and the checks of hostile input.</summary>
    public static WebApplicationBuilder AddServiceDefaults(this WebApplicationBuilder builder, string serviceName)
    {
        // Every problem carries a type, also for statuses ASP.NET Core has none for (413, 414, 429, 431).
        builder.Services.AddProblemDetails(options => options.CustomizeProblemDetails = context =>
            context.ProblemDetails.Type ??= Problems.TypeOf(context.ProblemDetails.Status ?? context.HttpContext.Response.StatusCode));
        builder.Services.AddExceptionHandler<InputExceptionHandler>();
        // A save that lost to a concurrent writer is 409 (read again and retry), not 500 (issue 16, "One write path").
        builder.Services.AddExceptionHandler<WriteConflictExceptionHandler>();
        // Binding failures throw, so InputExceptionHandler can name the field and the reason instead of a bare 400.
        builder.Services.Configure<RouteHandlerOptions>(options => options.ThrowOnBadRequest = true);
        builder.Services.ConfigureHttpJsonOptions(options => options.SerializerOptions.Converters.Add(new CheckedStringConverter()));
        builder.WebHost.ConfigureKestrel(kestrel =>
        {
            kestrel.Limits.MaxRequestLineSize = RequestLimits.KestrelLineBytes;
            kestrel.Limits.MaxRequestHeadersTotalSize = RequestLimits.KestrelHeaderBytes;
        });
        // Every service publishes its OpenAPI document at /openapi/v1.json; the gateway shows them all at /docs.
        builder.Services.AddOpenApi(options => options.AddDocumentTransformer((document, _, _) =>
        {
            document.Info.Title = $"NewsMonitor {serviceName}";
            document.Info.Description = "Public routes are reached through the gateway with an X-Api-Key header (README, api.md).";
            // Served through the gateway: the reader's origin is the server, never this service's loopback address.
            document.Servers = [new OpenApiServer { Url = "/" }];
            document.Components ??= new OpenApiComponents();
            document.Components.SecuritySchemes ??= new Dictionary<string, IOpenApiSecurityScheme>();
            document.Components.SecuritySchemes["ApiKey"] = new OpenApiSecurityScheme
            {
                Type = SecuritySchemeType.ApiKey, In = ParameterLocation.Header, Name = "X-Api-Key", Description = "A key issued by an operator (POST /api/v1/keys).",
            };
            document.Security = [new OpenApiSecurityRequirement { [new OpenApiSecuritySchemeReference("ApiKey", document)] = [] }];
            return Task.CompletedTask;
        }).AddSchemaTransformer((schema, context, _) =>
        {
            // CheckedStringConverter (a custom converter) hides from the schema generator that these are strings.
            if (context.JsonTypeInfo.Type == typeof(string))
            {
                var nullable = context.JsonPropertyInfo?.AttributeProvider is PropertyInfo property
                    && new NullabilityInfoContext().Create(property).ReadState != NullabilityState.NotNull;
                schema.Type = nullable ? JsonSchemaType.String | JsonSchemaType.Null : JsonSchemaType.String;
            }
            return Task.CompletedTask;
        }));
        builder.Services.AddHealthChecks().AddCheck("self", () => HealthCheckResult.Healthy(), tags: ["live"]);
        // After a burst, give back what the GC committed for it once the process is idle (issue 17's memory target).
        builder.Services.AddHostedService<IdleMemoryTrim>();
        // Feed tokens travel in the path: keep them out of request logs and traces (SecretPaths).
        builder.AddSecretPathRedaction();

        var tracing = builder.Services.AddOpenTelemetry()
            .ConfigureResource(resource => resource.AddService(serviceName))
            .WithTracing(tracer => tracer
                .AddSource(Telemetry.SourceName)
                .AddSource("MassTransit")
                .AddSource("Marten")
                .AddAspNetCoreInstrumentation(options =>
                    options.Filter = context => !context.Request.Path.StartsWithSegments("/health", StringComparison.Ordinal))
                .AddHttpClientInstrumentation()
                .AddNpgsql());
        // Export only where a collector is configured (OTEL_EXPORTER_OTLP_ENDPOINT); tracing stays on for propagation.
        if (!string.IsNullOrWhiteSpace(builder.Configuration["OTEL_EXPORTER_OTLP_ENDPOINT"]))
        {
            tracing.UseOtlpExporter();
        }
        return builder;
    }

    /// <summary>
    /// Maps <c>/health/live</c> and <c>/health/ready</c>, turns unhandled errors and bare error statuses into problem+json,
    /// and answers requests over the documented URI and header limits (<see cref="RequestLimits"/>).
    /// </summary>
    public static WebApplication MapDefaultEndpoints(this WebApplication app)
    {
        app.UseExceptionHandler();
        app.UseStatusCodePages();
        app.UseRequestLimits();
        // Public by name: the OpenAPI document and the health probes; every other endpoint needs a caller (Access).
        app.MapOpenApi().AllowAnonymous();
        app.MapHealthChecks("/health/live", new HealthCheckOptions { Predicate = check => check.Tags.Contains("live") }).AllowAnonymous();
        app.MapHealthChecks("/health/ready", new HealthCheckOptions
        {
            Predicate = check => check.Tags.Contains("ready") || check.Tags.Contains("live"),
            ResponseWriter = HealthReportWriter.WriteAsync,
        }).AllowAnonymous();
        return app;
    }
}
