#Requires -Version 7.2
#Requires -Modules @{ ModuleName = 'Pester'; ModuleVersion = '5.0' }
<#
    What an admin finds after Install-Module: approved verbs (Get-Verb), help with examples (Get-Help), declared
    output types with a table view (Get-FormatData), and tab completion (TabExpansion2). No emulator needed.
#>

BeforeDiscovery {
    Import-Module (Join-Path $PSScriptRoot 'TestHelpers/CallRecordsTestHelpers.psm1') -Force
    Import-Module (Get-TestModuleManifest) -Force
    $script:Commands = @(Get-Command -Module CallRecords | ForEach-Object { @{ Name = $_.Name } })
}

BeforeAll {
    Import-Module (Join-Path $PSScriptRoot 'TestHelpers/CallRecordsTestHelpers.psm1') -Force
    Import-Module (Get-TestModuleManifest) -Force
    $script:Approved = (Get-Verb).Verb
}

AfterAll {
    Remove-Module CallRecords -ErrorAction SilentlyContinue
}

Describe '<Name>' -ForEach $Commands {
    BeforeAll { $script:Command = Get-Command $Name }

    It 'uses an approved verb' {
        $Approved | Should -Contain $Command.Verb
    }

    It 'has help with a synopsis, at least two examples and every parameter described' {
        $help = Get-Help $Name -Full
        $help.Synopsis | Should -Not -BeNullOrEmpty
        $help.Synopsis | Should -Not -BeLike "$Name*"
        @($help.Examples.Example).Count | Should -BeGreaterOrEqual 2
        $common = [System.Management.Automation.Cmdlet]::CommonParameters + [System.Management.Automation.Cmdlet]::OptionalCommonParameters
        foreach ($p in $Command.Parameters.Keys | Where-Object { $_ -notin $common }) {
            $doc = $help.Parameters.Parameter | Where-Object Name -EQ $p
            ($doc.Description.Text -join '') | Should -Not -BeNullOrEmpty -Because "-$p needs a description"
        }
    }

    It 'declares its output type and each output type has a table view' {
        $Command.OutputType | Should -Not -BeNullOrEmpty
        foreach ($type in $Command.OutputType | Where-Object { $_.Type -ne [void] }) {
            $views = Get-FormatData -TypeName $type.Type.FullName
            $views | Should -Not -BeNullOrEmpty -Because "$($type.Type.FullName) needs a view"
            @($views.FormatViewDefinition.Control | Where-Object { $_ -is [System.Management.Automation.TableControl] }).Count |
                Should -BeGreaterThan 0
        }
    }
}

Describe 'Tab completion' {
    It 'completes -Modality with Graph''s values' {
        $line = 'Get-CallRecord -Modality vi'
        (TabExpansion2 -inputScript $line -cursorColumn $line.Length).CompletionMatches.CompletionText |
            Should -Be @('video', 'videoBasedScreenSharing')
    }

    It 'completes <Line> with <Expected>' -ForEach @(
        @{ Line = 'New-CallRecord -Type '; Expected = @('groupCall', 'peerToPeer', 'unknown') }
        @{ Line = 'New-CallRecord -Modalities scr'; Expected = @('screenSharing') }
        @{ Line = 'Add-CallRecordSession -Modalities audio,vi'; Expected = @('video', 'videoBasedScreenSharing') }
        @{ Line = 'Set-CallRecordSession -Modalities da'; Expected = @('data') }
        @{ Line = 'Get-CallRecord -Type pe'; Expected = @('peerToPeer') }
        @{ Line = 'Connect-CallRecordGraph -Environment usg'; Expected = @('USGov', 'USGovDoD') }
        @{ Line = 'Connect-CallRecordGraph -ApiVersion b'; Expected = @('beta') }
    ) {
        (TabExpansion2 -inputScript $Line -cursorColumn $Line.Length).CompletionMatches.CompletionText | Should -Be $Expected
    }

    It 'completes -Property with callRecord property names' {
        $line = 'Get-CallRecord -Property start'
        (TabExpansion2 -inputScript $line -cursorColumn $line.Length).CompletionMatches.CompletionText |
            Should -Be @('startDateTime')
    }
}
