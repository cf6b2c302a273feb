#Requires -Version 5.1
<#
.SYNOPSIS
    One CSV file per UTC day of Microsoft Teams call records, written from a Sync-CallRecord archive: re-issued records
    are updated in their day's file, and days older than Graph's 30 days can be exported at any time.

.DESCRIPTION
    Export-DailyCallRecords.ps1 reads Graph directly and keeps the version of a record it saw first: a record Graph
    re-issues after its day was exported never reaches the file. This script reads the archive instead, which
    Sync-CallRecord keeps at the newest version of every record. Run it after the sync (the same scheduled task can run
    examples/Sync-CallRecordArchive.ps1 and then this script):

        pwsh -NoProfile -File Sync-CallRecordArchive.ps1 -ArchivePath D:\CallRecords\callrecords.db ... &&
        pwsh -NoProfile -File Export-DailyCallRecordsFromArchive.ps1 -ArchivePath D:\CallRecords\callrecords.db -OutputDirectory D:\CallRecords\csv

    Each run writes every complete UTC day of the last -Days days (Graph can re-issue a record while it keeps it), or
    of -From to -Until. A day's file is rewritten only when its content changed, through a temporary file swapped in
    place, so a reader never sees half a file; the output says which days changed. The files have the columns and
    bytes of Export-DailyCallRecords.ps1 (UTF-8 without a byte order mark, CRLF, ISO 8601 UTC times, sorted by start
    time and id), so both kinds of file can be read by the same report.

    Any failure writes the error to the error stream and ends the script with exit code 1.

.PARAMETER ArchivePath
    The archive Sync-CallRecord writes.

.PARAMETER OutputDirectory
    Folder for the CSV files (created when missing).

.PARAMETER Days
    How many complete days before -Until to write on every run. Default 30.

.PARAMETER From
    Write the days from this UTC date on instead (for a backfill of any range the archive holds).

.PARAMETER Until
    Write the days before this UTC date. Default: today (UTC), so only complete days are written.

.PARAMETER TenantId
    The tenant to export when the archive holds several.

.PARAMETER ModulePath
    Name or path of the CallRecords module to import when it is not loaded yet.

.EXAMPLE
    ./Export-DailyCallRecordsFromArchive.ps1 -ArchivePath ./callrecords.db -OutputDirectory ./csv

    Writes (or updates) the files of the last 30 complete days.

.EXAMPLE
    ./Export-DailyCallRecordsFromArchive.ps1 -ArchivePath ./callrecords.db -OutputDirectory ./csv -From 2026-01-01 -Until 2026-04-01

    A backfill of the first quarter from the archive, long after Graph dropped those records.
#>
[CmdletBinding()]
param(
    [Parameter(Mandatory)]
    [string] $ArchivePath,

    [Parameter(Mandatory)]
    [string] $OutputDirectory,

    [ValidateRange(1, 3660)]
    [int] $Days = 30,

    [datetime] $From,

    [datetime] $Until = [datetime]::UtcNow.Date,

    [string] $TenantId,

    [string] $ModulePath = 'CallRecords'
)

$ErrorActionPreference = 'Stop'
$ProgressPreference = 'SilentlyContinue'
Set-StrictMode -Version Latest

function Write-FileAtomically([string] $Path, [scriptblock] $Writer) {
    $temp = "$Path.$([guid]::NewGuid().ToString('N')).tmp"
    try {
        & $Writer $temp
        if (Test-Path -LiteralPath $Path) { [System.IO.File]::Replace($temp, $Path, [NullString]::Value) }
        else { [System.IO.File]::Move($temp, $Path) }
    }
    finally {
        if (Test-Path -LiteralPath $temp) { Remove-Item -LiteralPath $temp -Force }
    }
}

# UTF-8 without a byte order mark and CRLF after every line, the same on 5.1 and 7.
$utf8 = New-Object System.Text.UTF8Encoding -ArgumentList $false
function Get-FileText([string[]] $Lines) { if ($Lines.Count -gt 0) { ($Lines -join "`r`n") + "`r`n" } else { '' } }

function ConvertTo-Row($Record) {
    $iso = { param($t) if ($null -eq $t) { '' } else { $t.ToUniversalTime().ToString('yyyy-MM-ddTHH:mm:ss.fffZ', [cultureinfo]::InvariantCulture) } }
    [pscustomobject][ordered]@{
        Id                   = $Record.Id
        Type                 = $Record.Type
        Modalities           = $Record.Modalities.ToString()
        StartDateTime        = & $iso $Record.StartDateTime
        EndDateTime          = & $iso $Record.EndDateTime
        DurationSeconds      = if ($null -eq $Record.Duration) { '' } else { [math]::Round($Record.Duration.TotalSeconds, 3).ToString([cultureinfo]::InvariantCulture) }
        LastModifiedDateTime = & $iso $Record.LastModifiedDateTime
        Version              = $Record.Version
        JoinWebUrl           = $Record.JoinWebUrl
    }
}

$archive = $null
try {
    if (-not (Get-Module CallRecords)) { Import-Module $ModulePath }
    $null = New-Item -ItemType Directory -Force -Path $OutputDirectory
    $open = @{ Path = $ArchivePath; NoDefault = $true }
    if ($TenantId) { $open.TenantId = $TenantId }
    $archive = Open-CallRecordArchive @open

    $until = $Until.Date
    $first = if ($PSBoundParameters.ContainsKey('From')) { $From.Date } else { $until.AddDays(-$Days) }
    for ($day = $first; $day -lt $until; $day = $day.AddDays(1)) {
        $start = [datetimeoffset]::new($day, [timespan]::Zero)
        $rows = @(Get-CallRecord -Connection $archive -StartDateTime $start -EndDateTime $start.AddDays(1) -PageSize 999 |
                Sort-Object StartDateTime, Id |
                ForEach-Object { ConvertTo-Row $_ })
        $lines = if ($rows.Count -gt 0) { @($rows | ConvertTo-Csv -NoTypeInformation) } else { @() }
        $text = Get-FileText $lines
        $path = Join-Path $OutputDirectory ('callrecords-{0}.csv' -f $day.ToString('yyyy-MM-dd', [cultureinfo]::InvariantCulture))
        $changed = -not (Test-Path -LiteralPath $path) -or [System.IO.File]::ReadAllText($path, $utf8) -cne $text
        if ($changed) { Write-FileAtomically $path { param($temp) [System.IO.File]::WriteAllText($temp, $text, $utf8) } }
        [pscustomobject]@{ Day = $day.ToString('yyyy-MM-dd'); Records = $rows.Count; Changed = $changed; Path = $path }
    }
    exit 0
}
catch {
    Write-Error -ErrorRecord $_ -ErrorAction Continue
    exit 1
}
finally {
    if ($archive) { Disconnect-CallRecordGraph -Connection $archive -ErrorAction SilentlyContinue }
}
