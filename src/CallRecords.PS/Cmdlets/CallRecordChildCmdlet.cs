using System;
using System.Collections.Generic;
using System.Management.Automation;
using System.Threading;
using System.Threading.Tasks;
using CallRecords.Completers;
using CallRecords.Graph;
using CallRecords.Runtime;
using CallRecords.Parameters;

namespace CallRecords.Cmdlets;

/// <summary>
/// Base of the cmdlets that read what is inside call records (sessions, segments, streams, participants): the fan-out
/// shape. Input binds at its own level (<see cref="CallRecordTarget.Resolve"/>): piped records, sessions, segments,
/// participants, streams, id strings and Import-Csv rows through -InputObject, or ids as parameters. Each input gives
/// exactly its own children, in input order, with up to -ThrottleLimit inputs read at once, on the connection it was
/// read through unless -Connection says otherwise. A derived cmdlet declares its level and how one input is read.
/// </summary>
public abstract class CallRecordChildCmdlet<TOut> : CallRecordCmdlet
{
    internal const string PipelineSet = "Pipeline";
    internal const string IdSet = "Id";
    private PipelineFanOut<CallRecordTarget, TOut>? _fanOut;
    private readonly HashSet<string> _ancestors = new(StringComparer.OrdinalIgnoreCase);
    private readonly RecordCache _cache = new();

    /// <summary>What to read: a call record, session, segment, participant or stream from these cmdlets, a call record id,
    /// or an object with CallRecordId (SessionId, SegmentId) or Id properties, such as an Import-Csv row.</summary>
    [Parameter(Mandatory = true, ValueFromPipeline = true, ParameterSetName = PipelineSet)]
    [ValidateNotNull]
    public object InputObject { get; set; } = null!;

    /// <summary>Call record ids.</summary>
    [Parameter(Mandatory = true, Position = 0, ParameterSetName = IdSet)]
    [ValidateNotNullOrEmpty]
    [ArgumentCompleter(typeof(CallRecordIdCompleter))]
    public string[] CallRecordId { get; set; } = Array.Empty<string>();

    /// <summary>Inputs read at the same time (never more requests in flight); fewer while Graph throttles.</summary>
    [Parameter]
    [ValidateRange(1, FanOut.MaxThrottleLimit)]
    public int ThrottleLimit { get; set; } = FanOut.DefaultThrottleLimit;

    /// <summary>The level this cmdlet reads at: an input below it (a segment piped to Get-CallRecordSession, a stream row
    /// piped to Get-CallRecordStream) gives its ancestor's output, once per run however many of its children arrive.</summary>
    internal abstract TargetLevel OutputLevel { get; }

    /// <summary>The targets a -CallRecordId names (with -SessionId/-SegmentId where the cmdlet has them).</summary>
    internal virtual IEnumerable<CallRecordTarget> IdTargets(string callRecordId) => new[] { CallRecordTarget.Record(callRecordId) };

    /// <summary>Checks the parameters before any input (terminating errors).</summary>
    internal virtual void Validate() { }

    /// <summary>One input's output; failures about the input become non-terminating errors (<see cref="Levels.OrErrorAsync"/>).</summary>
    internal abstract Task<IReadOnlyList<TOut>> ReadAsync(CmdletOperation op, CallRecordTarget target, RecordCache cache, CancellationToken ct);

    protected override void BeginProcessing()
    {
        Validate();
        _fanOut = Own(new PipelineFanOut<CallRecordTarget, TOut>(this, ThrottleLimit, (op, t, ct) => ReadAsync(op, t, _cache, ct), "call records read", t => t.Describe()));
    }

    protected override void ProcessRecord()
    {
        if (ParameterSetName == IdSet)
        {
            var targets = new List<CallRecordTarget>();
            foreach (var raw in CallRecordId)
            {
                if (GraphId.Problem(raw, GraphIdKind.CallRecord, out var id) is { } problem)
                    _fanOut!.AddRefused(ErrorMapper.ToErrorRecord(GraphId.Refused(raw, GraphIdKind.CallRecord, problem), raw));
                else targets.AddRange(IdTargets(id));
            }
            // Ids given as parameters are every input there is: the bar can show "n of total".
            if (!MyInvocation.ExpectingInput) _fanOut!.Total = targets.Count;
            foreach (var t in targets) Add(t);
            return;
        }
        CallRecordTarget target;
        try
        {
            target = CallRecordTarget.Resolve(InputObject);
        }
        catch (CallRecordsException e)
        {
            _fanOut!.AddRefused(ErrorMapper.ToErrorRecord(e, InputObject is PSObject ps ? ps.BaseObject : InputObject));
            return;
        }
        if (target.Depth > (int)OutputLevel && !_ancestors.Add(target.KeyAt(OutputLevel))) return;
        Add(target);
    }

    private bool _started;

    private void Add(CallRecordTarget target)
    {
        // The bar counts what the input is: call records, sessions or segments (decided by the first one).
        if (!_started)
        {
            _started = true;
            _fanOut!.Unit = target.Level switch { TargetLevel.Session => "sessions read", TargetLevel.Segment => "segments read", _ => "call records read" };
        }
        _fanOut!.Add(target, target.Origin);
    }

    protected override void EndProcessing() => _fanOut!.Finish();
}
