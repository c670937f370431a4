using System.Globalization;
using System.Text.Json;
using CloudNative.CloudEvents;
using CloudNative.CloudEvents.SystemTextJson;

namespace NewsMonitor.Events.Feed;

/// <summary>
/// Puts a recorded event in its CloudEvents 1.0 envelope (CloudNative.CloudEvents, JSON format): <c>id</c> is the AMQP
/// message id, <c>data</c> the contract as on AMQP (camelCase JSON), and the extension <c>position</c> the event's place
/// in the feed.
/// </summary>
public static class FeedEnvelope
{
    /// <summary>
    /// The <c>position</c> extension. A string, not a CloudEvents Integer: that type is 32-bit by the specification
    /// and positions are 64-bit sequence numbers; the same digits are the SSE <c>id</c> and the page's <c>next</c>.
    /// </summary>
    public static readonly CloudEventAttribute Position = CloudEventAttribute.CreateExtension("position", CloudEventAttributeType.String);

    private static readonly JsonEventFormatter Formatter = new(new JsonSerializerOptions(JsonSerializerDefaults.Web), default);

    /// <summary>The CloudEvent of <paramref name="message"/>, recorded under message id <paramref name="id"/> at <paramref name="position"/>.</summary>
    public static CloudEvent Create(Guid id, long position, object message)
    {
        var type = FeedTypes.Of(message.GetType()) ?? throw new ArgumentException($"{message.GetType().Name} is not a feed event.", nameof(message));
        var cloudEvent = new CloudEvent(CloudEventsSpecVersion.V1_0, [Position])
        {
            Id = id.ToString(),
            Source = type.Source,
            Type = type.Name,
            Subject = FeedTypes.SubjectOf(message),
            Time = FeedTypes.TimeOf(message),
            DataContentType = "application/json",
            Data = message,
        };
        cloudEvent[Position] = position.ToString(CultureInfo.InvariantCulture);
        return cloudEvent;
    }

    /// <summary>The CloudEvent as a JSON object (structured mode, one event).</summary>
    public static JsonElement ToJson(CloudEvent cloudEvent) => Formatter.ConvertToJsonElement(cloudEvent);
}
