#Requires -Version 7.2
#Requires -Modules @{ ModuleName = 'Pester'; ModuleVersion = '5.0' }
<#
    Connect-CallRecordGraph app-only stories in real pwsh, against the Graph emulator with its identity face (an
    Entra-compatible token service over HTTPS with a throw-away test CA). The module has no certificate-validation
    bypass, so each story runs in a child pwsh whose SSL_CERT_FILE names the emulator's CA: .NET on Linux/macOS reads
    that file at the process's first TLS handshake. On Windows the CA would have to go into the certificate store,
    which these tests do not do: they are tagged SslCertFile, which the runner leaves out on Windows and counts.
    Run through build.ps1 -Task Test, or: Invoke-Pester tests/Acceptance (after dotnet build -c Release).
#>

BeforeAll {
    Import-Module (Join-Path $PSScriptRoot 'TestHelpers/CallRecordsTestHelpers.psm1') -Force
    $script:Manifest = Get-TestModuleManifest

    $script:GraphPort = Get-TestFreePort
    $script:HttpsPort = Get-TestFreePort
    $script:MiPort = Get-TestFreePort
    $script:Graph = "http://127.0.0.1:$GraphPort"
    $script:Authority = "https://127.0.0.1:$HttpsPort"
    # The identity face's control routes answer on its plain-HTTP (managed identity) port too: no trust needed here.
    $script:IdentityControl = "http://127.0.0.1:$MiPort/_emulator"
    $script:WorkDir = Join-Path ([IO.Path]::GetTempPath()) "callrecords-connect-$GraphPort"
    New-Item -ItemType Directory -Path $WorkDir -Force | Out-Null
    $script:CaFile = Join-Path $WorkDir 'emulator-ca.pem'
    $script:Tenant = 'dc368399-474c-4d40-900c-6265431fd81f'

    # The tests need the identity face: wait for its control routes rather than the Graph face's.
    $script:Emulator = Start-TestEmulator -Port $GraphPort -ReadyUrl "$IdentityControl/token-requests" -LogPath (Join-Path $WorkDir 'emulator') `
        -ArgumentList @('--throttle', 'off', '--seed', '41', '--records', '120', '--days', '20',
            '--https-port', $HttpsPort, '--mi-port', $MiPort, '--ca-out', $CaFile)

    function script:Register-App([string] $Secret, [string] $CertificatePem, [object[]] $Federated, [string[]] $Roles = @('CallRecords.Read.All')) {
        $app = @{ tenantId = $Tenant; clientId = [guid]::NewGuid().ToString(); roles = $Roles }
        if ($Secret) { $app.secret = $Secret }
        if ($CertificatePem) { $app.certificatePem = $CertificatePem }
        if ($Federated) { $app.federatedCredentials = $Federated }
        $null = Invoke-RestMethod -Method Post "$IdentityControl/apps" -Body ($app | ConvertTo-Json -Depth 5) -ContentType 'application/json'
        $app.clientId
    }
    function script:Get-TokenRequests([string] $ClientId) {
        @(Invoke-RestMethod "$IdentityControl/token-requests" | ForEach-Object { $_ } | Where-Object clientId -EQ $ClientId)
    }
    # Ground truth is { count, ids }: the ids of every retained record, in list order.
    function script:Get-TruthIds {
        $truth = Get-TestRecordTruth -Endpoint $Graph
        $truth.ids.Count | Should -Be $truth.count -Because 'the truth route counts what it lists'
        $truth.count | Should -BeGreaterThan 0 -Because 'the emulator was started with records'
        @($truth.ids)
    }

    # Runs a script in a child pwsh that trusts the emulator's CA; variables are passed as JSON, and the child's
    # result comes back as JSON: { output, errors, streams } where streams holds every other stream as text.
    function script:Invoke-Trusted([string] $Script, [hashtable] $Variables = @{}) {
        $vars = Join-Path $WorkDir "vars-$([guid]::NewGuid()).json"
        $body = Join-Path $WorkDir "story-$([guid]::NewGuid()).ps1"
        $Variables.graph = $Graph; $Variables.authority = $Authority; $Variables.manifest = $Manifest
        $Variables | ConvertTo-Json -Depth 5 | Set-Content -Path $vars
        @"
`$ErrorActionPreference = 'Continue'
`$v = Get-Content -Raw '$vars' | ConvertFrom-Json
foreach (`$p in `$v.PSObject.Properties) { Set-Variable -Name `$p.Name -Value `$p.Value }
Import-Module `$manifest
`$all = & { $Script } *>&1
`$result = [ordered]@{
    output  = @(`$all | Where-Object { `$_ -isnot [System.Management.Automation.ErrorRecord] -and `$_ -isnot [System.Management.Automation.InformationalRecord] })
    errors  = @(`$Error | ForEach-Object { [ordered]@{ id = `$_.FullyQualifiedErrorId; message = `$_.ErrorDetails.Message; action = `$_.ErrorDetails.RecommendedAction; full = (`$_ | Format-List * -Force | Out-String) + `$_.Exception.ToString() } })
    streams = @(`$all | Where-Object { `$_ -is [System.Management.Automation.InformationalRecord] } | ForEach-Object { `$_.Message })
}
`$result | ConvertTo-Json -Depth 6 -Compress
"@ | Set-Content -Path $body
        try {
            $previous = $env:SSL_CERT_FILE
            $env:SSL_CERT_FILE = $CaFile
            $json = Invoke-TestPwsh -NoProfile -NonInteractive -File $body
            ($json -join "`n") | ConvertFrom-Json
        }
        finally {
            $env:SSL_CERT_FILE = $previous
            Remove-Item $vars, $body -ErrorAction SilentlyContinue
        }
    }
    function script:Assert-NoSecret($Result, [string[]] $Secrets) {
        $text = ($Result | ConvertTo-Json -Depth 8)
        foreach ($s in $Secrets) { $text | Should -Not -Match ([regex]::Escape($s)) }
        $text | Should -Not -Match 'eyJ[A-Za-z0-9_-]{4,}\.eyJ[A-Za-z0-9_-]{4,}'
    }
}

