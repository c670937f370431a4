using MassTransit;
using MassTransit.Configuration;

namespace NewsMonitor.ServiceDefaults;

/// <summary>
/// Sets the AMQP <c>type</c> basic property of every message the bus sends or publishes to the message's MassTransit
/// URN, e.g. <c>urn:message:NewsMonitor.Contracts:ArticleReceived</c>: the first entry of the envelope's
/// <c>messageType</c>, and, without its <c>urn:message:</c> prefix, the name of the type's exchange. A consumer in any
/// language can route on it without parsing the body. Connected to both the send and the publish pipe.
/// </summary>
public sealed class AmqpMessageType : ISendPipeSpecificationObserver, IPublishPipeSpecificationObserver
{
    /// <summary>The value of the <c>type</c> property for messages of type <typeparamref name="T"/>.</summary>
    public static string Of<T>() where T : class => Urn<T>.Value;

    /// <inheritdoc />
    public void MessageSpecificationCreated<T>(IMessageSendPipeSpecification<T> specification) where T : class =>
        specification.UseExecute(Stamp<T>);

    /// <inheritdoc />
    public void MessageSpecificationCreated<T>(IMessagePublishPipeSpecification<T> specification) where T : class =>
        specification.UseExecute(Stamp<T>);

    private static void Stamp<T>(SendContext<T> context) where T : class
    {
        if (context.TryGetPayload<RabbitMqSendContext>(out var rabbit)) rabbit.BasicProperties.Type = Urn<T>.Value;
    }

    private static class Urn<T> where T : class
    {
        public static readonly string Value = MessageUrn.ForTypeString<T>();
    }
}
