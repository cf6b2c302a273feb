#Requires -Version 5.1
<#
.SYNOPSIS
    Scheduled export of Microsoft Teams call records: one CSV file per UTC day, resumed from a checkpoint file.

.DESCRIPTION
    Run it once a day (Azure Automation with a managed identity, or a scheduled task with a certificate). Each run
    exports every complete UTC day since the last run to <OutputDirectory>/callrecords-yyyy-MM-dd.csv and records the
    last exported day in a checkpoint JSON file, so a missed run is caught up by the next one.

    Re-running is safe: a day's file is written to a temporary file beside it and then swapped in place, so a reader
    never sees half a file, and exporting the same day again rewrites it with the same content (records sorted by
    start time and id, times in ISO 8601 UTC). The files are the same bytes whichever PowerShell writes them
    (Windows PowerShell 5.1 or PowerShell 7, on any OS): UTF-8 without a byte order mark, CRLF line ends as RFC 4180
    has them. (Export-Csv -Encoding UTF8 would add a byte order mark on 5.1 only.) -OverlapDays re-exports the most recent days on each run, because Graph
    can add or update a call record some time after the call ended.

    Any failure stops the export, leaves the checkpoint at the last complete day, writes the error to the error
    stream and ends the script with exit code 1, so the scheduler marks the run as failed.

    Graph keeps call records for 30 days: a checkpoint older than that cannot be caught up completely, and the script
    warns about the days that are lost.

.PARAMETER OutputDirectory
    Folder for the CSV files (created when missing).

.PARAMETER CheckpointPath
    The checkpoint JSON file. Default: checkpoint.json in OutputDirectory.

.PARAMETER ManagedIdentity
    Connect with the managed identity of the Azure Automation account, App Service or VM.

.PARAMETER ClientId
    The application (client) id: of the app registration with -CertificateThumbprint/-CertificatePath, or of a
    user-assigned managed identity with -ManagedIdentity.

.PARAMETER TenantId
    The tenant id or domain, with a certificate.

.PARAMETER CertificateThumbprint
    Thumbprint of the app's certificate in the CurrentUser or LocalMachine certificate store.

.PARAMETER CertificatePath
    Path of a PFX or PEM file holding the app's certificate and private key.

.PARAMETER CertificatePassword
    Password of the PFX file.

.PARAMETER AccessToken
    An app-only access token obtained elsewhere (also used to test the script against the Graph emulator).

.PARAMETER GraphEndpoint
    The Graph endpoint, for a national cloud or the emulator. Default: https://graph.microsoft.com.

.PARAMETER InitialDays
    On the first run (no checkpoint), how many complete days before -Until to export. Default 1 (yesterday).

.PARAMETER OverlapDays
    How many already exported days to export again on every run, to pick up records that arrived late. Default 1.

.PARAMETER Until
    Export the days before this UTC date. Default: today (UTC), so only complete days are exported.

.PARAMETER ModulePath
    Name or path of the CallRecords module to import when it is not loaded yet.

.EXAMPLE
    ./Export-DailyCallRecords.ps1 -ManagedIdentity -OutputDirectory C:\Exports\CallRecords

    An Azure Automation runbook (or a Hybrid Worker job) that exports yesterday, or every day since the last run.

