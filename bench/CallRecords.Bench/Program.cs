using CallRecords.Bench;
using CallRecords.Bench.Scenarios;

BenchOptions options;
try
{
    options = BenchOptions.Parse(args);
}
catch (ArgumentException e)
{
    Console.Error.WriteLine(e.Message);
    return 2;
}

// Every scenario the runner knows; --scenario picks some, default all. Add new ones here.
var scenarios = new Dictionary<string, Func<BenchOptions, Task<ScenarioReport>>>(StringComparer.OrdinalIgnoreCase)
{
    ["expand"] = ExpandScenario.RunAsync,
    ["sync"] = SyncScenario.RunAsync,
    ["pipeline"] = PipelineScenario.RunAsync,
    ["pstn"] = PstnScenario.RunAsync,
    ["list"] = ListScenario.RunAsync,
    ["parse"] = ParseScenario.RunAsync,
    ["memory"] = ProcessScenarios.MemoryAsync,
    ["first-object"] = FirstObjectScenario.RunAsync,
    ["cold-start"] = ProcessScenarios.ColdStartAsync,
    // Run only as child processes of "memory" and "cold-start"; never part of the default set.
    ["memory-child"] = ProcessScenarios.MemoryChildAsync,
    ["cold-start-child"] = ProcessScenarios.ColdStartChildAsync,
};

var chosen = options.Scenarios.Count == 0
    ? scenarios.Keys.Where(k => !k.EndsWith("-child", StringComparison.OrdinalIgnoreCase)).ToList()
    : options.Scenarios;
foreach (var name in chosen)
{
    if (!scenarios.TryGetValue(name, out var run))
    {
        Console.Error.WriteLine($"Unknown scenario '{name}'. Known: {string.Join(", ", scenarios.Keys)}.");
        return 2;
    }
    var child = name.EndsWith("-child", StringComparison.OrdinalIgnoreCase);
    if (!child) Console.WriteLine($"== {name}{(options.Quick ? " (quick)" : "")}");
    var report = await run(options);
    if (!child) Console.WriteLine(report.Markdown);
    if (options.Write && !options.Quick && report.Persist)
    {
        var path = Path.Combine(EngineHost.RepoRoot, "docs/performance.md");
        Report.Write(path, report);
        Console.WriteLine($"Written to {path}.");
    }
}
return 0;
