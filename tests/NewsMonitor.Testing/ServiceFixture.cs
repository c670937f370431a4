using Xunit;

namespace NewsMonitor.Testing;

/// <summary>
/// One service per test class, in its own schema and virtual host, with a probe listening for the messages the
/// class asserts on. Tests of a class share it and keep apart by using their own article ids.
/// </summary>
public abstract class ServiceFixture<TProgram> : IAsyncLifetime where TProgram : class
{
    /// <summary>Creates names for the fixture's schema and virtual host from <paramref name="name"/>.</summary>
    protected ServiceFixture(string name)
    {
        Schema = TestInfrastructure.UniqueName(name);
        VirtualHost = TestInfrastructure.UniqueName(name);
    }

    /// <summary>The service's Marten schema.</summary>
    public string Schema { get; }

    /// <summary>The RabbitMQ virtual host.</summary>
    public string VirtualHost { get; }

    /// <summary>The hosted service.</summary>
    public ServiceFactory<TProgram> Service { get; private set; } = null!;

    /// <summary>HTTP client of the hosted service, calling as the gateway does for an operator (<see cref="ServiceFactory{TProgram}.CreateGatewayClient"/>).</summary>
    public HttpClient Client { get; private set; } = null!;

    /// <summary>Records the messages of <see cref="ProbedMessages"/> and publishes test input.</summary>
    public MessageProbe Probe { get; private set; } = null!;

    /// <summary>Message types the probe records.</summary>
    protected abstract Type[] ProbedMessages { get; }

    /// <summary>Whether the virtual host also gets its consume-only integrator account (<see cref="TestInfrastructure.RabbitIntegratorOf"/>).</summary>
    protected virtual bool IntegratorAccount => false;

    /// <summary>Extra configuration of the hosted service.</summary>
    protected virtual IReadOnlyDictionary<string, string?> Settings { get; } = new Dictionary<string, string?>();

    /// <inheritdoc />
    public async ValueTask InitializeAsync()
    {
        await TestInfrastructure.CreateVirtualHostAsync(VirtualHost, IntegratorAccount);
        Probe = await MessageProbe.StartAsync(VirtualHost, ProbedMessages);
        Service = new ServiceFactory<TProgram>(Schema, VirtualHost, Settings);
        Client = Service.CreateGatewayClient();
    }

    /// <inheritdoc />
    public async ValueTask DisposeAsync()
    {
        await Service.DisposeAsync();
        await Probe.DisposeAsync();
        await TestInfrastructure.DropSchemasAsync(Schema);
        await TestInfrastructure.DeleteVirtualHostAsync(VirtualHost);
        GC.SuppressFinalize(this);
    }

    /// <summary>
    /// Stops the hosted service and starts it again on the same schema and virtual host, as a redeploy does: what it
    /// stored and the messages waiting in its durable queues stay; what it held in memory is gone.
    /// </summary>
    public async Task RestartAsync(Func<Task>? whileStopped = null)
    {
        Client.Dispose();
        await Service.DisposeAsync();
        if (whileStopped is not null) await whileStopped();
        Service = new ServiceFactory<TProgram>(Schema, VirtualHost, Settings);
        Client = Service.CreateGatewayClient();
    }

    /// <summary>Number of events stored in the service's schema.</summary>
    public Task<long> StoredEventsAsync(string? type = null) => TestInfrastructure.ScalarAsync<long>(
        $"select count(*) from \"{Schema}\".mt_events" + (type is null ? "" : $" where type = '{type}'"));
}
