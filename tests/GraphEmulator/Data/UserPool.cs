namespace GraphEmulator.Data;

internal enum MemberKind { User, Guest, Phone }

internal sealed record PoolMember(int Number, MemberKind Kind, string Id, string DisplayName, string? UserPrincipalName,
    string PhoneNumber, string CountryCode, string? AdministrativeUnitId);

/// <summary>A fixed, seeded population shared by call records and every log table, so reports that group by user
/// (cost per user, calls per user) find the same people everywhere.</summary>
internal sealed class UserPool
{
    internal const int Size = 200;
    internal const int GuestCount = 7;
    internal const int PhoneCount = 7;

    private static readonly string[] FirstNames =
    [
        "Abbie", "Owen", "Anette", "Daichi", "Richard", "Megan", "Adele", "Alex", "Diego", "Grady", "Henrietta",
        "Isaiah", "Johanna", "Joni", "Lee", "Lidia", "Lynne", "Miriam", "Nestor", "Patti", "Pradeep", "Christie",
        "Irvin", "Enrico", "Allan", "Debra", "Emily", "Cameron", "Raul", "Sakura", "Noah", "Priya", "Mateo",
        "Amara", "Lukas", "Ingrid", "Kofi", "Elena", "Tomasz", "Yuki",
    ];

    private static readonly string[] LastNames =
    [
        "Wilkins", "Franklin", "Thomsen", "Maruyama", "Malk", "Bowen", "Vance", "Wilber", "Siciliani", "Archie",
        "Cartwright", "Henderson", "Lauer", "Sherman", "Gu", "Holloway", "Robbins", "Graham", "Fernandes",
        "Kannan", "Cline", "Mcafee", "Sink", "Morales", "Braun", "Okafor", "Lindqvist", "Novak", "Sato",
        "Hernandez", "Patel", "Nakamura", "Rossi", "Dubois", "Kowalski", "Larsen",
    ];

    private static readonly string[] Countries = ["US", "US", "US", "US", "GB", "DE", "FR", "IN", "JP", "BR", "CA"];

    internal IReadOnlyList<PoolMember> Members { get; }
    internal IReadOnlyList<PoolMember> TenantUsers { get; }
    internal IReadOnlyList<PoolMember> Guests { get; }
    internal IReadOnlyList<PoolMember> Phones { get; }
    internal IReadOnlyList<string> AdministrativeUnits { get; }

    internal UserPool(int seed)
    {
        var rng = Det.Rng(seed, Det.PoolNames, 0);
        AdministrativeUnits = [Det.Guid(seed, Det.AdminUnit, 0), Det.Guid(seed, Det.AdminUnit, 1), Det.Guid(seed, Det.AdminUnit, 2)];
        var used = new HashSet<string>(StringComparer.OrdinalIgnoreCase);
        var members = new List<PoolMember>(Size);
        for (var n = 0; n < Size; n++)
        {
            var kind = n < Size - GuestCount - PhoneCount ? MemberKind.User
                : n < Size - PhoneCount ? MemberKind.Guest : MemberKind.Phone;
            string first, last, key;
            var attempt = 0;
            do
            {
                first = rng.Pick(FirstNames);
                last = rng.Pick(LastNames);
                key = attempt++ < 20 ? $"{first}.{last}" : $"{first}.{last}{attempt}";
            } while (!used.Add(key));
            var phone = "+1" + (kind == MemberKind.Phone ? "206" : "425") + Det.Digits(rng, 7);
            var country = kind == MemberKind.User ? rng.Pick(Countries) : "US";
            var au = kind == MemberKind.User && rng.Chance(0.12) ? rng.Pick(AdministrativeUnits) : null;
            members.Add(kind switch
            {
                MemberKind.User => new PoolMember(n, kind, Det.Guid(seed, Det.PoolUser, n), $"{first} {last}",
                    $"{key.ToLowerInvariant()}@contoso.com", phone, country, au),
                MemberKind.Guest => new PoolMember(n, kind, Det.Guid(seed, Det.PoolUser, n), $"{first} {last} (Guest)",
                    null, phone, country, null),
                _ => new PoolMember(n, kind, phone, phone, null, phone, country, null),
            });
        }
        Members = members;
        TenantUsers = members.Where(m => m.Kind == MemberKind.User).ToArray();
        Guests = members.Where(m => m.Kind == MemberKind.Guest).ToArray();
        Phones = members.Where(m => m.Kind == MemberKind.Phone).ToArray();
    }

    /// <summary>Skewed choice so a few heavy users dominate cost reports, as in real tenants.</summary>
    internal PoolMember SkewedUser(Random r)
    {
        var u = r.NextDouble();
        return TenantUsers[(int)(u * u * TenantUsers.Count)];
    }
}
