using GraphEmulator.Identity;

namespace GraphEmulator;

/// <summary>Lets the identity face hand out the Graph face's own tokens, so a token Azure.Identity gets from the
/// emulator's authority is exactly what the Graph routes accept (and a token for another resource is refused there
/// for its audience, as Graph does).</summary>
internal sealed class GraphTokenIssuer(TokenService tokens) : ITokenIssuer
{
    public string Issue(string tenantId, string appId, IReadOnlyCollection<string> roles, TimeSpan lifetime) =>
        Issue(tenantId, appId, roles, lifetime, TokenService.GraphAudience);

    public string Issue(string tenantId, string appId, IReadOnlyCollection<string> roles, TimeSpan lifetime, string audience) =>
        // Entra never issues a token that expires at once; a sub-second lifetime still gets a whole second.
        tokens.Mint(tenantId, roles, lifetime < TimeSpan.FromSeconds(1) ? TimeSpan.FromSeconds(1) : lifetime, appId, delegated: false, audience.TrimEnd('/'));
}
