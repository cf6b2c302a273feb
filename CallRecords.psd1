@{
    RootModule           = 'CallRecords.dll'
    ModuleVersion        = '0.1.0'
    GUID                 = '5d2f6c1e-8a3b-4f7e-9c41-2b6d0e9a7f13'
    Author               = 'CallRecords.PS contributors'
    CompanyName          = 'CallRecords.PS'
    Copyright            = '(c) CallRecords.PS contributors. MIT License.'
    Description          = 'Microsoft Graph Teams call records (microsoft.graph.callRecords) for PowerShell: call records, sessions, segments, streams with call-quality classification, PSTN and direct-routing logs, streamed page by page.'
    PowerShellVersion    = '5.1'
    CompatiblePSEditions = @('Desktop', 'Core')
    # Windows PowerShell 5.1 loads bin/desktop, built for .NET Framework 4.7.2: on an older .NET Framework (4.6.2 is
    # Windows Server 2016's) Import-Module says so, instead of failing to load netstandard 2.0.0.0. PowerShell 7 ignores it.
    DotNetFrameworkVersion = '4.7.2'
    FormatsToProcess     = @('CallRecords.format.ps1xml')
    TypesToProcess       = @('CallRecords.types.ps1xml')
    CmdletsToExport      = @(
        'Connect-CallRecordGraph'
        'Disconnect-CallRecordGraph'
        'Get-CallRecordConnection'
        'Get-CallRecord'
        'Get-CallRecordSession'
        'Get-CallRecordSegment'
        'Get-CallRecordParticipant'
        'Get-CallRecordStream'
        'New-CallRecord'
        'Add-CallRecordSession'
        'Set-CallRecordSession'
        'Remove-CallRecordSession'
        'Sync-CallRecord'
        'Open-CallRecordArchive'
        'Get-CallRecordArchive'
        'Add-CallRecordSegment'
        'Get-CallRecordPstnCall'
        'Get-CallRecordDirectRoutingCall'
        'Get-CallRecordSmsLog'
        'Get-CallRecordPstnBlockedUserLog'
        'Get-CallRecordPstnDialoutReport'
    )
    FunctionsToExport    = @()
    VariablesToExport    = @()
    AliasesToExport      = @()
    PrivateData          = @{
        PSData = @{
            Tags         = @('Teams', 'MicrosoftGraph', 'CallRecords', 'CallQuality', 'PSTN', 'DirectRouting', 'PSEdition_Desktop', 'PSEdition_Core')
            ProjectUri   = 'https://github.com/CallRecords-PS/CallRecords.PS'
            LicenseUri   = 'https://github.com/CallRecords-PS/CallRecords.PS/blob/main/LICENSE'
            ReleaseNotes = @'
0.1.0: call records, sessions, segments, participants and media streams (with the Call Quality Dashboard class) from
Microsoft Graph, and the PSTN, direct-routing, SMS, blocked-user and dial-out logs. Every cmdlet streams through one
runtime: listings, fan-out over piped records, sessions, segments, ids or CSV rows (up to -ThrottleLimit at a time,
results in input order), and log windows of at most 90 days. One request budget per connection keeps all runs inside
Graph's throttling windows; pages are 999 records by default. Flat rows carry latencies as numbers (AverageJitterMs,
DurationSeconds) for Export-Csv; default tables fit 120 columns with whole ids and UTC date-times. Use -Verbose and
$DebugPreference = 'Continue' rather than -Debug (pwsh 7.6 prompts at every line with -Debug). The SQLite archive
(Sync-CallRecord, Open-CallRecordArchive) may ship separately. See CHANGELOG.md.
'@
        }
    }
}
