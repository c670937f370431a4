using JasperFx.Events;
using JasperFx.Events.Projections;
using Marten;
using NewsMonitor.Alerting.Delivery;
using NewsMonitor.Alerting.Digests;
using NewsMonitor.Alerting.Feeds;
using NewsMonitor.Alerting.Matching;
using NewsMonitor.Alerting.Subscriptions;
using Microsoft.Extensions.Options;
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
                // Issue 15: each subscription's Atom feed, found by its token's hash.
                options.Events.AddEventType<SubscriptionFeedIssued>();
                options.Events.AddEventType<SubscriptionFeedRevoked>();
                options.Schema.For<Subscription>().Index(subscription => subscription.FeedTokenHash!);
                options.Events.AddEventType<EmailDeliveryFailed>();
                options.Events.AddEventType<EmailDeliveryRecovered>();
                options.Events.AddEventType<EmailUnsubscribed>();
                options.Events.AddEventType<EmailConfirmed>();
            })
            .AddSubscriptionWithServices<AlertingRelay>(ServiceLifetime.Singleton);
        builder.AddMessaging("alerting", bus =>
        {
            // Facts in batches, one transaction each (ArticleFactRecorder); an article's text raises the most alerts.
            bus.AddBatchConsumer<ArticleReceivedConsumer, NewsMonitor.Contracts.ArticleReceived>(16);
            bus.AddBatchConsumer<EntitiesExtractedConsumer, NewsMonitor.Contracts.EntitiesExtracted>(16);
            bus.AddBatchConsumer<ArticleClassifiedConsumer, NewsMonitor.Contracts.ArticleClassified>(16);
            bus.AddConsumer<WebhookDeliveryConsumer>(typeof(WebhookDeliveryConsumerDefinition));
            bus.AddConsumer<EmailDeliveryConsumer>(typeof(EmailDeliveryConsumerDefinition));
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
        // The subscription index is rebuilt when a subscription changes on any replica (a NOTIFY), not checked per article.
        builder.AddAggregateChanges<Subscription>();
        builder.Services.AddSingleton<SubscriptionIndex>();
        builder.Services.AddSingleton<ArticleFactRecorder>();
        builder.Services.AddScoped<DigestCompiler>();
        // Feed tokens are sealed under the same key ring as webhook secrets, with a purpose of their own.
        builder.Services.AddSingleton<FeedTokens>();
        builder.Services.AddHostedService<LegacyFeedTokens>();
        builder.Services.AddHostedService<DigestScheduler>();
        builder.AddEmailDelivery();
        return builder;
    }

    /// <summary>
    /// Email delivery (issue 15): SMTP settings from <c>Alerting:Email</c>, public links from <c>Alerting:PublicBaseUrl</c>.
    /// With a host configured the service does not start without a sender address and a public base URL: every message
    /// carries an unsubscribe link and a From address, and a message without them would be refused or useless.
    /// </summary>
    public static WebApplicationBuilder AddEmailDelivery(this WebApplicationBuilder builder)
    {
        builder.Services.AddOptions<EmailOptions>().Bind(builder.Configuration.GetSection("Alerting:Email"))
            .Validate(email => !email.Enabled || EmailTargets.Check(email.From.Address) is null, "Alerting:Email:From:Address must be a valid address when Alerting:Email:Host is set.")
            .Validate(email => email.Security.Trim().ToLowerInvariant() is "none" or "starttls" or "tls", "Alerting:Email:Security must be none, starttls or tls.")
            .ValidateOnStart();
        builder.Services.AddOptions<PublicLinkOptions>().Bind(builder.Configuration.GetSection("Alerting"))
            .Validate(links => string.IsNullOrWhiteSpace(links.PublicBaseUrl) || Uri.TryCreate(links.PublicBaseUrl, UriKind.Absolute, out var uri) && uri.Scheme is "http" or "https",
                "Alerting:PublicBaseUrl must be an absolute http(s) URL.")
            .ValidateOnStart();
        builder.Services.AddOptions<EmailOptions>()
            .Validate<IOptions<PublicLinkOptions>>((email, links) => !email.Enabled || !string.IsNullOrWhiteSpace(links.Value.PublicBaseUrl),
                "Alerting:PublicBaseUrl (the gateway's public URL) is required when Alerting:Email:Host is set: every message carries an unsubscribe link.");
        builder.Services.AddSingleton<SmtpMailer>();
        builder.Services.AddSingleton<EmailLinkTokens>();
        builder.Services.AddSingleton<EmailConfirmations>();
        return builder;
    }
}
