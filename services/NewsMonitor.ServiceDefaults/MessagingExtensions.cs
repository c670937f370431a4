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
        // Registered before MassTransit's hosted service, so its stop runs after the bus has stopped taking deliveries.
        builder.Services.TryAddSingleton<InFlightDeliveries>();
        builder.Services.AddHostedService(services => services.GetRequiredService<InFlightDeliveries>());
        builder.Services.AddReceiveObserver(services => services.GetRequiredService<InFlightDeliveries>());
        builder.Services.AddHealthChecks().AddCheck<BrokerAlarmHealthCheck>("broker-alarm", tags: ["ready"]);
        builder.Services.AddMassTransit(bus =>
        {
            // On by default since MassTransit 8.4: a report to usage-tracking.masstransit.io after start. The environment
            // variable MASSTRANSIT_USAGE_TELEMETRY, when set, still overrides this (MassTransit reads it last).
            bus.DisableUsageTelemetry();
            var formatter = new KebabCaseEndpointNameFormatter(serviceName, includeNamespace: false);
            bus.SetEndpointNameFormatter(formatter);
            var batches = new BatchEndpoints();
            bus.AddSingleton(batches);
            configure(bus);
            // Read when the bus is built, not now: a host (a test's WebApplicationFactory) may still add configuration.
            var outage = new Lazy<OutageRetry>(() => OutageRetry.From(builder.Configuration));
            var batchRetries = batches.ByEndpointName(formatter);
            var batchEndpointsSeen = new HashSet<string>(StringComparer.Ordinal);
            // Runs after an endpoint's definition is applied, so a temporary endpoint is already non-durable and auto-delete here.
            bus.AddConfigureEndpointsCallback((name, endpoint) =>
            {
                if (endpoint is IRabbitMqReceiveEndpointConfigurator rabbit and IRabbitMqReceiveEndpointConfiguration { Settings: var settings }
                    && QuorumQueues.ShouldBeQuorum(settings.Durable, settings.AutoDelete))
                    rabbit.SetQuorumQueue();
                if (batchRetries.TryGetValue(name, out var retryEachMessage))
                {
                    retryEachMessage(endpoint, outage.Value);
                    lock (batchEndpointsSeen) batchEndpointsSeen.Add(name);
                }
                else Retries.Apply(endpoint, outage.Value);
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
                rabbit.ConfigureEndpoints(context);
                // A batch endpoint renamed by a definition would get the retry that wraps its batch (a poison message would
                // park the whole batch again): fail at start instead.
                if (batchRetries.Keys.FirstOrDefault(name => !batchEndpointsSeen.Contains(name)) is { } missing)
                    throw new InvalidOperationException($"The batch endpoint {missing} was not configured under that name: its per-message retry would not apply.");
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

    /// <summary>
    /// Adds a batch consumer (<c>IConsumer&lt;Batch&lt;TMessage&gt;&gt;</c>) whose messages are written one transaction per
    /// batch (<see cref="BatchAppends"/>): at most <paramref name="messageLimit"/> messages, waiting at most
    /// <see cref="BatchWait"/> for a batch to fill, two batches in flight (one is read and decided while the other saves),
    /// and room in the prefetch for a third to fill meanwhile. Retries are per message, not per batch
    /// (<see cref="Retries.ApplyToEach{TMessage}"/>): a batch that fails is not retried as a whole; each of its messages
    /// is retried on its own, so one poison message is parked alone and the rest of its batch is stored.
    /// </summary>
    public static void AddBatchConsumer<TConsumer, TMessage>(this IBusRegistrationConfigurator bus, int messageLimit)
        where TConsumer : class, IConsumer<Batch<TMessage>>
        where TMessage : class
    {
        bus.AddConsumer<TConsumer>((_, consumer) => consumer.Options<BatchOptions>(batch => batch
                .SetMessageLimit(messageLimit).SetTimeLimit(BatchWait).SetConcurrencyLimit(2)))
            .Endpoint(endpoint => endpoint.PrefetchCount = 3 * messageLimit);
        var batches = bus.Where(service => service.ServiceType == typeof(BatchEndpoints)).Select(service => service.ImplementationInstance).OfType<BatchEndpoints>().SingleOrDefault()
            ?? throw new InvalidOperationException("AddBatchConsumer is called inside AddMessaging's configuration.");
        batches.Add(formatter => formatter.Consumer<TConsumer>(), Retries.ApplyToEach<TMessage>);
    }

    /// <summary>The longest a batch consumer's first message waits for more: the latency a batch adds when traffic is light.</summary>
    public static readonly TimeSpan BatchWait = TimeSpan.FromMilliseconds(20);

    private static string Required(IConfigurationSection section, string key) =>
        section[key] is { Length: > 0 } value ? value : throw new InvalidOperationException($"{section.Path}:{key} is not configured.");
}

/// <summary>
/// The two retries every consumer gets, and their order matters. MassTransit does not multiply nested retries: a retry
/// filter that gives up on an exception it handles marks the message as retried, and every retry filter outside it then
/// passes the exception on at once. So the outage retry must be the inner one: it waits out a database that cannot be
/// reached (restart, fail-over) for OutageRetries × OutageRetryInterval instead of parking every message that arrives
/// meanwhile in _error, and if the outage outlasts it the message is parked without five more tries. Everything else
/// passes through it untouched to the outer retry: 5 quick tries, then _error. (The other order, tried first, never
/// waited out anything: the fault suite's PostgreSQL restart parked a message after the 5 quick tries, about 4 s, inside a
/// 5 s outage.)
/// </summary>
internal static class Retries
{
    private static void Quick(IRetryConfigurator retry) =>
        retry.Exponential(5, TimeSpan.FromMilliseconds(200), TimeSpan.FromSeconds(10), TimeSpan.FromMilliseconds(300));

    private static Action<IRetryConfigurator> Outage(OutageRetry outage) => retry =>
    {
        retry.Handle<Exception>(TransientInfrastructure.IsTransient);
        retry.Interval(outage.Retries, outage.Interval);
    };

    /// <summary>The retries of an endpoint of ordinary consumers: each message, as it is consumed.</summary>
    public static void Apply(IReceiveEndpointConfigurator endpoint, OutageRetry outage)
    {
        endpoint.UseMessageRetry(Quick);
        endpoint.UseMessageRetry(Outage(outage));
    }

    /// <summary>
    /// The same retries on a batch consumer's endpoint, around each <typeparamref name="TMessage"/> before it joins a batch.
    /// <c>UseMessageRetry</c> there would wrap the batch instead: a batch that kept failing because of one poison message
    /// was retried five times as a whole and then every message of it was parked together (MassTransit 8.5 attaches
    /// message retry to the batch consumer). A retried message comes back in a later batch; the messages of its batch
    /// that were stored find their work done (every decision is idempotent).
    /// </summary>
    public static void ApplyToEach<TMessage>(IReceiveEndpointConfigurator endpoint, OutageRetry outage) where TMessage : class
    {
#pragma warning disable CS0618 // the per-message-type retry is what a batch endpoint needs; its replacement wraps the batch
        endpoint.UseRetry<TMessage>(Quick);
        endpoint.UseRetry<TMessage>(Outage(outage));
#pragma warning restore CS0618
    }
}

/// <summary>The batch consumers a service registered (<see cref="MessagingExtensions.AddBatchConsumer{TConsumer, TMessage}"/>), for their endpoints' retries.</summary>
internal sealed class BatchEndpoints
{
    private readonly List<(Func<IEndpointNameFormatter, string> NameOf, Action<IReceiveEndpointConfigurator, OutageRetry> Retry)> _endpoints = [];

    public void Add(Func<IEndpointNameFormatter, string> nameOf, Action<IReceiveEndpointConfigurator, OutageRetry> retry) => _endpoints.Add((nameOf, retry));

    public IReadOnlyDictionary<string, Action<IReceiveEndpointConfigurator, OutageRetry>> ByEndpointName(IEndpointNameFormatter formatter) =>
        _endpoints.ToDictionary(endpoint => endpoint.NameOf(formatter), endpoint => endpoint.Retry, StringComparer.Ordinal);
}

/// <summary>How long a message waits out a database outage before it is parked (<c>NewsMonitor:Messaging</c> section).</summary>
/// <param name="Retries">Tries after the first (<c>OutageRetries</c>, 36 by default).</param>
/// <param name="Interval">The wait before each (<c>OutageRetryMilliseconds</c>, 5,000 by default): three minutes in all.</param>
public sealed record OutageRetry(int Retries, TimeSpan Interval)
{
    /// <summary>The settings of <paramref name="configuration"/>, or the defaults.</summary>
    public static OutageRetry From(IConfiguration configuration)
    {
        var section = configuration.GetSection("NewsMonitor:Messaging");
        var retries = int.TryParse(section["OutageRetries"], out var count) && count >= 0 ? count : 36;
        var interval = int.TryParse(section["OutageRetryMilliseconds"], out var milliseconds) && milliseconds > 0 ? milliseconds : 5_000;
        return new OutageRetry(retries, TimeSpan.FromMilliseconds(interval));
    }
}
