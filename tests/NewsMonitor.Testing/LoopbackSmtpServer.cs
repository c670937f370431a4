using System.Buffers;
using System.Collections.Concurrent;
using System.Net;
using System.Net.Sockets;
using MimeKit;
using SmtpServer;
using SmtpServer.Authentication;
using SmtpServer.ComponentModel;
using SmtpServer.Mail;
using SmtpServer.Protocol;
using SmtpServer.Storage;

namespace NewsMonitor.Testing;

/// <summary>
/// A real SMTP server (the SmtpServer package) on a free loopback port inside the test process. It keeps every message
/// that arrives, parsed with MimeKit, with the envelope; it can require a login, and it can be told to refuse every
/// message with a transient 451 reply (an SMTP server in trouble), or to answer again.
/// </summary>
public sealed class LoopbackSmtpServer : IDisposable
{
    private readonly CancellationTokenSource _stop = new();
    private readonly SmtpServer.SmtpServer _server;
    private readonly Task _running;

    /// <summary>One message as it arrived.</summary>
    public sealed record Received(string From, IReadOnlyList<string> To, MimeMessage Message, byte[] Raw);

    private LoopbackSmtpServer(int port, string? username, string? password)
    {
        Port = port;
        var options = new SmtpServerOptionsBuilder().ServerName("localhost")
            .Endpoint(endpoint => endpoint.Endpoint(new IPEndPoint(IPAddress.Loopback, port))
                .AuthenticationRequired(username is not null).AllowUnsecureAuthentication(username is not null))
            .Build();
        var services = new ServiceProvider();
        services.Add(new Store(this));
        if (username is not null) services.Add(new DelegatingUserAuthenticator((user, pass) => user == username && pass == password));
        _server = new SmtpServer.SmtpServer(options, services);
        _running = _server.StartAsync(_stop.Token);
    }

    /// <summary>The loopback port it listens on.</summary>
    public int Port { get; }

    /// <summary>Every message accepted so far, in order of arrival.</summary>
    public ConcurrentQueue<Received> Messages { get; } = new();

    /// <summary>Messages refused while <see cref="Refusing"/> was set.</summary>
    public int Refused => _refused;

    private int _refused;

    /// <summary>While set, every message is refused with 451 (a transient failure, which a client retries).</summary>
    public bool Refusing { get; set; }

    /// <summary>Starts a server on a free loopback port; with <paramref name="username"/>, clients must log in with it and <paramref name="password"/>.</summary>
    public static LoopbackSmtpServer Start(string? username = null, string? password = null)
    {
        // A port the system has just handed out and released; nothing else in the test process asks for fixed ports.
        using var probe = new TcpListener(IPAddress.Loopback, 0);
        probe.Start();
        var port = ((IPEndPoint)probe.LocalEndpoint).Port;
        probe.Stop();
        return new LoopbackSmtpServer(port, username, password);
    }

    /// <summary>The messages sent to <paramref name="address"/>.</summary>
    public IReadOnlyList<Received> To(string address) =>
        Messages.Where(message => message.To.Contains(address, StringComparer.OrdinalIgnoreCase)).ToList();

    /// <inheritdoc />
    public void Dispose()
    {
        _stop.Cancel();
        _server.Shutdown();
        try
        {
            _running.Wait(TimeSpan.FromSeconds(10));
        }
        catch (AggregateException)
        {
            // Stopping cancels the listener.
        }
        _stop.Dispose();
    }

    private sealed class Store(LoopbackSmtpServer server) : MessageStore
    {
        public override Task<SmtpResponse> SaveAsync(ISessionContext context, IMessageTransaction transaction, ReadOnlySequence<byte> buffer, CancellationToken cancellationToken)
        {
            if (server.Refusing)
            {
                Interlocked.Increment(ref server._refused);
                return Task.FromResult(new SmtpResponse((SmtpReplyCode)451, "local error, try again later"));
            }
            var raw = buffer.ToArray();
            using var stream = new MemoryStream(raw);
            var message = MimeMessage.Load(stream, cancellationToken);
            server.Messages.Enqueue(new Received(transaction.From.AsAddress(), transaction.To.Select(to => to.AsAddress()).ToList(), message, raw));
            return Task.FromResult(SmtpResponse.Ok);
        }
    }
}
