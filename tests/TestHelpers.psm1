# Shared helpers for the Pester suites: the built module's path and the emulator process.

function Get-RepositoryRoot {
    return (Split-Path -Parent $PSScriptRoot)
}

function Import-BuiltModule {
    $manifest = Join-Path (Get-RepositoryRoot) 'out/EnergyData/EnergyData.psd1'
    if (-not (Test-Path $manifest)) {
        throw "The module is not built. Run ./build.ps1 -Task Build first."
    }
    Import-Module $manifest -Force -ErrorAction Stop
}

function Start-TestEmulator {
    param([string[]] $ExtraArguments = @())
    $project = Join-Path (Get-RepositoryRoot) 'tests/EnergyData.Emulator/EnergyData.Emulator.csproj'
    $info = New-Object System.Diagnostics.ProcessStartInfo 'dotnet'
    $arguments = @('run', '-c', 'Release', '--project', $project, '--', '--urls', 'http://127.0.0.1:0') + $ExtraArguments
    if ($null -ne $info.PSObject.Properties['ArgumentList']) {
        foreach ($argument in $arguments) {
            $info.ArgumentList.Add($argument)
        }
    }
    else {
        # Windows PowerShell 5.1 runs on .NET Framework, whose ProcessStartInfo has only the Arguments string.
        $info.Arguments = ($arguments | ForEach-Object { '"' + ($_ -replace '"', '\"') + '"' }) -join ' '
    }
    $info.RedirectStandardOutput = $true
    $info.UseShellExecute = $false
    $process = [System.Diagnostics.Process]::Start($info)
    $line = $process.StandardOutput.ReadLine()
    while ($null -ne $line -and $line -notmatch 'listening on (?<uri>\S+)') {
        $line = $process.StandardOutput.ReadLine()
    }
    if ($null -eq $line) {
        throw 'The emulator exited before it was listening.'
    }
    return [pscustomobject]@{ Process = $process; BaseUri = $Matches.uri.TrimEnd('/') + '/' }
}

function Stop-TestEmulator {
    param($Emulator)
    if ($Emulator -and -not $Emulator.Process.HasExited) {
        $Emulator.Process.Kill()
        $Emulator.Process.WaitForExit(5000) | Out-Null
    }
}

function Get-EmulatorStat {
    param($Emulator)
    $stats = Invoke-RestMethod -Uri ($Emulator.BaseUri + '_emulator/stats')
    # The emulator calls the request count 'requests'; the suites read it as 'total'.
    $stats | Add-Member -NotePropertyName total -NotePropertyValue $stats.requests -Force
    return $stats
}

function Get-EmulatorCredential {
    param($Emulator)
    return Invoke-RestMethod -Uri ($Emulator.BaseUri + '_emulator/credentials')
}

function Set-EmulatorKhipuOption {
    param($Emulator, [hashtable] $Option)
    Invoke-RestMethod -Method Post -Uri ($Emulator.BaseUri + '_emulator/khipu/options') -ContentType 'application/json' -Body ($Option | ConvertTo-Json) | Out-Null
}

function Reset-Emulator {
    param($Emulator)
    Invoke-RestMethod -Method Post -Uri ($Emulator.BaseUri + '_emulator/reset') | Out-Null
}

function Add-EmulatorFault {
    param($Emulator, [hashtable] $Fault, [int] $Count = 1)
    $body = $Fault.Clone()
    $body.count = $Count
    Invoke-RestMethod -Method Post -Uri ($Emulator.BaseUri + '_emulator/faults') -ContentType 'application/json' -Body ($body | ConvertTo-Json) | Out-Null
}

$exported = @('Get-RepositoryRoot', 'Import-BuiltModule', 'Start-TestEmulator', 'Stop-TestEmulator', 'Get-EmulatorStat', 'Get-EmulatorCredential', 'Set-EmulatorKhipuOption', 'Reset-Emulator', 'Add-EmulatorFault')
Export-ModuleMember -Function $exported
