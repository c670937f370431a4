using JasperFx.Events;
using JasperFx.Events.Projections;
using Marten;
using NewsMonitor.Alerting.Delivery;
using NewsMonitor.Alerting.Digests;
using NewsMonitor.Alerting.Matching;
using NewsMonitor.Alerting.Subscriptions;
using NewsMonitor.ServiceDefaults;

namespace NewsMonitor.Alerting.Alerts;

/// <summary>Registers subscriptions and alerting: event store, relay, consumer.</summary>
public static class AlertingModule
{
    /// <summary>Adds everything subscriptions and alerts need.</summary>
    public static WebApplicationBuilder AddAlerting(this WebApplicationBuilder builder)
    {
        builder.AddEventStore("alerting", options =>
            {
                // Rich appends assign the global sequence before inline projections run: the alert feed's cursor.
                options.Events.AppendMode = EventAppendMode.Rich;
                options.Projections.Snapshot<Subscription>(SnapshotLifecycle.Inline);
                options.Projections.Snapshot<Alert>(SnapshotLifecycle.Inline);
                options.Schema.For<Alert>().Index(alert => alert.Sequence).Index(alert => alert.SubscriptionId).Index(alert => alert.RaisedAt);
                options.Schema.For<Subscription>().Index(subscription => subscription.Tenant);
                options.Events.AddEventType<SubscriptionCreated>();
                options.Events.AddEventType<SubscriptionChanged>();
                options.Events.AddEventType<SubscriptionDeleted>();
                options.Events.AddEventType<SubscriptionPaused>();
                options.Events.AddEventType<SubscriptionResumed>();
                options.Events.AddEventType<WebhookDeliveryFailed>();
                options.Events.AddEventType<WebhookDeliveryRecovered>();
                options.Events.AddEventType<WebhookSecretSealed>();
                // What masking leaves of an event stored with a clear webhook secret (LegacyWebhookSecrets): no secret.
                options.Events.AddMaskingRuleForProtectedInformation<SubscriptionCreated>(created =>
                    created.Webhook is null ? created : created with { Webhook = created.Webhook with { Secret = null } });
                options.Events.AddMaskingRuleForProtectedInformation<SubscriptionChanged>(changed =>
                    changed.Webhook is null ? changed : changed with { Webhook = changed.Webhook with { Secret = null } });
                options.Events.AddEventType<DigestCompiled>();
                options.Projections.Snapshot<Digest>(SnapshotLifecycle.Inline);
                options.Schema.For<Digest>().Index(digest => digest.SubscriptionId);
                options.Events.AddEventType<AlertTriggered>();
                options.Events.AddEventType<ArticleEvaluated>();
                options.Events.AddEventType<AlertsWithheldAsRepeats>();
                options.Events.AddEventType<ArticleTextNoted>();
                options.Events.AddEventType<ArticleEntitiesNoted>();
                options.Events.AddEventType<ArticleTopicsNoted>();
                // The article's facts are folded on read (FetchForWriting); no document is kept for them.
                options.Projections.LiveStreamAggregation<AlertingArticle>();
            })
            .AddSubscriptionWithServices<AlertingRelay>(ServiceLifetime.Singleton);
        builder.AddMessaging("alerting", bus =>
        {
            bus.AddConsumer<ArticleReceivedConsumer>();
            bus.AddConsumer<EntitiesExtractedConsumer>();
            bus.AddConsumer<ArticleClassifiedConsumer>();
            bus.AddConsumer<WebhookDeliveryConsumer>(typeof(WebhookDeliveryConsumerDefinition));
            // Each node needs every alert for its own stream clients: a temporary queue per instance, not a shared one.
            bus.AddConsumer<AlertStreamConsumer>().Endpoint(endpoint =>
            {
                endpoint.InstanceId = Guid.NewGuid().ToString("N")[..8];
                endpoint.Temporary = true;
            });
        });
        builder.Services.AddSingleton<AlertWakeUp>();
        builder.Services.Configure<WebhookOptions>(builder.Configuration.GetSection("Alerting:Webhooks"));
        // Deliveries connect only to addresses the outbound policy allows, checked on the address connected to; no
        // redirects (one could lead anywhere) and no proxy. The client's own request logs are off: they print the URL,
        // whose path some receivers use as a bearer token; the consumer logs what a reader needs.
        builder.Services.AddHttpClient(WebhookDeliveryConsumer.ClientName, client => client.Timeout = TimeSpan.FromSeconds(10))
            .ConfigurePrimaryHttpMessageHandler(services =>
                OutboundAddressPolicy.CreateHandler(services.GetRequiredService<Microsoft.Extensions.Options.IOptions<WebhookOptions>>().Value.AllowPrivateTargets))
            .RemoveAllLoggers();
        // Webhook secrets are sealed at rest under Data Protection, its key ring in this service's schema.
        builder.AddDataProtectionKeyRing("alerting");
        builder.Services.AddSingleton<WebhookSecrets>();
        builder.Services.AddHostedService<LegacyWebhookSecrets>();
        builder.Services.AddSingleton(TimeProvider.System);
        builder.Services.AddSingleton<SubscriptionIndex>();
        builder.Services.AddScoped<ArticleFactRecorder>();
        builder.Services.AddScoped<DigestCompiler>();
        builder.Services.AddHostedService<DigestScheduler>();
        return builder;
    }
}