AfterAll {
    Stop-TestEmulator $script:Emulator
    Remove-Item $script:WorkDir -Recurse -Force -ErrorAction SilentlyContinue
}

Describe 'Connect-CallRecordGraph app-only flows' -Tag 'SslCertFile' {
    It 'connects with a client secret and exports every call record' {
        $secret = 'acc-' + [guid]::NewGuid()
        $client = Register-App -Secret $secret
        $r = Invoke-Trusted @'
Connect-CallRecordGraph -TenantId $tenant -ClientId $client -ClientSecret (ConvertTo-SecureString $secret -AsPlainText -Force) -GraphEndpoint $graph -AuthorityHost $authority -Verbose -Debug
$csv = Join-Path ([IO.Path]::GetTempPath()) "calls-$client.csv"
Get-CallRecord -PageSize 50 | Export-Csv -Path $csv -NoTypeInformation
(Import-Csv $csv).Id
Get-CallRecordConnection | Select-Object AuthKind, TenantId, ClientId | ConvertTo-Json -Compress
Remove-Item $csv
'@ @{ tenant = $Tenant; client = $client; secret = $secret }
        $r.errors | Should -BeNullOrEmpty
        $connection = $r.output[-1] | ConvertFrom-Json
        $connection.AuthKind | Should -Be 'ClientSecret'
        $connection.ClientId | Should -Be $client
        Assert-TestTruth -Expected (Get-TruthIds) -Actual $r.output[0..($r.output.Count - 2)] -What 'call records exported'
        Assert-NoSecret $r $secret
    }

    It 'makes one token request for 50 cmdlet calls' {
        $secret = 'acc-' + [guid]::NewGuid()
        $client = Register-App -Secret $secret
        $r = Invoke-Trusted @'
$c = Connect-CallRecordGraph -TenantId $tenant -ClientId $client -ClientSecret (ConvertTo-SecureString $secret -AsPlainText -Force) -GraphEndpoint $graph -AuthorityHost $authority -NoDefault -PassThru
(1..50 | ForEach-Object { Get-CallRecord -Connection $c -First 1 }).Count
'@ @{ tenant = $Tenant; client = $client; secret = $secret }
        $r.errors | Should -BeNullOrEmpty
        $r.output | Should -Be 50
        (Get-TokenRequests $client).Count | Should -Be 1
    }

    It 'connects with a PFX certificate file, as a scheduled task would' {
        $rsa = [System.Security.Cryptography.RSA]::Create(2048)
        $request = [System.Security.Cryptography.X509Certificates.CertificateRequest]::new('CN=CallRecords acceptance', $rsa,
            [System.Security.Cryptography.HashAlgorithmName]::SHA256, [System.Security.Cryptography.RSASignaturePadding]::Pkcs1)
        $cert = $request.CreateSelfSigned([DateTimeOffset]::UtcNow.AddMinutes(-5), [DateTimeOffset]::UtcNow.AddDays(1))
        $pfx = Join-Path $WorkDir 'app.pfx'
        $password = 'pfx-' + [guid]::NewGuid()
        [IO.File]::WriteAllBytes($pfx, $cert.Export('Pkcs12', $password))
        $client = Register-App -CertificatePem $cert.ExportCertificatePem()
        $r = Invoke-Trusted @'
Connect-CallRecordGraph -TenantId $tenant -ClientId $client -CertificatePath $pfx -CertificatePassword (ConvertTo-SecureString $password -AsPlainText -Force) -GraphEndpoint $graph -AuthorityHost $authority
(Get-CallRecordConnection).AuthKind
(Get-CallRecord -PageSize 60).Id
'@ @{ tenant = $Tenant; client = $client; pfx = $pfx; password = $password }
        $r.errors | Should -BeNullOrEmpty
        $r.output[0] | Should -Be 'Certificate'
        Assert-TestTruth -Expected (Get-TruthIds) -Actual $r.output[1..($r.output.Count - 1)] -What 'call records listed'
        (Get-TokenRequests $client)[0].credentialKind | Should -Be 'certificate'
        Assert-NoSecret $r $password
    }

    It 'exchanges a federated token file, as a GitHub Actions job would' {
        $subject = 'repo:contoso/teams-reports:environment:production'
        $client = Register-App -Federated @(@{ issuer = 'https://token.actions.githubusercontent.com'; subject = $subject })
        $oidc = Invoke-RestMethod -Method Post "$IdentityControl/federated-tokens" -Body (@{ subject = $subject } | ConvertTo-Json) -ContentType 'application/json'
        $file = Join-Path $WorkDir 'federated-token'
        Set-Content -Path $file -Value $oidc.token -NoNewline
        $r = Invoke-Trusted @'
Connect-CallRecordGraph -TenantId $tenant -ClientId $client -FederatedTokenFile $file -GraphEndpoint $graph -AuthorityHost $authority
(Get-CallRecord -First 5).Id
'@ @{ tenant = $Tenant; client = $client; file = $file }
        $r.errors | Should -BeNullOrEmpty
        Assert-TestTruth -Expected (Get-TruthIds | Select-Object -First 5) -Actual $r.output -What 'the first 5 call records'
        (Get-TokenRequests $client)[0].credentialKind | Should -Be 'federated'
    }

    It 'keeps streaming across token refreshes' {
        $secret = 'acc-' + [guid]::NewGuid()
        $client = Register-App -Secret $secret
        Invoke-RestMethod -Method Put "$IdentityControl/token-lifetime" -Body '{"seconds":3}' -ContentType 'application/json' | Out-Null
        Invoke-RestMethod -Method Put "$Graph/_emulator/latency" -Body '{"latencyMs":150}' -ContentType 'application/json' | Out-Null
        try {
            $r = Invoke-Trusted @'
Connect-CallRecordGraph -TenantId $tenant -ClientId $client -ClientSecret (ConvertTo-SecureString $secret -AsPlainText -Force) -GraphEndpoint $graph -AuthorityHost $authority
(Get-CallRecord -PageSize 4).Id
'@ @{ tenant = $Tenant; client = $client; secret = $secret }
        }
        finally {
            Invoke-RestMethod -Method Put "$IdentityControl/token-lifetime" -Body '{"seconds":3600}' -ContentType 'application/json' | Out-Null
            Invoke-RestMethod -Method Put "$Graph/_emulator/latency" -Body '{"latencyMs":0}' -ContentType 'application/json' | Out-Null
        }
        $r.errors | Should -BeNullOrEmpty
        Assert-TestTruth -Expected (Get-TruthIds) -Actual $r.output -What 'call records streamed across refreshes'
        (Get-TokenRequests $client).Count | Should -BeGreaterThan 1
    }

    It 'gives up on a stalling authority after one attempt of -Timeout 5, as AuthorityUnreachable' {
        $secret = 'acc-' + [guid]::NewGuid()
        $client = Register-App -Secret $secret
        Invoke-RestMethod -Method Put "$IdentityControl/stall" -Body '{"stall":true}' -ContentType 'application/json' | Out-Null
        try {
            $r = Invoke-Trusted @'
$watch = [Diagnostics.Stopwatch]::StartNew()
try { Connect-CallRecordGraph -TenantId $tenant -ClientId $client -ClientSecret (ConvertTo-SecureString $secret -AsPlainText -Force) -GraphEndpoint $graph -AuthorityHost $authority -Timeout 5 -MaxRetry 0 }
finally { [math]::Round($watch.Elapsed.TotalSeconds, 1) }
'@ @{ tenant = $Tenant; client = $client; secret = $secret }
        }
        finally {
            Invoke-RestMethod -Method Put "$IdentityControl/stall" -Body '{"stall":false}' -ContentType 'application/json' | Out-Null
        }
        # Measured, not asserted (time belongs to bench/).
        Write-Host "  stalling authority, -Timeout 5 -MaxRetry 0: Connect-CallRecordGraph failed after $($r.output) s"
        $r.errors.Count | Should -Be 1
        $r.errors[0].id | Should -Be 'AuthorityUnreachable,CallRecords.Cmdlets.ConnectCallRecordGraphCommand'
        $r.errors[0].message | Should -Match ([regex]::Escape($Authority))
        $r.errors[0].message | Should -Match '1 attempt, each allowed 5 s'
        $r.errors[0].message | Should -Not -Match 'ClientOptions|NetworkTimeout'
        @(Get-TokenRequests $client).Count | Should -Be 1
        Assert-NoSecret $r $secret
    }

    It 'a wrong secret for a second tenant leaves no default connection, so the first tenant is not read' {
        $secretA = 'acc-' + [guid]::NewGuid()
        $clientA = Register-App -Secret $secretA
        $clientB = Register-App -Secret ('acc-' + [guid]::NewGuid())
        $wrong = 'wrong-' + [guid]::NewGuid()
        $r = Invoke-Trusted @'
Connect-CallRecordGraph -TenantId $tenant -ClientId $clientA -ClientSecret (ConvertTo-SecureString $secretA -AsPlainText -Force) -GraphEndpoint $graph -AuthorityHost $authority
Connect-CallRecordGraph -TenantId $tenant -ClientId $clientB -ClientSecret (ConvertTo-SecureString $wrong -AsPlainText -Force) -GraphEndpoint $graph -AuthorityHost $authority
$csv = Join-Path ([IO.Path]::GetTempPath()) "calls-$clientB.csv"
Get-CallRecord -First 50 | Export-Csv -Path $csv -NoTypeInformation
(Test-Path $csv) -and @(Import-Csv $csv).Count -gt 0
'@ @{ tenant = $Tenant; clientA = $clientA; secretA = $secretA; clientB = $clientB; wrong = $wrong }
        # $Error lists the newest first.
        @($r.errors.id) | Should -Be @('NotConnected,CallRecords.Cmdlets.GetCallRecordCommand', 'InvalidClientSecret,CallRecords.Cmdlets.ConnectCallRecordGraphCommand')
        $r.errors[1].message | Should -Match 'No connection is the default now'
        $r.output | Should -Be $false
        Assert-NoSecret $r $secretA, $wrong
    }

    It 'explains a wrong secret without repeating it' {
        $client = Register-App -Secret ('acc-' + [guid]::NewGuid())
        $wrong = 'wrong-' + [guid]::NewGuid()
        $r = Invoke-Trusted @'
Connect-CallRecordGraph -TenantId $tenant -ClientId $client -ClientSecret (ConvertTo-SecureString $wrong -AsPlainText -Force) -GraphEndpoint $graph -AuthorityHost $authority -Verbose -Debug
'@ @{ tenant = $Tenant; client = $client; wrong = $wrong }
        $r.errors.Count | Should -Be 1
        $r.errors[0].id | Should -BeLike 'InvalidClientSecret,*'
        $r.errors[0].message | Should -Match 'AADSTS7000215'
        Assert-NoSecret $r $wrong
    }
}
