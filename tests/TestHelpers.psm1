# Shared helpers for the Pester suites: the built module's path and the emulator process.

function Get-RepositoryRoot {
    return (Split-Path -Parent $PSScriptRoot)
}

function Import-BuiltModule {
    $manifest = Join-Path (Get-RepositoryRoot) 'out/EnergyData/EnergyData.psd1'
    if (-not (Test-Path $manifest)) {
        throw "The module is not built. Run ./build.ps1 -Task Build first."
    }
    # -Global: called from inside this module, Import-Module would import into this module's session state only,
    # and the test files (which call the cmdlets) would not see the module or its cmdlets.
    Import-Module $manifest -Force -Global -ErrorAction Stop
}

function Get-ModuleType {
    # The module's .NET type with this full name, for -is and Should -BeOfType. PowerShell 7 resolves no type name
    # from an assembly in a custom AssemblyLoadContext, and EnergyData.Core (every output type) loads into the
    # module's own: [EnergyData.Khipu.EnelDebtStatus] or Should -BeOfType 'EnergyData...' fail there. The cmdlets'
    # [OutputType] attributes hold the Type objects themselves, resolved by the module's loader.
    param([string] $FullName)
    $type = Get-Command -Module EnergyData -CommandType Cmdlet |
        ForEach-Object { $_.OutputType } |
        Where-Object { $null -ne $_.Type -and $_.Type.FullName -eq $FullName } |
        ForEach-Object { $_.Type } |
        Select-Object -First 1
    if ($null -eq $type) {
        throw "No EnergyData cmdlet declares the output type $FullName (is the module imported?)."
    }
    return $type
}

function Start-TestEmulator {
    param(
        [string[]] $ExtraArguments = @(),
        [ValidateSet('Debug', 'Release')] [string] $Configuration = 'Release',
        [int] $TimeoutSec = 60
    )
    $root = Get-RepositoryRoot
    $project = Join-Path $root 'tests/EnergyData.Emulator/EnergyData.Emulator.csproj'
    $output = Join-Path (Join-Path $root 'out/emulator') $Configuration
    # Built first, then started as `dotnet EnergyData.Emulator.dll`: one process, which Kill() ends. Under
    # `dotnet run` the emulator is a child of the dotnet host, and Kill() would end only the host. The build's
    # messages go to the host, not into this function's return value.
    & dotnet build $project -c $Configuration -o $output | Out-Host
    if ($LASTEXITCODE -ne 0) {
        throw "Building the emulator failed (dotnet build exit code $LASTEXITCODE)."
    }

    $info = New-Object System.Diagnostics.ProcessStartInfo 'dotnet'
    $arguments = @((Join-Path $output 'EnergyData.Emulator.dll'), '--urls', 'http://127.0.0.1:0') + $ExtraArguments
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

    # The emulator prints "listening on <uri>" once it accepts requests (tests/EnergyData.Emulator/Program.cs).
    # Each line is awaited within what is left of the budget, so a hung start cannot hang the suite.
    $deadline = [DateTime]::UtcNow.AddSeconds($TimeoutSec)
    $earlier = New-Object System.Collections.Generic.List[string]
    $uri = $null
    try {
        while ($null -eq $uri) {
            $left = [int][Math]::Max(0.0, ($deadline - [DateTime]::UtcNow).TotalMilliseconds)
            $read = $process.StandardOutput.ReadLineAsync()
            if (-not $read.Wait($left)) {
                throw ("The emulator did not report 'listening on <uri>' within {0} s and was stopped. Its output: {1}" -f $TimeoutSec, ($earlier -join ' | '))
            }
            $line = $read.Result
            if ($null -eq $line) {
                $exitCode = if ($process.WaitForExit(5000)) { $process.ExitCode } else { 'unknown' }
                throw ("The emulator exited (exit code {0}) before it was listening. Its output: {1}" -f $exitCode, ($earlier -join ' | '))
            }
            if ($line -match 'listening on (?<uri>\S+)') {
                $uri = $Matches['uri']
            }
            else {
                $earlier.Add($line)
            }
        }
    }
    catch {
        if (-not $process.HasExited) {
            try { $process.Kill() } catch { Write-Verbose "Stopping the emulator: $_" }
            $process.WaitForExit(5000) | Out-Null
        }
        throw
    }
    return [pscustomobject]@{ Process = $process; BaseUri = $uri.TrimEnd('/') + '/' }
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

function Set-EmulatorNeuOption {
    param($Emulator, [hashtable] $Option)
    Invoke-RestMethod -Method Post -Uri ($Emulator.BaseUri + '_emulator/neu/options') -ContentType 'application/json' -Body ($Option | ConvertTo-Json) | Out-Null
}

function Reset-Emulator {
    param($Emulator)
    Invoke-RestMethod -Method Post -Uri ($Emulator.BaseUri + '_emulator/reset') | Out-Null
}

function Wait-EmulatorCallbackIdle {
    # Polls the emulator's callback counters until no delivery is scheduled or under way (pending 0), at most
    # TimeoutSec, and returns the last counters (delivered, failed, attempts, abandoned, pending). It does not throw
    # at the deadline: the caller asserts pending with -Because, so a timeout fails the test with its own message.
    param($Emulator, [int] $TimeoutSec = 30)
    $deadline = [DateTime]::UtcNow.AddSeconds($TimeoutSec)
    while ($true) {
        $callbacks = Invoke-RestMethod -Uri ($Emulator.BaseUri + '_emulator/callbacks')
        if ($callbacks.pending -le 0 -or [DateTime]::UtcNow -ge $deadline) {
            return $callbacks
        }
        Start-Sleep -Milliseconds 100
    }
}

function Add-EmulatorFault {
    param($Emulator, [hashtable] $Fault, [int] $Count = 1)
    $body = $Fault.Clone()
    $body.count = $Count
    Invoke-RestMethod -Method Post -Uri ($Emulator.BaseUri + '_emulator/faults') -ContentType 'application/json' -Body ($body | ConvertTo-Json) | Out-Null
}

$exported = @('Get-RepositoryRoot', 'Import-BuiltModule', 'Get-ModuleType', 'Start-TestEmulator', 'Stop-TestEmulator', 'Get-EmulatorStat', 'Get-EmulatorCredential', 'Set-EmulatorKhipuOption', 'Set-EmulatorNeuOption', 'Reset-Emulator', 'Add-EmulatorFault', 'Wait-EmulatorCallbackIdle')
Export-ModuleMember -Function $exported