.EXAMPLE
    pwsh -NoProfile -File Export-DailyCallRecords.ps1 -TenantId contoso.onmicrosoft.com -ClientId $appId `
        -CertificateThumbprint 3F2A... -OutputDirectory D:\CallRecords -InitialDays 7

    A Windows scheduled task: the first run exports the last seven days, later runs continue from the checkpoint.
#>
[CmdletBinding(DefaultParameterSetName = 'ManagedIdentity')]
param(
    [Parameter(Mandatory)]
    [string] $OutputDirectory,

    [string] $CheckpointPath,

    [Parameter(Mandatory, ParameterSetName = 'ManagedIdentity')]
    [switch] $ManagedIdentity,

    [Parameter(ParameterSetName = 'ManagedIdentity')]
    [Parameter(Mandatory, ParameterSetName = 'CertificateThumbprint')]
    [Parameter(Mandatory, ParameterSetName = 'CertificatePath')]
    [string] $ClientId,

    [Parameter(Mandatory, ParameterSetName = 'CertificateThumbprint')]
    [Parameter(Mandatory, ParameterSetName = 'CertificatePath')]
    [string] $TenantId,

    [Parameter(Mandatory, ParameterSetName = 'CertificateThumbprint')]
    [string] $CertificateThumbprint,

    [Parameter(Mandatory, ParameterSetName = 'CertificatePath')]
    [string] $CertificatePath,

    [Parameter(ParameterSetName = 'CertificatePath')]
    [securestring] $CertificatePassword,

    [Parameter(Mandatory, ParameterSetName = 'AccessToken')]
    [securestring] $AccessToken,

    [uri] $GraphEndpoint,

    [ValidateRange(1, 29)]
    [int] $InitialDays = 1,

    [ValidateRange(0, 29)]
    [int] $OverlapDays = 1,

    [datetime] $Until = [datetime]::UtcNow.Date,

    [string] $ModulePath = 'CallRecords'
)

$ErrorActionPreference = 'Stop'
# A scheduled job has nobody watching a progress bar, and drawing it costs time.
$ProgressPreference = 'SilentlyContinue'
Set-StrictMode -Version Latest

$retentionDays = 30

function Write-FileAtomically([string] $Path, [scriptblock] $Writer) {
    # Write beside the target (same volume), then swap: readers see the old file or the new one, never half of one.
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
function Write-TextFile([string] $Path, [string[]] $Lines) {
    $text = if ($Lines.Count -gt 0) { ($Lines -join "`r`n") + "`r`n" } else { '' }
    [System.IO.File]::WriteAllText($Path, $text, $utf8)
}

function Read-Checkpoint([string] $Path) {
    if (-not (Test-Path -LiteralPath $Path)) { return $null }
    $value = (Get-Content -LiteralPath $Path -Raw | ConvertFrom-Json).lastCompleteDayUtc
    # PowerShell 7's ConvertFrom-Json may already have turned the ISO date into a DateTime.
    if ($value -is [datetime]) { return $value.Date }
    return [datetime]::ParseExact([string]$value, 'yyyy-MM-dd', [cultureinfo]::InvariantCulture,
        [System.Globalization.DateTimeStyles]::AssumeUniversal -bor [System.Globalization.DateTimeStyles]::AdjustToUniversal).Date
}

function Write-Checkpoint([string] $Path, [datetime] $Day, [int] $Records) {
    $state = [ordered]@{
        lastCompleteDayUtc = $Day.ToString('yyyy-MM-dd', [cultureinfo]::InvariantCulture)
        recordsOnThatDay   = $Records
        updatedUtc         = [datetime]::UtcNow.ToString('o', [cultureinfo]::InvariantCulture)
    }
    Write-FileAtomically $Path { param($temp) Write-TextFile $temp @(($state | ConvertTo-Json) -split '\r?\n') }
}

function ConvertTo-Row($Record) {
    # Fixed columns and invariant formats, so the same records always give the same file.
    $iso = { param($t) if ($null -eq $t) { '' } else { $t.ToUniversalTime().ToString('yyyy-MM-ddTHH:mm:ss.fffZ', [cultureinfo]::InvariantCulture) } }
    [pscustomobject][ordered]@{
        Id                   = $Record.Id
        Type                 = $Record.Type
        # ToString() joins with ';' as Export-Csv writes the property; "$(...)" would join with $OFS (a space).
        Modalities           = $Record.Modalities.ToString()
        StartDateTime        = & $iso $Record.StartDateTime
        EndDateTime          = & $iso $Record.EndDateTime
        DurationSeconds      = if ($null -eq $Record.Duration) { '' } else { [math]::Round($Record.Duration.TotalSeconds, 3).ToString([cultureinfo]::InvariantCulture) }
        LastModifiedDateTime = & $iso $Record.LastModifiedDateTime
        Version              = $Record.Version
        JoinWebUrl           = $Record.JoinWebUrl
    }
}

$connected = $false
try {
    if (-not (Get-Module CallRecords)) { Import-Module $ModulePath }

    if (-not $CheckpointPath) { $CheckpointPath = Join-Path $OutputDirectory 'checkpoint.json' }
    $null = New-Item -ItemType Directory -Force -Path $OutputDirectory

    $until = $Until.Date
    $last = Read-Checkpoint $CheckpointPath
    $first = if ($null -eq $last) { $until.AddDays(-$InitialDays) } else { $last.AddDays(1 - $OverlapDays) }
    $oldest = [datetime]::UtcNow.Date.AddDays(1 - $retentionDays)
    if ($first -lt $oldest) {
        Write-Warning ("Graph keeps call records for $retentionDays days: the days {0:yyyy-MM-dd} to {1:yyyy-MM-dd} can no longer be exported." -f $first, $oldest.AddDays(-1))
        $first = $oldest
    }
    if ($first -ge $until) {
        Write-Host "Up to date: every day before $($until.ToString('yyyy-MM-dd')) is exported."
        exit 0
    }

    $connect = @{}
    switch ($PSCmdlet.ParameterSetName) {
        'ManagedIdentity' {
            $connect.ManagedIdentity = $true
            if ($ClientId) { $connect.ClientId = $ClientId }
        }
        'CertificateThumbprint' { $connect += @{ TenantId = $TenantId; ClientId = $ClientId; CertificateThumbprint = $CertificateThumbprint } }
        'CertificatePath' {
            $connect += @{ TenantId = $TenantId; ClientId = $ClientId; CertificatePath = $CertificatePath }
            if ($CertificatePassword) { $connect.CertificatePassword = $CertificatePassword }
        }
        'AccessToken' { $connect.AccessToken = $AccessToken }
    }
    if ($GraphEndpoint) { $connect.GraphEndpoint = $GraphEndpoint }
    Connect-CallRecordGraph @connect
    $connected = $true

    for ($day = $first; $day -lt $until; $day = $day.AddDays(1)) {
        $start = [datetimeoffset]::new($day, [timespan]::Zero)
        $rows = @(Get-CallRecord -StartDateTime $start -EndDateTime $start.AddDays(1) -PageSize 999 |
                Sort-Object StartDateTime, Id |
                ForEach-Object { ConvertTo-Row $_ })
        $path = Join-Path $OutputDirectory ('callrecords-{0}.csv' -f $day.ToString('yyyy-MM-dd', [cultureinfo]::InvariantCulture))
        Write-FileAtomically $path {
            param($temp)
            # A day without calls still gets its (empty) file, so the export is visibly complete. ConvertTo-Csv quotes
            # every field on 5.1 and 7 alike.
            $lines = if ($rows.Count -gt 0) { @($rows | ConvertTo-Csv -NoTypeInformation) } else { @() }
            Write-TextFile $temp $lines
        }
        Write-Checkpoint $CheckpointPath $day $rows.Count
        [pscustomobject]@{ Day = $day.ToString('yyyy-MM-dd'); Records = $rows.Count; Path = $path }
    }
    exit 0
}
catch {
    Write-Error -ErrorRecord $_ -ErrorAction Continue
    exit 1
}
finally {
    if ($connected) { Disconnect-CallRecordGraph }
}
