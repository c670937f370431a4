using Marten;
using MailKit;
using MailKit.Net.Smtp;
using MailKit.Security;
using MassTransit;
using Microsoft.Extensions.Options;
using MimeKit;
using NewsMonitor.Alerting.Alerts;
using NewsMonitor.Alerting.Feeds;
using NewsMonitor.Alerting.Subscriptions;
using NewsMonitor.Contracts;
using NewsMonitor.ServiceDefaults;

namespace NewsMonitor.Alerting.Delivery;

/// <summary>
/// Mails each alert of an immediate subscription, and each digest of an hourly or daily one, to the subscription's email
/// address over SMTP (MailKit). Its own durable queue (<c>email-delivery</c>). Failures are retried with exponential
/// backoff, each retry waiting in a RabbitMQ wait queue (<see cref="DeliveryRetry"/>), a bounded number of times (<see cref="EmailOptions.Attempts"/>); after the last try the message
/// is recorded as a dead letter on the subscription (<see cref="EmailDeliveryFailed"/>), whose email status becomes
/// <c>failing</c> until a message goes through again. At-least-once: a message whose sending succeeded but whose
/// acknowledgement was lost is sent again, with the same Message-ID (derived from the alert or digest id), so mail
/// clients and readers can tell it is the same message.
/// </summary>
public sealed class EmailDeliveryConsumer(IDocumentSession session, SmtpMailer mailer, IOptions<EmailOptions> options, IOptions<PublicLinkOptions> links,
    EmailLinkTokens tokens, TimeProvider clock, ILogger<EmailDeliveryConsumer> logger, ScheduledRedelivery redelivery) : IConsumer<AlertRaised>, IConsumer<AlertDigestCompiled>
{
    /// <summary>Mails an alert of an immediate subscription.</summary>
    public async Task Consume(ConsumeContext<AlertRaised> context)
    {
        var alert = context.Message;
        var subscription = await DeliverableAsync(alert.SubscriptionId, context.CancellationToken);
        // Hourly and daily subscriptions get their alerts in the period's digest instead.
        if (subscription is null || subscription.Mode != "immediate") return;
        var links = await ArticleLinks.LoadAsync(session, [alert.ArticleId], context.CancellationToken);
        var item = new EmailItem(alert.AlertId, alert.Title, links.GetValueOrDefault(alert.ArticleId)?.Url, alert.Matched, alert.RaisedAt);
        await DeliverAsync(context, subscription, alert.AlertId, [item], null);
    }

    /// <summary>Mails a digest of an hourly or daily subscription; an empty digest (the compiler makes none) is not mailed.</summary>
    public async Task Consume(ConsumeContext<AlertDigestCompiled> context)
    {
        var digest = context.Message;
        if (digest.Alerts.Count == 0) return;
        var subscription = await DeliverableAsync(digest.SubscriptionId, context.CancellationToken);
        if (subscription is null) return;
        var listed = digest.Alerts.Take(EmailMessages.MaxItems).ToList();
        var links = await ArticleLinks.LoadAsync(session, listed.Select(alert => alert.ArticleId), context.CancellationToken);
        var items = digest.Alerts.Select(alert => new EmailItem(alert.AlertId, alert.Title, links.GetValueOrDefault(alert.ArticleId)?.Url, alert.Matched, alert.RaisedAt)).ToList();
        await DeliverAsync(context, subscription, digest.DigestId, items, (digest.PeriodStart, digest.PeriodEnd));
    }

    private async Task<Subscription?> DeliverableAsync(Guid subscriptionId, CancellationToken cancellationToken)
    {
        if (!options.Value.Enabled) return null;
        var subscription = await session.LoadAsync<Subscription>(subscriptionId, cancellationToken);
        // Only to a confirmed address (double opt-in): a pending one gets nothing but its confirmation request.
        return subscription is { Deleted: false, MayMail: true } ? subscription : null;
    }

    // The articles' URLs as alerting noted them (null for articles noted before issue 15 or without one).
    private async Task DeliverAsync<T>(ConsumeContext<T> context, Subscription subscription, Guid deliveryId, IReadOnlyList<EmailItem> items,
        (DateTimeOffset, DateTimeOffset)? period) where T : class
    {
        var cancellationToken = context.CancellationToken;
        var settings = options.Value;
        var address = subscription.Email!.Address;
        var unsubscribe = links.Value.Link("/unsubscribe/" + tokens.Issue(EmailLink.Unsubscribe, subscription.Id, address))
                          ?? throw new InvalidOperationException("Alerting:PublicBaseUrl is not set; mail needs it for the unsubscribe link.");
        var letter = new EmailLetter(deliveryId, subscription.Name, subscription.Mode, new MailboxAddress(settings.From.Name, settings.From.Address!),
            MailboxAddress.Parse(address), items, period, unsubscribe, clock.GetUtcNow());
        // A fresh message per try: MimeKit may change a message while writing it (encodings), and the bytes stay the same.
        var attempt = ScheduledRedelivery.AttemptOf(context);
        var (error, mayPass) = await mailer.SendAsync(EmailMessages.Compose(letter), cancellationToken);
        // Outcomes are decided on the subscription as it is now (the one write path): a recovery another delivery recorded
        // first is not recorded twice, and nothing is recorded on a subscription deleted meanwhile.
        if (error is null)
        {
            if (subscription.EmailStatus == "failing") await session.RecordAsync(new RecordEmailRecovery(subscription.Id, deliveryId, clock.GetUtcNow()), cancellationToken);
            return;
        }
        if (DeliveryRetry.NextDelay(attempt, mayPass, settings.Attempts, settings.FirstRetryMilliseconds) is { } delay)
        {
            // The next try waits in RabbitMQ, not in this consumer: its slot goes to the next message at once.
            logger.LogInformation("Email delivery {DeliveryId} attempt {Attempt} failed ({Error}); retrying in {Delay} ms",
                deliveryId, attempt, error, (int)delay.TotalMilliseconds);
            await redelivery.ScheduleAsync(context, delay, attempt + 1);
            return;
        }
        // The address is the subscriber's personal data: the log names the subscription, not the address.
        logger.LogWarning("Email delivery {DeliveryId} for subscription {SubscriptionId} failed after {Attempts} attempts: {Error}", deliveryId, subscription.Id, attempt, error);
        await session.RecordAsync(new RecordEmailFailure(subscription.Id, deliveryId, attempt, error, clock.GetUtcNow()), cancellationToken);
    }
}

