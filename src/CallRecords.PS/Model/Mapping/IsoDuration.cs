using System;
using System.Globalization;

namespace CallRecords.Models.Mapping;

/// <summary>
/// Parses the ISO 8601 durations Graph sends for Edm.Duration ("PT0.016S", "P1DT2H", "-PT5M", "P2W").
/// Years and months have no fixed length, so they are refused rather than guessed.
/// </summary>
internal static class IsoDuration
{
    public static bool TryParse(string? text, out TimeSpan value)
    {
        value = TimeSpan.Zero;
        if (string.IsNullOrWhiteSpace(text)) return false;
        var s = text!.Trim();
        var i = 0;
        var negative = false;
        if (s[i] == '-' || s[i] == '+') { negative = s[i] == '-'; i++; }
        if (i >= s.Length || (s[i] != 'P' && s[i] != 'p')) return false;
        i++;
        if (i >= s.Length) return false;

        long ticks = 0;
        var inTime = false;
        var sawComponent = false;
        var lastRank = -1; // enforces the designators' order: W, D, (T) H, M, S
        while (i < s.Length)
        {
            var c = s[i];
            if (c == 'T' || c == 't')
            {
                if (inTime) return false;
                inTime = true;
                i++;
                if (i >= s.Length) return false;
                continue;
            }
            var start = i;
            while (i < s.Length && (char.IsDigit(s[i]) || s[i] == '.' || s[i] == ',')) i++;
            if (i == start || i >= s.Length) return false;
            var number = s.Substring(start, i - start).Replace(',', '.');
            var designator = char.ToUpperInvariant(s[i]);
            i++;
            int rank;
            long unit;
            switch (designator)
            {
                case 'W' when !inTime: rank = 0; unit = TimeSpan.TicksPerDay * 7; break;
                case 'D' when !inTime: rank = 1; unit = TimeSpan.TicksPerDay; break;
                case 'H' when inTime: rank = 2; unit = TimeSpan.TicksPerHour; break;
                case 'M' when inTime: rank = 3; unit = TimeSpan.TicksPerMinute; break;
                case 'S' when inTime: rank = 4; unit = TimeSpan.TicksPerSecond; break;
                default: return false; // years, months, or a designator out of place
            }
            if (rank <= lastRank) return false;
            lastRank = rank;
            if (!decimal.TryParse(number, NumberStyles.AllowDecimalPoint, CultureInfo.InvariantCulture, out var amount)) return false;
            try
            {
                // Ticks are 100 ns: 7 fractional digits of a second survive exactly; finer digits are truncated.
                ticks = checked(ticks + (long)decimal.Truncate(amount * unit));
            }
            catch (OverflowException) { return false; }
            sawComponent = true;
        }
        if (!sawComponent) return false;
        value = TimeSpan.FromTicks(negative ? -ticks : ticks);
        return true;
    }

    public static TimeSpan? Parse(string? text) => TryParse(text, out var v) ? v : null;
}
