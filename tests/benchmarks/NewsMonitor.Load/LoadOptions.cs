using System.Globalization;

namespace NewsMonitor.Load;

/// <summary>
/// The command line: <c>--articles N [--rate R] [--subscriptions S] [--gateway URL --key KEY] [--batch B]
/// [--label L] [--timeout SECONDS] [--no-baselines] [--no-docs] [--keep-subscriptions] [--seed N]</c>.
/// </summary>
public sealed record LoadOptions(
    int Articles,
    double? Rate,
    int Subscriptions,
    Uri? Gateway,
    string? Key,
    int Batch,
    string Label,
    TimeSpan Timeout,
    bool Baselines,
    bool WriteDocs,
    bool KeepSubscriptions,
    int Seed)
{
    /// <summary>The options of <paramref name="args"/>; throws <see cref="ArgumentException"/> naming what is wrong.</summary>
    public static LoadOptions Parse(IReadOnlyList<string> args)
    {
        ArgumentNullException.ThrowIfNull(args);
        int? articles = null;
        double? rate = null;
        var subscriptions = 200;
        Uri? gateway = null;
        string? key = null;
        var batch = 250;
        string? label = null;
        var timeout = TimeSpan.FromMinutes(15);
        bool baselines = true, docs = true, keep = false;
        // A new seed per run unless given: the same seed posts the same articles, which a second run finds stored already.
        var seed = Random.Shared.Next(1, int.MaxValue);
        for (var i = 0; i < args.Count; i++)
        {
            string Value() => i + 1 < args.Count ? args[++i] : throw new ArgumentException($"{args[i]} needs a value.");
            int Positive(string name) => int.TryParse(Value(), NumberStyles.None, CultureInfo.InvariantCulture, out var n) && n > 0 ? n : throw new ArgumentException($"{name} must be a positive whole number.");
            switch (args[i])
            {
                case "--articles": articles = Positive("--articles"); break;
                case "--rate":
                    rate = double.TryParse(Value(), NumberStyles.Float, CultureInfo.InvariantCulture, out var r) && r > 0 ? r : throw new ArgumentException("--rate must be a positive number of articles per second.");
                    break;
                case "--subscriptions":
                    subscriptions = int.TryParse(Value(), NumberStyles.None, CultureInfo.InvariantCulture, out var s) ? s : throw new ArgumentException("--subscriptions must be a whole number.");
                    break;
                case "--gateway": gateway = Uri.TryCreate(Value(), UriKind.Absolute, out var uri) ? uri : throw new ArgumentException("--gateway must be an absolute URL."); break;
                case "--key": key = Value(); break;
                case "--batch": batch = Positive("--batch"); break;
                case "--label": label = Value(); break;
                case "--timeout": timeout = TimeSpan.FromSeconds(Positive("--timeout")); break;
                case "--seed": seed = Positive("--seed"); break;
                case "--no-baselines": baselines = false; break;
                case "--no-docs": docs = false; break;
                case "--keep-subscriptions": keep = true; break;
                default: throw new ArgumentException($"Unknown option {args[i]}.");
            }
        }
        if (articles is null) throw new ArgumentException("--articles N is required.");
        label ??= rate is { } perSecond ? string.Create(CultureInfo.InvariantCulture, $"rate-{perSecond:0.#}") : "burst";
        if (!label.All(c => char.IsAsciiLetterOrDigit(c) || c is '-' or '.')) throw new ArgumentException("--label takes letters, digits, '-' and '.' only (it names files).");
        return new LoadOptions(articles.Value, rate, subscriptions, gateway, key, batch, label, timeout, baselines, docs, keep, seed);
    }
}

/// <summary>Where the running system is: gateway, operator key, database, broker and the pid files of its processes.</summary>
public sealed record SystemUnderLoad(Uri Gateway, string Key, string StateDirectory, string Postgres, string RabbitHost, int RabbitPort, string RabbitVirtualHost, string RabbitUser, string RabbitPassword)
{
    /// <summary>
    /// From deploy/local's environment variables and state directory (NEWSMONITOR_STATE_DIR, _GATEWAY_PORT, _PG_PORT,
    /// _RABBIT_PORT, ...; deploy/local/env.sh), with <c>--gateway/--key</c> taking precedence.
    /// </summary>
    public static SystemUnderLoad Discover(LoadOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        string Env(string name, string fallback) => Environment.GetEnvironmentVariable(name) is { Length: > 0 } value ? value : fallback;
        var state = Env("NEWSMONITOR_STATE_DIR", Path.Combine(LoadCorpus.RepoRoot, "deploy", "local", ".state"));
        string Secret(string file) => File.Exists(Path.Combine(state, file)) ? File.ReadAllText(Path.Combine(state, file)).Trim() : "";
        var gateway = options.Gateway ?? new Uri($"http://127.0.0.1:{Env("NEWSMONITOR_GATEWAY_PORT", "8080")}/");
        var key = options.Key ?? Env("NEWSMONITOR_ADMIN_KEY", Secret("admin-key"));
        if (key.Length == 0) throw new ArgumentException($"No operator key: give --key or run deploy/local/up (it writes {state}/admin-key).");
        var pgPassword = Env("NEWSMONITOR_PG_PASSWORD", "newsmonitor");
        var postgres = $"Host=127.0.0.1;Port={Env("NEWSMONITOR_PG_PORT", "55432")};Database={Env("NEWSMONITOR_PG_DB", "newsmonitor")};Username=newsmonitor;Password={pgPassword}";
        return new SystemUnderLoad(gateway, key, state, postgres, "127.0.0.1", int.Parse(Env("NEWSMONITOR_RABBIT_PORT", "5682"), CultureInfo.InvariantCulture),
            Env("NEWSMONITOR_RABBIT_VHOST", "newsmonitor"), "newsmonitor", Env("NEWSMONITOR_RABBIT_PASSWORD", Secret("rabbitmq-service.password")));
    }
}
