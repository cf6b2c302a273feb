#Requires -Version 5.1
<#
.SYNOPSIS
    Scheduled sync of Microsoft Teams call records into a SQLite archive (Sync-CallRecord), for history beyond
    Graph's 30 days.

.DESCRIPTION
    Run it once a day (at least every few weeks: Graph keeps call records for 30 days). Each run lists the records
    Graph keeps, reads in full only the new ones and those Graph re-issued with a higher version, and writes them to
    the archive in transactions, so a run that is stopped or killed leaves a consistent file and the next run
    completes it. With -Include the PSTN and direct-routing logs are archived too.

    The summary of the run (listed, added, updated, unchanged, requests, duration) is written to the output and, with
    -LogPath, appended to a log file as one JSON line. Any failure writes the error to the error stream and ends the
    script with exit code 1, so the scheduler marks the run as failed; a second run that starts while one is still
    writing the file waits -WaitTimeout seconds and then fails naming the process that holds it.

    Windows Task Scheduler (daily at 03:15, as a service account that has the certificate in its store):

        $action = New-ScheduledTaskAction -Execute 'pwsh.exe' -Argument ('-NoProfile -NonInteractive -File ' +
            'C:\Scripts\Sync-CallRecordArchive.ps1 -ArchivePath D:\CallRecords\callrecords.db -TenantId contoso.onmicrosoft.com ' +
            "-ClientId $appId -CertificateThumbprint $thumbprint -Include Pstn,DirectRouting -LogPath D:\CallRecords\sync.log")
        $trigger = New-ScheduledTaskTrigger -Daily -At 03:15
        Register-ScheduledTask -TaskName 'CallRecords archive' -Action $action -Trigger $trigger -User 'CONTOSO\svc-callrecords' -Password $password

    cron on Linux or macOS (daily at 03:15; crontab -e):

        15 3 * * * pwsh -NoProfile -NonInteractive -File /opt/callrecords/Sync-CallRecordArchive.ps1 -ArchivePath /var/lib/callrecords/callrecords.db -TenantId contoso.onmicrosoft.com -ClientId 00000000-0000-0000-0000-000000000000 -CertificatePath /etc/callrecords/app.pem -Include Pstn,DirectRouting -LogPath /var/log/callrecords-sync.log

.PARAMETER ArchivePath
    The SQLite archive file (created on the first run; its folder must exist).

.PARAMETER Include
    Also archive these log functions: Pstn, DirectRouting.

.PARAMETER LogPath
    Append the run's summary to this file as one JSON line.

.PARAMETER WaitTimeout
    Seconds to wait for another sync of the same file. Default 600.

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

.PARAMETER ModulePath
    Name or path of the CallRecords module to import when it is not loaded yet.

.EXAMPLE
    ./Sync-CallRecordArchive.ps1 -ManagedIdentity -ArchivePath C:\Archive\callrecords.db -Include Pstn

    An Azure Automation runbook on a Hybrid Worker that keeps the archive on the worker's disk.

.EXAMPLE
    pwsh -NoProfile -File Sync-CallRecordArchive.ps1 -TenantId contoso.onmicrosoft.com -ClientId $appId `
        -CertificateThumbprint 3F2A... -ArchivePath D:\CallRecords\callrecords.db -LogPath D:\CallRecords\sync.log

    A Windows scheduled task (see the description for its registration).
#>
[CmdletBinding(DefaultParameterSetName = 'ManagedIdentity')]
param(
    [Parameter(Mandatory)]
    [string] $ArchivePath,

    [ValidateSet('Pstn', 'DirectRouting')]
    [string[]] $Include,

    [string] $LogPath,

    [ValidateRange(0, 86400)]
    [int] $WaitTimeout = 600,

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

    [string] $ModulePath = 'CallRecords'
)

$ErrorActionPreference = 'Stop'
$ProgressPreference = 'SilentlyContinue'
Set-StrictMode -Version Latest

$connection = $null
try {
    if (-not (Get-Module CallRecords)) { Import-Module $ModulePath }
    $connect = @{ NoDefault = $true; PassThru = $true }
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
    $connection = Connect-CallRecordGraph @connect

    $sync = @{ Path = $ArchivePath; Connection = $connection; WaitTimeout = $WaitTimeout }
    if ($Include) { $sync.Include = $Include }
    $result = Sync-CallRecord @sync
    if ($LogPath) {
        $line = [ordered]@{
            startedOn = $result.StartedOn.ToString('o', [cultureinfo]::InvariantCulture); tenantId = $result.TenantId
            listed = $result.Listed; added = $result.Added; updated = $result.Updated; unchanged = $result.Unchanged
            expanded = $result.Expanded; requests = $result.Requests; pstnCallsAdded = $result.PstnCallsAdded
            directRoutingCallsAdded = $result.DirectRoutingCallsAdded; seconds = [math]::Round($result.Duration.TotalSeconds, 1)
        } | ConvertTo-Json -Compress
        Add-Content -LiteralPath $LogPath -Value $line -Encoding UTF8
    }
    $result
    exit 0
}
catch {
    Write-Error -ErrorRecord $_ -ErrorAction Continue
    exit 1
}
finally {
    if ($connection) { Disconnect-CallRecordGraph -Connection $connection -ErrorAction SilentlyContinue }
}
