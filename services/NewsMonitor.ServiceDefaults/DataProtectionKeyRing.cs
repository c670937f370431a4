using System.Xml.Linq;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.DataProtection;
using Microsoft.AspNetCore.DataProtection.KeyManagement;
using Microsoft.AspNetCore.DataProtection.Repositories;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Npgsql;

namespace NewsMonitor.ServiceDefaults;

/// <summary>
/// ASP.NET Core Data Protection for secrets a service keeps at rest (webhook secrets), with its key ring in PostgreSQL:
/// table <c>data_protection_keys</c> in the service's own schema (<c>NewsMonitor:Schema</c>). Keys survive restarts and
/// every replica of the service shares them (same table, same application name).
/// </summary>
public static class DataProtectionKeyRing
{
    /// <summary>
    /// Adds Data Protection under application name <c>NewsMonitor.&lt;<paramref name="defaultSchema"/>&gt;</c> with the
    /// key ring in the service's schema, and creates the first key at start under an advisory lock, so replicas that
    /// start together agree on one key instead of each making its own.
    /// </summary>
    public static WebApplicationBuilder AddDataProtectionKeyRing(this WebApplicationBuilder builder, string defaultSchema)
    {
        var connectionString = builder.Configuration.GetConnectionString("Postgres")
            ?? throw new InvalidOperationException("ConnectionStrings:Postgres is not set (deploy/local/up sets it for local runs).");
        var schema = builder.Configuration["NewsMonitor:Schema"] ?? defaultSchema;
        var repository = new PostgresXmlRepository(connectionString, schema);
        builder.Services.AddDataProtection().SetApplicationName("NewsMonitor." + defaultSchema);
        builder.Services.Configure<KeyManagementOptions>(options => options.XmlRepository = repository);
        builder.Services.AddSingleton(repository);
        // Hosted services start in the order they are registered: the warm-up goes before Data Protection's own, which
        // loads the ring at start (and would make a key there, outside the lock).
        var warmup = ServiceDescriptor.Singleton<IHostedService, KeyRingWarmup>();
        var dataProtectionStart = builder.Services.ToList().FindIndex(service =>
            service.ServiceType == typeof(IHostedService) && service.ImplementationType?.Name == "DataProtectionHostedService");
        if (dataProtectionStart >= 0) builder.Services.Insert(dataProtectionStart, warmup);
        else builder.Services.Add(warmup);
        return builder;
    }

    /// <summary>Creates the key ring's first key, if there is none, while holding a lock every replica takes.</summary>
    private sealed class KeyRingWarmup(PostgresXmlRepository repository, IDataProtectionProvider provider) : IHostedService
    {
        public async Task StartAsync(CancellationToken cancellationToken)
        {
            await using var connection = new NpgsqlConnection(repository.ConnectionString);
            await connection.OpenAsync(cancellationToken);
            await using (var command = new NpgsqlCommand("select pg_advisory_lock(hashtext(@name))", connection))
            {
                command.Parameters.AddWithValue("name", repository.LockName);
                await command.ExecuteNonQueryAsync(cancellationToken);
            }
            try
            {
                await repository.CreateTableAsync(connection, cancellationToken);
                // The first protection reads the ring and, when it has no usable key, makes and stores one.
                provider.CreateProtector("NewsMonitor.KeyRingWarmup").Protect([0]);
            }
            finally
            {
                await using var unlock = new NpgsqlCommand("select pg_advisory_unlock(hashtext(@name))", connection);
                unlock.Parameters.AddWithValue("name", repository.LockName);
                await unlock.ExecuteNonQueryAsync(CancellationToken.None);
            }
        }

        public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
    }
}

/// <summary>
/// The Data Protection key ring as rows of <c>data_protection_keys</c> (one XML element each) in a service's schema.
/// Data Protection calls it synchronously and rarely (start, key creation, a daily refresh), so it uses Npgsql's
/// synchronous API.
/// </summary>
public sealed class PostgresXmlRepository : IXmlRepository
{
    private readonly string _table;
    private readonly string _createTable;
    private volatile bool _created;

    /// <summary>Keeps the key ring in <c>"<paramref name="schema"/>".data_protection_keys</c>.</summary>
    public PostgresXmlRepository(string connectionString, string schema)
    {
        ConnectionString = connectionString;
        var quoted = "\"" + schema.Replace("\"", "\"\"", StringComparison.Ordinal) + "\"";
        _table = quoted + ".data_protection_keys";
        _createTable = $"create schema if not exists {quoted}; create table if not exists {_table} " +
            "(id bigint generated always as identity primary key, friendly_name text not null, xml text not null, stored_at timestamptz not null default now())";
        LockName = "NewsMonitor.DataProtection." + schema;
    }

    /// <summary>The database the ring is kept in.</summary>
    internal string ConnectionString { get; }

    /// <summary>Name of the advisory lock replicas take while creating the first key.</summary>
    internal string LockName { get; }

    /// <inheritdoc />
    public IReadOnlyCollection<XElement> GetAllElements()
    {
        using var connection = Open();
        using var command = new NpgsqlCommand($"select xml from {_table} order by id", connection);
        using var reader = command.ExecuteReader();
        var elements = new List<XElement>();
        while (reader.Read()) elements.Add(XElement.Parse(reader.GetString(0)));
        return elements;
    }

    /// <inheritdoc />
    public void StoreElement(XElement element, string friendlyName)
    {
        using var connection = Open();
        using var command = new NpgsqlCommand($"insert into {_table} (friendly_name, xml) values (@name, @xml)", connection);
        command.Parameters.AddWithValue("name", friendlyName);
        command.Parameters.AddWithValue("xml", element.ToString(SaveOptions.DisableFormatting));
        command.ExecuteNonQuery();
    }

    /// <summary>Creates the schema and table unless they exist (at start, under the replicas' lock).</summary>
    internal async Task CreateTableAsync(NpgsqlConnection connection, CancellationToken cancellationToken)
    {
        await using var command = new NpgsqlCommand(_createTable, connection);
        await command.ExecuteNonQueryAsync(cancellationToken);
        _created = true;
    }

    private NpgsqlConnection Open()
    {
        var connection = new NpgsqlConnection(ConnectionString);
        connection.Open();
        if (!_created)
        {
            using var command = new NpgsqlCommand(_createTable, connection);
            command.ExecuteNonQuery();
            _created = true;
        }
        return connection;
    }
}
