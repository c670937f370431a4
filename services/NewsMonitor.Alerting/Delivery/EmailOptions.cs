namespace NewsMonitor.Alerting.Delivery;

/// <summary>
/// SMTP settings (<c>Alerting:Email</c>, e.g. <c>Alerting__Email__Host</c>). Without <see cref="Host"/> email delivery is
/// off and a subscription asking for it is refused. The password is read from configuration only and never printed:
/// <see cref="ToString"/> leaves it out, and nothing logs the options.
/// </summary>
public sealed class EmailOptions
{
    /// <summary>The SMTP server's host name; empty: email delivery is off.</summary>
    public string? Host { get; set; }

    /// <summary>The SMTP port: 587 for <c>starttls</c>, 465 for <c>tls</c>, 25 (or a relay's own) for <c>none</c>.</summary>
    public int Port { get; set; } = 587;

    /// <summary><c>starttls</c> (default: upgrade required, fails if the server does not offer it), <c>tls</c> (TLS from the first byte) or <c>none</c> (closed networks and tests).</summary>
    public string Security { get; set; } = "starttls";

    /// <summary>The SMTP account; empty: no authentication.</summary>
    public string? Username { get; set; }

    /// <summary>The SMTP account's password. Never logged.</summary>
    public string? Password { get; set; }

    /// <summary>The sender of every message.</summary>
    public EmailSender From { get; set; } = new();

    /// <summary>Tries per message before it becomes a dead letter on the subscription.</summary>
    public int Attempts { get; set; } = 5;

    /// <summary>Wait before the first retry; each retry waits twice as long (at most 15 minutes), in a RabbitMQ wait queue of that delay.</summary>
    public int FirstRetryMilliseconds { get; set; } = 2_000;

    /// <summary>Timeout of each SMTP connection's commands.</summary>
    public int TimeoutSeconds { get; set; } = 30;

    /// <summary>Whether email delivery is on (a host is configured).</summary>
    public bool Enabled => !string.IsNullOrWhiteSpace(Host);

    /// <summary>The settings without the password.</summary>
    public override string ToString() => $"{Host}:{Port} ({Security}), user {Username ?? "none"}, password {(string.IsNullOrEmpty(Password) ? "none" : Redaction())}";

    private static string Redaction() => Subscriptions.Redaction.Hidden;
}

/// <summary>The sender of alert mail (<c>Alerting:Email:From</c>).</summary>
public sealed class EmailSender
{
    /// <summary>The sender's address, e.g. <c>alerts@newsmonitor.example</c>; required when email is on.</summary>
    public string? Address { get; set; }

    /// <summary>The sender's display name.</summary>
    public string Name { get; set; } = "NewsMonitor";
}

/// <summary>Public addresses (<c>Alerting:PublicBaseUrl</c>): the gateway's URL as readers reach it, for links in mail and feeds.</summary>
public sealed class PublicLinkOptions
{
    /// <summary>E.g. <c>https://news.example.org</c>; no trailing slash needed.</summary>
    public string? PublicBaseUrl { get; set; }

    /// <summary>An absolute link to <paramref name="path"/> (which starts with <c>/</c>), or null without a base URL.</summary>
    public string? Link(string path) => string.IsNullOrWhiteSpace(PublicBaseUrl) ? null : PublicBaseUrl.TrimEnd('/') + path;
}