/// <summary>
/// Mails the confirmation request for a new email address (double opt-in): a subscriber can name any address, so
/// nothing but this one message goes there until its recipient confirms. Sent once, while the API request that set the
/// address waits; a failure is recorded on the subscription (<see cref="EmailDeliveryFailed"/> with an empty delivery
/// id, shown as <c>lastError</c> while the address stays <c>pending</c>), and setting the address again sends it again.
/// </summary>
public sealed class EmailConfirmations(SmtpMailer mailer, IOptions<EmailOptions> options, IOptions<PublicLinkOptions> links, EmailLinkTokens tokens,
    TimeProvider clock, ILogger<EmailConfirmations> logger)
{
    /// <summary>Sends the request for <paramref name="address"/> on <paramref name="subscription"/>; returns the error, or null.</summary>
    public async Task<string?> SendAsync(IDocumentSession session, Guid subscription, string name, string address, CancellationToken cancellationToken)
    {
        var settings = options.Value;
        var confirm = links.Value.Link("/email/confirm/" + tokens.Issue(EmailLink.Confirm, subscription, address))
                      ?? throw new InvalidOperationException("Alerting:PublicBaseUrl is not set; mail needs it for its links.");
        var message = EmailMessages.Confirmation(new MailboxAddress(settings.From.Name, settings.From.Address!), MailboxAddress.Parse(address), name, confirm, clock.GetUtcNow());
        var (error, _) = await mailer.SendAsync(message, cancellationToken);
        if (error is null) return null;
        logger.LogWarning("The email confirmation request for subscription {SubscriptionId} could not be sent: {Error}", subscription, error);
        await session.RecordAsync(new RecordEmailFailure(subscription, Guid.Empty, 1, "The confirmation request could not be sent: " + error, clock.GetUtcNow()), cancellationToken);
        return error;
    }
}

