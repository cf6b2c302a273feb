namespace GraphEmulator;

/// <summary>Every command-line option of the emulator, also settable in-process.</summary>
public sealed class EmulatorOptions
{
    /// <summary>Listen addresses (semicolon-separated); null means http://127.0.0.1 on a free port.</summary>
    public string? Urls { get; set; }
    public int Seed { get; set; } = 1;
    public int Records { get; set; } = 500;
    public int Days { get; set; } = 30;
    /// <summary>Fixed clock for data and retention; null means the real clock.</summary>
    public DateTimeOffset? Now { get; set; }
    public int LogRows { get; set; } = 5000;
    public int LogDays { get; set; } = 180;
    public int LatencyMs { get; set; }
    public int LatencyJitterMs { get; set; }
    /// <summary>--throttle graph|off.</summary>
    public bool Throttle { get; set; } = true;
    public ThrottleLimits ThrottleLimits { get; set; } = ThrottleLimits.Graph();
    /// <summary>Fraction (0..1) of Graph requests that get an injected fault.</summary>
    public double FaultRate { get; set; }
    /// <summary>Seed of the fault sequence (defaults to <see cref="Seed"/> when null).</summary>
    public int? FaultSeed { get; set; }
    public bool AcceptAnyToken { get; set; }
    public bool ReadOnly { get; set; }
    /// <summary>
    /// Largest page Prefer: odata.maxpagesize can ask for on the call-record list. Graph documents a default of 60 and
    /// "equal to or less than the maximum allowable page size" without naming the maximum; 1000 is our assumption.
    /// </summary>
    public int MaxPageSize { get; set; } = 1000;
    /// <summary>What the list does with a Prefer: odata.maxpagesize above <see cref="MaxPageSize"/>: cap it (smaller
    /// pages, Preference-Applied says the size used) or refuse the request with 400. Graph's docs name neither.</summary>
    public PageSizeMode MaxPageSizeMode { get; set; } = PageSizeMode.Cap;
    public string TenantId { get; set; } = "dc368399-474c-4d40-900c-6265431fd81f";

    /// <summary>Also start the identity face (Entra-compatible token service over HTTPS and an App Service-style
    /// managed identity endpoint) whose tokens the Graph routes accept. --https-port or --identity turns it on.</summary>
    public bool Identity { get; set; }
    /// <summary>HTTPS port of the identity face's token service; 0 = any free port.</summary>
    public int HttpsPort { get; set; }
    /// <summary>Plain-HTTP port of the managed identity endpoint (IDENTITY_ENDPOINT); 0 = any free port.</summary>
    public int ManagedIdentityPort { get; set; }
    /// <summary>Where the identity face writes its test CA (PEM) for clients to trust; null = a file in the temp folder.</summary>
    public string? CaOut { get; set; }
    /// <summary>--parent-pid: the process that started this one (a test run, build.ps1 -Task Demo). The emulator stops
    /// when that process is gone, so a test file or demo that dies (Ctrl+C, a killed runner) leaves nothing listening.</summary>
    public int? ParentProcessId { get; set; }

    internal static PageSizeMode ParsePageSizeMode(string text) => text.Trim().ToLowerInvariant() switch
    {
        "cap" => PageSizeMode.Cap,
        "refuse" => PageSizeMode.Refuse,
        _ => throw new ArgumentException("The page-size mode is cap or refuse."),
    };

