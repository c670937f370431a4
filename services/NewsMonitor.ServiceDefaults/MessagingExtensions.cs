using MassTransit;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Logging;
using MassTransit.RabbitMqTransport.Configuration;

namespace NewsMonitor.ServiceDefaults;

/// <summary>MassTransit on RabbitMQ, wired the same way in every service.</summary>
public static class MessagingExtensions
{
    /// <summary>
    /// Adds MassTransit on the RabbitMQ node of the <c>RabbitMq</c> configuration section. Queues are named
    /// <c>&lt;service&gt;-&lt;consumer&gt;</c> in kebab case so each service gets its own copy of every event;
    /// failed messages are retried with backoff and then moved to the <c>_error</c> queue. <c>RabbitMq:Username</c> and
    /// <c>RabbitMq:Password</c> are required (there is no <c>guest</c> fallback). Every message sent or published carries
    /// its type in the AMQP <c>type</c> property (<see cref="AmqpMessageType"/>); MassTransit's usage telemetry, which
    /// would report to an internet host, is off. Durable endpoint queues (and so their <c>_error</c> and <c>_skipped</c>
    /// queues, which copy their arguments) are quorum queues; classic ones left by an older version are moved before the bus
    /// starts (<see cref="QuorumMigration"/>). Broker alarms are watched (<see cref="BrokerPressure"/>).
    /// </summary>
    public static WebApplicationBuilder AddMessaging(this WebApplicationBuilder builder, string serviceName, Action<IBusRegistrationConfigurator> configure)
    {
        var section = builder.Configuration.GetSection("RabbitMq");
        builder.Services.TryAddSingleton<BrokerConnections>();
        builder.Services.TryAddSingleton(TimeProvider.System);
        builder.Services.TryAddSingleton<BrokerPressure>();
        builder.Services.TryAddSingleton<ScheduledRedelivery>();
        // Registered before MassTransit's own hosted service, so it runs (and finishes) before the bus declares its queues.
        builder.Services.AddHostedService(services => new QuorumMigration(services.GetRequiredService<BrokerConnections>(), serviceName,
            services.GetRequiredService<ILogger<QuorumMigration>>()));
        builder.Services.AddHostedService<BrokerAlarmWatch>();
        builder.Services.AddHealthChecks().AddCheck<BrokerAlarmHealthCheck>("broker-alarm", tags: ["ready"]);
        builder.Services.AddMassTransit(bus =>
        {
            // On by default since MassTransit 8.4: a report to usage-tracking.masstransit.io after start. The environment
            // variable MASSTRANSIT_USAGE_TELEMETRY, when set, still overrides this (MassTransit reads it last).
            bus.DisableUsageTelemetry();
            bus.SetEndpointNameFormatter(new KebabCaseEndpointNameFormatter(serviceName, includeNamespace: false));
            configure(bus);
            // Runs after an endpoint's definition is applied, so a temporary endpoint is already non-durable and auto-delete here.
            bus.AddConfigureEndpointsCallback((_, endpoint) =>
            {
                if (endpoint is IRabbitMqReceiveEndpointConfigurator rabbit and IRabbitMqReceiveEndpointConfiguration { Settings: var settings }
                    && QuorumQueues.ShouldBeQuorum(settings.Durable, settings.AutoDelete))
                    rabbit.SetQuorumQueue();
            });
            bus.UsingRabbitMq((context, rabbit) =>
            {
                rabbit.Host(
                    section["Host"] ?? "127.0.0.1",
                    ushort.Parse(section["Port"] ?? "5672"),
                    section["VirtualHost"] ?? "/",
                    host =>
                    {
                        host.Username(Required(section, "Username"));
                        host.Password(Required(section, "Password"));
                    });
                var messageType = new AmqpMessageType();
                rabbit.ConfigureSend(send => send.ConnectSendPipeSpecificationObserver(messageType));
                rabbit.ConfigurePublish(publish => publish.ConnectPublishPipeSpecificationObserver(messageType));
                // Outer: while the database is unreachable (restart, fail-over), keep retrying for about three minutes
                // instead of parking every message that arrives during the outage in _error (the reliability suite's
                // PostgreSQL restart parked one). Inner: 5 quick tries for everything else, then _error.
                rabbit.UseMessageRetry(retry =>
                {
                    retry.Handle<Exception>(TransientInfrastructure.IsTransient);
                    retry.Interval(12, TimeSpan.FromSeconds(5));
                });
                rabbit.UseMessageRetry(retry => retry.Exponential(5, TimeSpan.FromMilliseconds(200), TimeSpan.FromSeconds(10), TimeSpan.FromMilliseconds(300)));
                rabbit.ConfigureEndpoints(context);
            });
        });
        // Start only once the bus is connected and every queue is declared and bound: otherwise an event published in
        // the first moments goes to an exchange with no queue yet and is lost (seen on a loaded CI machine).
        builder.Services.Configure<MassTransitHostOptions>(options =>
        {
            options.WaitUntilStarted = true;
            options.StartTimeout = TimeSpan.FromSeconds(60);
        });
        return builder;
    }

    private static string Required(IConfigurationSection section, string key) =>
        section[key] is { Length: > 0 } value ? value : throw new InvalidOperationException($"{section.Path}:{key} is not configured.");
}
