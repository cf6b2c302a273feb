using System.Collections.Specialized;
using System.Management.Automation;
using CallRecords.Graph;

namespace CallRecords.Cmdlets;

/// <summary>
/// Base of the write cmdlets that send a JSON body (New-CallRecord, Add-/Set-CallRecordSession,
/// Add-CallRecordSegment): the body is built from the typed parameters (parameter set "Parameters") or is
/// -BodyParameter as given.
/// </summary>
public abstract class CallRecordBodyWriteCmdlet : CallRecordWriteCmdlet
{
    internal const string ParametersSet = "Parameters";
    internal const string BodySet = "BodyParameter";

    /// <summary>The complete request body (hashtable or [pscustomobject]), sent as JSON with keys as given.</summary>
    [Parameter(Mandatory = true, ParameterSetName = BodySet)]
    [ValidateNotNull]
    public object? BodyParameter { get; set; }

    /// <summary>The body of this input: -BodyParameter, or the typed parameters' <see cref="Properties"/>.</summary>
    internal byte[] BuildBody() =>
        ParameterSetName == BodySet ? JsonBody.SerializeObject(BodyParameter, nameof(BodyParameter)) : JsonBody.Serialize(Properties());

    /// <summary>The properties the typed parameters give, in Graph's names (only those that were given).</summary>
    internal abstract OrderedDictionary Properties();
}
