using MassTransit;

namespace NewsMonitor.ServiceDefaults;

/// <summary>The trace a consumed message belongs to, for a batch consumer (whose own activity is the batch's, not the message's).</summary>
public static class MessageTrace
{
    /// <summary>MassTransit's header with the sender's W3C trace context (its <c>DiagnosticHeaders.ActivityId</c>).</summary>
    public const string ActivityIdHeader = "MT-Activity-Id";

    /// <summary>The W3C <c>traceparent</c> the message was sent under, or null when it carried none.</summary>
    public static string? ParentOf(ConsumeContext context) =>
        context.ReceiveContext.TransportHeaders.Get<string>(ActivityIdHeader) ?? context.Headers.Get<string>(ActivityIdHeader);
}
