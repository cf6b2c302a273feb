using System.Management.Automation;
using Microsoft.Data.Sqlite;

namespace OtherModule;

/// <summary>
/// Invoke-OtherModuleSqlite: real work with this module's own (older) Microsoft.Data.Sqlite and e_sqlite3: creates a
/// table in the file, writes and reads a row, and reports the versions that did it.
/// </summary>
[Cmdlet(VerbsLifecycle.Invoke, "OtherModuleSqlite")]
public sealed class InvokeOtherModuleSqliteCommand : PSCmdlet
{
    private static bool _initialized;

    [Parameter(Mandatory = true)] public string Path { get; set; } = null!;

    protected override void EndProcessing()
    {
        if (!_initialized)
        {
            SQLitePCL.Batteries_V2.Init();
            _initialized = true;
        }
        using var c = new SqliteConnection("Data Source=" + Path);
        c.Open();
        using var cmd = c.CreateCommand();
        cmd.CommandText = "CREATE TABLE IF NOT EXISTS other (v TEXT); INSERT INTO other VALUES ('written by the other module'); SELECT v FROM other LIMIT 1";
        var value = (string)cmd.ExecuteScalar()!;
        cmd.CommandText = "SELECT sqlite_version()";
        var native = (string)cmd.ExecuteScalar()!;
        var result = new PSObject();
        result.Properties.Add(new PSNoteProperty("Value", value));
        result.Properties.Add(new PSNoteProperty("SqliteVersion", native));
        result.Properties.Add(new PSNoteProperty("MicrosoftDataSqliteVersion", typeof(SqliteConnection).Assembly.GetName().Version!.ToString()));
        result.Properties.Add(new PSNoteProperty("SQLitePCLRawVersion", typeof(SQLitePCL.raw).Assembly.GetName().Version!.ToString()));
        WriteObject(result);
    }
}
