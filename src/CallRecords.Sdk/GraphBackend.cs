using System;
using CallRecords.Connection;

namespace CallRecords.Sdk;

/// <summary>The entry point the root assembly creates by name (<see cref="Loading.ModuleLoader"/>) after loading this
/// assembly into the module's private context.</summary>
internal sealed class GraphBackend : IGraphBackend
{
    public IGraphClient Open(ConnectionSettings settings, CredentialSpec credential, Func<Exception, Exception> describeFailure, CallRecords.Graph.IRequestGate gate) =>
        new GraphClientSession(settings, CredentialFactory.Create(credential, settings), describeFailure, gate);
}
