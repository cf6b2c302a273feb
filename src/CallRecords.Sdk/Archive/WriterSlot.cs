using System;
using System.Diagnostics;
using System.Globalization;
using System.IO;
using System.Management.Automation;
using System.Threading;

namespace CallRecords.Sdk.Archive;

/// <summary>
/// One sync at a time per archive file: an exclusive open of "&lt;file&gt;-sync.lock" (FileShare.None; on Linux and
/// macOS .NET holds an flock on it). The operating system drops it when the holder exits or is killed, so a killed
/// sync never blocks the next one. Who holds it is noted in the archive's sync_writer row, for the message a
/// waiting sync gives; that row is only read while the lock is really held, so a stale one says nothing.
/// </summary>
internal sealed class WriterSlot : IDisposable
{
    private static readonly TimeSpan Poll = TimeSpan.FromMilliseconds(200);
    private readonly FileStream _lock;

    private WriterSlot(FileStream @lock) => _lock = @lock;

    public static string LockPath(string archivePath) => archivePath + "-sync.lock";

    public static WriterSlot Acquire(SqliteArchiveStore store, TimeSpan wait, CancellationToken cancellationToken)
    {
        var path = LockPath(store.Path);
        var deadline = Stopwatch.StartNew();
        while (true)
        {
            cancellationToken.ThrowIfCancellationRequested();
            try
            {
                var stream = new FileStream(path, FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.None);
                Note(store);
                return new WriterSlot(stream);
            }
            catch (IOException) when (deadline.Elapsed < wait)
            {
                // Held by another sync: wait for it (the cancellation token wakes us for Ctrl+C).
                cancellationToken.WaitHandle.WaitOne(Poll);
            }
            catch (IOException e)
            {
                throw new CallRecordsException("ArchiveBusy", ErrorCategory.ResourceBusy,
                    $"Another sync is writing {store.Path}: {Holder(store)}. Waited {wait.TotalSeconds.ToString("0.#", CultureInfo.InvariantCulture)} s for it to finish.",
                    "Wait for that sync to finish (or stop it) and run Sync-CallRecord again, or give -WaitTimeout more seconds. Reading (Open-CallRecordArchive) works meanwhile.",
                    store.Path, e);
            }
        }
    }

    private static void Note(SqliteArchiveStore store)
    {
        using var process = Process.GetCurrentProcess();
        using var c = store.Connect();
        using var cmd = c.CreateCommand();
        cmd.CommandText = @"INSERT INTO sync_writer (slot, process_id, process_name, machine_name, started_utc) VALUES (1, $pid, $name, $machine, $at)
            ON CONFLICT (slot) DO UPDATE SET process_id = excluded.process_id, process_name = excluded.process_name,
                machine_name = excluded.machine_name, started_utc = excluded.started_utc";
        cmd.Parameters.AddWithValue("$pid", process.Id);
        cmd.Parameters.AddWithValue("$name", process.ProcessName);
        cmd.Parameters.AddWithValue("$machine", Environment.MachineName);
        cmd.Parameters.AddWithValue("$at", ArchiveText.Time(DateTimeOffset.UtcNow));
        cmd.ExecuteNonQuery();
    }

    private static string Holder(SqliteArchiveStore store)
    {
        try
        {
            using var c = store.Connect();
            using var cmd = c.CreateCommand();
            cmd.CommandText = "SELECT process_id, process_name, machine_name, started_utc FROM sync_writer WHERE slot = 1";
            using var r = cmd.ExecuteReader();
            if (r.Read())
                return string.Format(CultureInfo.InvariantCulture, "process {0} ({1}) on {2}, started {3}", r.GetInt64(0), r.GetString(1), r.GetString(2), r.GetString(3));
        }
        catch (Microsoft.Data.Sqlite.SqliteException)
        {
        }
        return "a process that has not noted itself yet";
    }

    public void Dispose() => _lock.Dispose();
}