    public static EmulatorOptions Parse(string[] args)
    {
        var o = new EmulatorOptions();
        for (var i = 0; i < args.Length; i++)
        {
            var a = args[i];
            string Next() => i + 1 < args.Length ? args[++i] : throw new ArgumentException($"Option {a} needs a value.");
            switch (a.ToLowerInvariant())
            {
                case "--urls": o.Urls = Next(); break;
                case "--seed": o.Seed = int.Parse(Next(), System.Globalization.CultureInfo.InvariantCulture); break;
                case "--records": o.Records = int.Parse(Next(), System.Globalization.CultureInfo.InvariantCulture); break;
                case "--days": o.Days = int.Parse(Next(), System.Globalization.CultureInfo.InvariantCulture); break;
                case "--now": o.Now = DateTimeOffset.Parse(Next(), System.Globalization.CultureInfo.InvariantCulture, System.Globalization.DateTimeStyles.AssumeUniversal).ToUniversalTime(); break;
                case "--log-rows": o.LogRows = int.Parse(Next(), System.Globalization.CultureInfo.InvariantCulture); break;
                case "--log-days": o.LogDays = int.Parse(Next(), System.Globalization.CultureInfo.InvariantCulture); break;
                case "--latency-ms": o.LatencyMs = int.Parse(Next(), System.Globalization.CultureInfo.InvariantCulture); break;
                case "--latency-jitter-ms": o.LatencyJitterMs = int.Parse(Next(), System.Globalization.CultureInfo.InvariantCulture); break;
                case "--throttle":
                    var t = Next().ToLowerInvariant();
                    o.Throttle = t switch { "graph" or "on" => true, "off" => false, _ => throw new ArgumentException("--throttle takes graph|off.") };
                    break;
                case "--fault-rate":
                    o.FaultRate = double.Parse(Next(), System.Globalization.CultureInfo.InvariantCulture);
                    if (o.FaultRate is < 0 or > 1) throw new ArgumentException("--fault-rate must be within 0..1.");
                    break;
                case "--fault-seed": o.FaultSeed = int.Parse(Next(), System.Globalization.CultureInfo.InvariantCulture); break;
                case "--max-page-size":
                    // N, or N:cap / N:refuse
                    var mp = Next().Split(':');
                    o.MaxPageSize = int.Parse(mp[0], System.Globalization.CultureInfo.InvariantCulture);
                    if (o.MaxPageSize < 1) throw new ArgumentException("--max-page-size must be at least 1.");
                    if (mp.Length > 1) o.MaxPageSizeMode = ParsePageSizeMode(mp[1]);
                    break;
                case "--max-page-size-mode": o.MaxPageSizeMode = ParsePageSizeMode(Next()); break;
                case "--tenant": o.TenantId = Next(); break;
                case "--accept-any-token": o.AcceptAnyToken = true; break;
                case "--read-only": o.ReadOnly = true; break;
                case "--identity": o.Identity = true; break;
                case "--https-port": o.HttpsPort = int.Parse(Next(), System.Globalization.CultureInfo.InvariantCulture); o.Identity = true; break;
                case "--mi-port": o.ManagedIdentityPort = int.Parse(Next(), System.Globalization.CultureInfo.InvariantCulture); o.Identity = true; break;
                case "--ca-out": o.CaOut = Next(); o.Identity = true; break;
                case "--parent-pid": o.ParentProcessId = int.Parse(Next(), System.Globalization.CultureInfo.InvariantCulture); break;
                default: throw new ArgumentException($"Unknown option {a}.");
            }
        }
        return o;
    }
}

/// <summary>How the call-record list treats a page size above its maximum.</summary>
public enum PageSizeMode
{
    /// <summary>Serve pages of the maximum instead (what Graph does for most collections).</summary>
    Cap,
    /// <summary>Answer 400 BadRequest.</summary>
    Refuse,
}

/// <summary>A sliding-window ceiling: at most <see cref="Limit"/> requests in any <see cref="Window"/>.</summary>
public sealed record ThrottleLimit(int Limit, TimeSpan Window);

/// <summary>Graph's documented call-records ceilings; every one settable (scaled down for fast tests).</summary>
public sealed record ThrottleLimits
{
    /// <summary>Every Graph request, per app per tenant (1,500 / 20 s).</summary>
    public ThrottleLimit PerAppPerTenant { get; init; } = new(1500, TimeSpan.FromSeconds(20));
    /// <summary>GET …/callRecords (the list), per app per tenant (40 / 20 s).</summary>
    public ThrottleLimit List { get; init; } = new(40, TimeSpan.FromSeconds(20));
    /// <summary>Requests on one call record and its children, per app per tenant (40 / 20 s).</summary>
    public ThrottleLimit PerRecord { get; init; } = new(40, TimeSpan.FromSeconds(20));
    /// <summary>getPstnCalls, getDirectRoutingCalls and the beta logs, per app per tenant (200 / 60 s).</summary>
    public ThrottleLimit PstnType { get; init; } = new(200, TimeSpan.FromSeconds(60));
    /// <summary>Each PSTN-type log function on its own ("per collection"), per app per tenant (50 / 60 s), besides
    /// <see cref="PstnType"/>.</summary>
    public ThrottleLimit PstnPerFunction { get; init; } = new(50, TimeSpan.FromSeconds(60));

    public static ThrottleLimits Graph() => new();
}