/// <summary>Its own queue with bounded concurrency: a slow or failing SMTP server holds at most this many delivery slots.</summary>
public sealed class EmailDeliveryConsumerDefinition : ConsumerDefinition<EmailDeliveryConsumer>
{
    /// <summary>Sets the concurrency limit.</summary>
    public EmailDeliveryConsumerDefinition() => ConcurrentMessageLimit = 8;
}

/// <summary>Sends one message over SMTP with MailKit, with the deployment's settings; one connection per message.</summary>
public sealed class SmtpMailer(IOptions<EmailOptions> options)
{
    /// <summary>Steps of one exchange (connect, login, send, quit), each allowed <see cref="EmailOptions.TimeoutSeconds"/>: the bound of the whole exchange.</summary>
    public const int ExchangeSteps = 4;

    /// <summary>
    /// Sends <paramref name="message"/>; returns the error (null on success) and whether another try may help: a
    /// permanent refusal (an SMTP 5xx reply, a failed login) does not change in seconds; a connection problem or a
    /// 4xx reply may. The error never carries the password (MailKit's messages do not contain it, and no protocol log is kept).
    /// </summary>
    public async Task<(string? Error, bool Retry)> SendAsync(MimeMessage message, CancellationToken cancellationToken)
    {
        var settings = options.Value;
        using var client = new SmtpClient { Timeout = settings.TimeoutSeconds * 1_000 };
        // MailKit's timeout bounds each read, not the exchange: a server that trickles a reply line by line (a greeting
        // of endless "220-" lines) would hold this delivery, and the consumer slot, forever. The whole exchange (connect,
        // login, send, quit) gets one timeout per step.
        var exchange = TimeSpan.FromSeconds(settings.TimeoutSeconds * ExchangeSteps);
        using var deadline = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        deadline.CancelAfter(exchange);
        var token = deadline.Token;
        try
        {
            var security = settings.Security.Trim().ToLowerInvariant() switch
            {
                "none" => SecureSocketOptions.None,
                "tls" => SecureSocketOptions.SslOnConnect,
                _ => SecureSocketOptions.StartTls,
            };
            await client.ConnectAsync(settings.Host!, settings.Port, security, token);
            if (!string.IsNullOrEmpty(settings.Username)) await client.AuthenticateAsync(settings.Username, settings.Password ?? "", token);
            await client.SendAsync(message, token);
            await client.DisconnectAsync(quit: true, token);
            return (null, true);
        }
        catch (OperationCanceledException) when (deadline.IsCancellationRequested && !cancellationToken.IsCancellationRequested)
        {
            return ($"SMTP exchange with {settings.Host}:{settings.Port} took longer than {exchange.TotalSeconds:0} s", true);
        }
        catch (SmtpCommandException exception)
        {
            return ($"SMTP {(int)exception.StatusCode} {exception.Message}", (int)exception.StatusCode < 500);
        }
        catch (AuthenticationException exception)
        {
            return ($"SMTP authentication failed: {exception.Message}", false);
        }
        catch (Exception exception) when (exception is SmtpProtocolException or ServiceNotConnectedException or IOException or System.Net.Sockets.SocketException
                                              or SslHandshakeException or TimeoutException or OperationCanceledException && !cancellationToken.IsCancellationRequested)
        {
            return ($"SMTP connection to {settings.Host}:{settings.Port} failed: {exception.Message}", true);
        }
    }
}
