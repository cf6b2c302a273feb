using System;
using System.Collections.Generic;
using System.IO;
using System.Runtime.InteropServices;

namespace CallRecords.Loading;

/// <summary>
/// Where a native library of bin/'s packages lives: bin/runtimes/&lt;rid&gt;/native/, with the file name each platform
/// uses (e_sqlite3.dll, libe_sqlite3.so, libe_sqlite3.dylib). Only the runtime identifiers the module ships are
/// tried, most specific first (linux-musl-x64 before linux-x64 on Alpine).
/// </summary>
internal static class NativeLibraries
{
    public static string? Find(string bin, string name)
    {
        if (string.IsNullOrEmpty(name)) return null;
        foreach (var rid in RuntimeIds())
            foreach (var file in FileNames(name))
            {
                var path = Path.Combine(bin, "runtimes", rid, "native", file);
                if (File.Exists(path)) return path;
            }
        return null;
    }

    internal static IEnumerable<string> RuntimeIds()
    {
        var arch = RuntimeInformation.ProcessArchitecture switch
        {
            Architecture.X64 => "x64",
            Architecture.X86 => "x86",
            Architecture.Arm64 => "arm64",
            Architecture.Arm => "arm",
            var other => other.ToString().ToLowerInvariant(),
        };
        if (RuntimeInformation.IsOSPlatform(OSPlatform.Windows)) yield return "win-" + arch;
        else if (RuntimeInformation.IsOSPlatform(OSPlatform.OSX)) yield return "osx-" + arch;
        else
        {
            if (IsMusl()) yield return "linux-musl-" + arch;
            yield return "linux-" + arch;
        }
    }

    private static IEnumerable<string> FileNames(string name)
    {
        yield return name;
        if (RuntimeInformation.IsOSPlatform(OSPlatform.Windows)) yield return name + ".dll";
        else if (RuntimeInformation.IsOSPlatform(OSPlatform.OSX)) yield return "lib" + name + ".dylib";
        else yield return "lib" + name + ".so";
    }

    /// <summary>Alpine and other musl systems have no glibc loader; theirs is /lib/ld-musl-*.</summary>
    private static bool IsMusl()
    {
        try
        {
            return Directory.Exists("/lib") && Directory.GetFiles("/lib", "ld-musl-*").Length > 0;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return false;
        }
    }
}
